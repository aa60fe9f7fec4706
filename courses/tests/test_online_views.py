"""Online study pages: a person sees and posts only to their own study; the heartbeat API
refuses forged and stale requests over HTTP; HRSS keeps its public subjects; list pages run a
fixed number of queries."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import AuditEntry
from courses.models_online import ExamAttempt, OnlineCourse, OnlineEnrolment, PublicSubject
from courses.services import online as services
from courses.tests.online_factories import online_course_make
from tests.factories import World, admin_of, person_create

pytestmark = pytest.mark.django_db

YEAR = timezone.localdate().year


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def client_for(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


@pytest.fixture
def course(world: World) -> OnlineCourse:
    return online_course_make(office=world.hrss, years=(YEAR,), durations=(4, 4))


@pytest.fixture
def enrolment(world: World, course: OnlineCourse) -> OnlineEnrolment:
    return services.enrolment_create(person=world.person, course=course, year=YEAR)


def lesson_url(name: str, enrolment: OnlineEnrolment) -> str:
    lesson = enrolment.course.lessons.order_by("position").first()
    assert lesson is not None
    return reverse(f"courses:{name}", args=[enrolment.pk, lesson.pk])


def test_a_person_chooses_the_year_and_enrols_from_the_course_page(
    world: World, course: OnlineCourse
) -> None:
    client = client_for(world.person.user)
    catalogue = client.get(reverse("courses:online_courses"))
    assert catalogue.status_code == 200 and course.title in catalogue.content.decode()
    response = client.post(reverse("courses:online_course", args=[course.pk]), {"year": YEAR})
    enrolment = OnlineEnrolment.objects.get(person=world.person, course=course)
    assert response.status_code == 302 and response["Location"] == reverse(
        "courses:online_study", args=[enrolment.pk]
    )
    assert enrolment.year == YEAR
    assert AuditEntry.objects.filter(action="online.enrol", target_id=str(enrolment.pk)).exists()
    study = client.get(response["Location"])
    assert study.status_code == 200
    assert "The exam opens once every lesson is complete." in study.content.decode()


def test_other_persons_cannot_see_or_post_to_my_study(
    world: World, enrolment: OnlineEnrolment
) -> None:
    intruder = client_for(person_create().user)
    attempt = ExamAttempt.objects.create(
        enrolment=enrolment, number=1, question_ids=[], started_at=timezone.now()
    )
    gets = [
        reverse("courses:online_study", args=[enrolment.pk]),
        lesson_url("online_lesson", enrolment),
        lesson_url("online_lesson_video", enrolment),
        reverse("courses:online_attempt", args=[enrolment.pk, attempt.pk]),
    ]
    for url in gets:
        assert intruder.get(url).status_code == 404, url
    posts = [
        reverse("courses:online_year", args=[enrolment.pk]),
        lesson_url("online_lesson_start", enrolment),
        lesson_url("online_lesson_beat", enrolment),
        lesson_url("online_lesson", enrolment),
        reverse("courses:online_exam_start", args=[enrolment.pk]),
        reverse("courses:online_attempt", args=[enrolment.pk, attempt.pk]),
    ]
    for url in posts:
        assert intruder.post(url, {"position": 1, "year": YEAR}).status_code == 404, url
    assert (
        not AuditEntry.objects.filter(actor__isnull=False, action__startswith="online.")
        .exclude(action="online.enrol")
        .exists()
    )


def test_the_heartbeat_api_counts_server_time_and_refuses_forgeries(
    world: World, enrolment: OnlineEnrolment
) -> None:
    client = client_for(world.person.user)
    start_at = timezone.now()
    with time_machine.travel(start_at, tick=False) as clock:
        started = client.post(lesson_url("online_lesson_start", enrolment))
        assert started.status_code == 200
        token = started.json()["token"]
        clock.shift(timedelta(seconds=2))
        beat = client.post(
            lesson_url("online_lesson_beat", enrolment), {"token": token, "position": 2}
        )
        assert beat.status_code == 200 and beat.json()["credited"] == 2
        # A forged request: 4 s of video claimed one second later.
        clock.shift(timedelta(seconds=1))
        forged = client.post(
            lesson_url("online_lesson_beat", enrolment), {"token": token, "position": 400}
        )
        assert forged.status_code == 409 and forged.json()["code"] == "ahead"
        assert forged.json()["credited"] == 2
        # A second tab: the first tab's token stops earning.
        other_tab = client.post(lesson_url("online_lesson_start", enrolment)).json()["token"]
        clock.shift(timedelta(seconds=2))
        stale = client.post(
            lesson_url("online_lesson_beat", enrolment), {"token": token, "position": 4}
        )
        assert stale.status_code == 409 and stale.json()["code"] == "stale_session"
        fresh = client.post(
            lesson_url("online_lesson_beat", enrolment), {"token": other_tab, "position": 4}
        )
        assert fresh.status_code == 200 and fresh.json()["credited"] == 4
        bad = client.post(lesson_url("online_lesson_beat", enrolment), {"token": other_tab})
        assert bad.status_code == 400


def test_the_lesson_page_serves_its_video_and_checks_answers(
    world: World, enrolment: OnlineEnrolment
) -> None:
    client = client_for(world.person.user)
    page = client.get(lesson_url("online_lesson", enrolment))
    assert page.status_code == 200
    html = page.content.decode()
    assert "data-lesson-player" in html and "<script" not in html.split("</head>")[1]
    video = client.get(lesson_url("online_lesson_video", enrolment))
    assert video.status_code == 200 and video["Content-Type"] == "video/webm"
    lesson = enrolment.course.lessons.order_by("position").first()
    assert lesson is not None
    question = lesson.questions.get()
    client.post(lesson_url("online_lesson", enrolment), {f"q{question.pk}": question.answer})
    progress = enrolment.progress.get(lesson=lesson)
    assert progress.answered == [question.pk]


def test_the_exam_button_refuses_before_the_lessons_are_done(
    world: World, enrolment: OnlineEnrolment
) -> None:
    client = client_for(world.person.user)
    response = client.post(reverse("courses:online_exam_start", args=[enrolment.pk]), follow=True)
    assert "The exam opens once every lesson is complete." in response.content.decode()
    assert not ExamAttempt.objects.filter(enrolment=enrolment).exists()


def test_hrss_adds_and_publishes_its_public_subjects_and_no_other_office_can(
    world: World, other_world: World
) -> None:
    hrss = client_for(admin_of(world.hrss))
    url = reverse("courses:public_subjects", args=[world.hrss.pk])
    response = hrss.post(url, {"year": YEAR, "title": "数字经济", "hours": "12"})
    assert response.status_code == 302
    subject = PublicSubject.objects.get(title="数字经济")
    assert (subject.office_id, subject.published) == (world.hrss.pk, False)
    other = client_for(admin_of(other_world.hrss))
    refused = other.post(
        reverse("courses:public_subject_publish", args=[other_world.hrss.pk, subject.pk]),
        {"published": "1"},
    )
    assert refused.status_code == 404
    hrss.post(
        reverse("courses:public_subject_publish", args=[world.hrss.pk, subject.pk]),
        {"published": "1"},
    )
    subject.refresh_from_db()
    assert subject.published
    assert AuditEntry.objects.filter(action="online.subject_publish").exists()
    assert "数字经济" in hrss.get(url).content.decode()


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_list_pages_run_a_fixed_number_of_queries(world: World) -> None:
    person_client = client_for(world.person.user)
    hrss_client = client_for(admin_of(world.hrss))
    catalogue = reverse("courses:online_courses")
    subjects = reverse("courses:public_subjects", args=[world.hrss.pk])

    def add(n: int, start: int) -> None:
        for i in range(start, start + n):
            course = online_course_make(
                office=world.hrss, years=(YEAR, YEAR - 1), title=f"课程{i}", durations=(3,)
            )
            services.enrolment_create(person=world.person, course=course, year=YEAR)
            PublicSubject.objects.create(office=world.hrss, year=YEAR, title=f"专题{i}", hours=3)

    add(2, 0)
    few = (_queries(person_client, catalogue), _queries(hrss_client, subjects))
    add(6, 2)
    many = (_queries(person_client, catalogue), _queries(hrss_client, subjects))
    assert few == many
    html = person_client.get(catalogue).content.decode()
    assert html.count(f"{YEAR - 1} · ") == 8  # every course lists its subjects' years
    assert max(many) <= 18
