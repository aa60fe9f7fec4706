"""`make run`'s demo data for online study: published public subjects for this year and last
year, a course counting for both with two short lessons playing the committed sample video."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from accounts.api import demo_load
from courses.demo import demo_extra_load
from courses.demo_online import SAMPLE_VIDEO
from courses.models_online import OnlineCourse, PublicSubject, Question


@pytest.mark.django_db
def test_the_demo_has_a_public_course_with_a_short_local_video(
    settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    demo_load()
    demo_extra_load()
    year = timezone.localdate().year
    assert set(PublicSubject.objects.filter(published=True).values_list("year", flat=True)) == {
        year - 1,
        year,
    }
    course = OnlineCourse.objects.get(published=True)
    assert set(course.subjects.values_list("year", flat=True)) == {year - 1, year}
    lessons = list(course.lessons.order_by("position"))
    assert len(lessons) == 2
    sample = SAMPLE_VIDEO.read_bytes()
    assert 1_000 < len(sample) < 500_000  # committed, served locally, never downloaded
    for lesson in lessons:
        assert 1 <= lesson.duration_seconds <= 60
        with lesson.video.open("rb") as stored:
            assert stored.read() == sample
        assert Question.objects.filter(lesson=lesson).exists()
    assert Question.objects.filter(course=course, lesson__isnull=True).count() >= course.exam_size
    demo_extra_load()  # a second run adds nothing
    assert OnlineCourse.objects.count() == 1
