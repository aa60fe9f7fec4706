"""Headless Chromium as a person: a public-subject course from choosing its year through two
timed lessons (the real sample video, 2 s each), their questions, the exam, to the public
record certified automatically and shown on the progress page."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from django.utils import timezone

from courses.models_online import OnlineEnrolment
from courses.tests.online_factories import online_course_make
from credits.models import Record
from tests.browser import log_in
from tests.factories import World

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> Iterator[None]:
    from portal.celery import app

    settings.MEDIA_ROOT = str(tmp_path / "media")
    # The year's summary is refreshed by a task after commit: run it in-process.
    settings.CELERY_TASK_ALWAYS_EAGER = True
    was = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        yield
    finally:
        app.conf.task_always_eager = was


def _study_lesson(page: Page, title: str) -> None:
    with page.expect_navigation():
        page.get_by_role("link", name=title).click()
    video = page.get_by_test_id("lesson-video")
    video.wait_for()
    # Muted playback needs no user gesture; the server counts the time, not the player.
    page.evaluate("() => { const v = document.querySelector('video'); v.muted = true; v.play(); }")
    page.wait_for_function(
        "() => document.querySelector('[data-player-credited]').textContent === '2'",
        timeout=20_000,
    )
    # Answer the in-lesson question (the right choice is "对").
    page.get_by_label("对").check()
    with page.expect_navigation():
        page.get_by_role("button", name="核对答案").click()
    assert "回答正确" in page.content()
    with page.expect_navigation():
        page.get_by_test_id("back-to-course").click()


def test_a_person_studies_a_public_course_passes_its_exam_and_gets_the_public_record(
    world: World, live_server: Any, page: Page
) -> None:
    year = timezone.localdate().year
    course = online_course_make(
        office=world.hrss,
        years=(year,),
        durations=(2, 2),
        bank=3,
        exam_size=3,
        real_video=True,
        title="中国式现代化（浏览器测试）",
    )
    log_in(page, live_server.url, world.person.user.username)

    # The person menu leads to the online courses; the person picks the course and its year.
    with page.expect_navigation():
        page.locator("nav.subnav").get_by_role("link", name="公需课学习").click()
    with page.expect_navigation():
        page.get_by_test_id("online-catalogue").get_by_role("link", name="选择").click()
    page.get_by_label("课程所属年度").select_option(str(year))
    with page.expect_navigation():
        page.get_by_role("button", name="开始学习").click()
    enrolment = OnlineEnrolment.objects.get(person=world.person, course=course)
    assert enrolment.year == year
    assert "课程全部学完后才能参加考试" in page.content()

    _study_lesson(page, "第1讲")
    _study_lesson(page, "第2讲")

    # Every lesson is complete: the exam opens; the bank's right answer is always "甲".
    with page.expect_navigation():
        page.get_by_role("button", name="参加考试").click()
    for radio in page.get_by_label("甲").all():
        radio.check()
    with page.expect_navigation():
        page.get_by_role("button", name="提交考试").click()
    assert page.get_by_test_id("course-complete").is_visible()

    record = Record.objects.get(person=world.person, source="public_course")
    assert (record.status, record.category, record.year) == ("approved", "public", year)
    # The progress page counts it without any employer review.
    with page.expect_navigation():
        page.get_by_role("link", name="查看我的进度").click()
    assert course.title in page.content()
