"""The guide and plan pages end to end through the test client, and their fixed query
counts (s4-plans)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import Decision, Notice, Organisation
from courses.models import CourseAttachment, CoursePlan, TrainingClass
from courses.services import plans
from courses.tests.plan_helpers import guide_course_published, instructor, plan_with_class, qualify
from tests.factories import PDF_BYTES, World, admin_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def _client(organisation: Organisation) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(admin_of(organisation))
    return client


def _url(name: str, organisation: Organisation, **kwargs: int) -> str:
    return reverse(f"courses:{name}", kwargs={"organisation_id": organisation.pk, **kwargs})


def test_an_institution_plans_a_class_and_the_authority_approves_it_in_batch(
    world: World,
) -> None:
    course = guide_course_published(world.authority, year=timezone.localdate().year)
    qualify(world.institution)
    teacher = instructor(world.institution)
    inst = _client(world.institution)
    response = inst.post(_url("plan_new", world.institution), {"course": course.pk})
    plan = CoursePlan.objects.get(filer=world.institution)
    assert response.status_code == 302 and response["Location"].endswith(
        _url("plan_detail", world.institution, plan_id=plan.pk)
    )
    start = timezone.localdate() + timedelta(days=12)
    response = inst.post(
        _url("plan_class_new", world.institution, plan_id=plan.pk),
        {
            "name": "装配式建筑第1期",
            "start_date": start.isoformat(),
            "end_date": (start + timedelta(days=2)).isoformat(),
            "hours": "24",
            "capacity": "60",
            "mode": "face_to_face",
            "location": "广州大学",
            "instructors": [teacher.pk],
            "head_teacher": teacher.pk,
        },
    )
    assert response.status_code == 302
    training_class = TrainingClass.objects.get(plan=plan)
    assert training_class.head_teacher == teacher.name
    assert list(training_class.instructors.all()) == [teacher]
    response = inst.post(_url("plan_submit", world.institution, plan_id=plan.pk), follow=True)
    assert "sent to" in response.content.decode()
    plan.refresh_from_db()
    assert plan.status == "pending" and plan.authority == world.authority

    reviewer = _client(world.authority)
    queue = reviewer.get(_url("plan_review_queue", world.authority)).content.decode()
    assert course.name in queue
    response = reviewer.post(
        _url("plan_review_decide", world.authority),
        {"decision": Decision.APPROVE, "plan_ids": [plan.pk]},
        follow=True,
    )
    assert "1 decided, 0 skipped." in response.content.decode()
    plan.refresh_from_db()
    assert plan.status == "approved" and plan.hrss_office == world.hrss

    page = _client(world.hrss).get(_url("filed_plan_list", world.hrss)).content.decode()
    assert course.name in page and world.institution.name in page
    detail = inst.get(_url("plan_detail", world.institution, plan_id=plan.pk)).content.decode()
    assert 'data-testid="class-status">Planned<' in detail  # the class's own state is shown
    assert Notice.objects.filter(
        recipient=admin_of(world.institution), kind=Notice.Kind.PLAN_APPROVED
    ).exists()


def test_a_submission_outside_the_window_shows_the_dates(world: World) -> None:
    course = guide_course_published(world.authority)
    start = timezone.localdate() + timedelta(days=40)
    plan, _ = plan_with_class(world.employer, course, start=start)
    response = _client(world.employer).post(
        _url("plan_submit", world.employer, plan_id=plan.pk), follow=True
    )
    earliest, latest = start - timedelta(days=30), start - timedelta(days=1)
    assert (
        f"The class starting {start.isoformat()} must be filed between "
        f"{earliest.isoformat()} and {latest.isoformat()}." in response.content.decode()
    )


def test_a_batch_decision_without_a_ticked_plan_says_so(world: World) -> None:
    response = _client(world.authority).post(
        _url("plan_review_decide", world.authority), {"decision": Decision.APPROVE}
    )
    assert response.status_code == 200
    assert "Select at least one plan." in response.content.decode()


def test_the_reviewer_returns_one_plan_from_its_page(world: World) -> None:
    course = guide_course_published(world.authority)
    plan, _ = plan_with_class(world.employer, course)
    plans.plan_submit(actor=admin_of(world.employer), plan=plan)
    reviewer = _client(world.authority)
    url = _url("plan_review_detail", world.authority, plan_id=plan.pk)
    refused = reviewer.post(url, {"decision": Decision.RETURN})
    assert "Give a reason" in refused.content.decode()
    reviewer.post(url, {"decision": Decision.RETURN, "reason": "补充场地证明"})
    plan.refresh_from_db()
    assert plan.status == "returned" and plan.reviewer_reason == "补充场地证明"


def test_attachments_are_checked_by_content_and_shown_to_the_reviewer(world: World) -> None:
    course = guide_course_published(world.authority)
    plan, _ = plan_with_class(world.employer, course)
    client = _client(world.employer)
    url = _url("plan_attachment_add", world.employer, plan_id=plan.pk)
    fake = SimpleUploadedFile("plan.pdf", b"<html>not a pdf</html>", content_type="application/pdf")
    response = client.post(url, {"file": fake}, follow=True)
    assert "not a PDF, JPEG or PNG" in response.content.decode()
    assert not CourseAttachment.objects.exists()
    client.post(url, {"file": SimpleUploadedFile("计划.pdf", PDF_BYTES)})
    attachment = CourseAttachment.objects.get(plan=plan)
    assert attachment.name == "计划.pdf" and str(attachment.file.name).endswith(".pdf")
    plans.plan_submit(actor=admin_of(world.employer), plan=plan)
    download = _client(world.authority).get(
        _url(
            "plan_attachment_download",
            world.authority,
            plan_id=plan.pk,
            plan_attachment_id=attachment.pk,
        )
    )
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"


def test_the_authority_publishes_a_guide_from_its_pages(world: World) -> None:
    client = _client(world.authority)
    series = world.authority.series.get()
    response = client.post(_url("guide_list", world.authority), {"series": series.pk, "year": 2026})
    assert response.status_code == 302
    guide = world.authority.subject_guides.get()
    detail = _url("guide_detail", world.authority, guide_id=guide.pk)
    client.post(detail, {"name": "BIM 应用", "course_type": "professional", "hours": "12"})
    client.post(_url("guide_publish", world.authority, guide_id=guide.pk))
    guide.refresh_from_db()
    assert guide.status == "published" and guide.courses.count() == 1
    page = _client(world.employer).get(
        _url("published_guide_detail", world.employer, guide_id=guide.pk)
    )
    assert "BIM 应用" in page.content.decode()
    export = client.get(_url("guide_export_csv", world.authority))
    assert "BIM 应用" in b"".join(export.streaming_content).decode()  # type: ignore[attr-defined]


# --- Fixed query counts --------------------------------------------------------------------------


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def _many_plans(world: World, count: int) -> None:
    """`count` approved institution plans with classes, instructors and attachments."""
    course = guide_course_published(world.authority)
    qualify(world.institution)
    for i in range(count):
        plan, training_class = plan_with_class(world.institution, course)
        training_class.instructors.add(instructor(world.institution, f"老师{i}"))
        plans.plan_submit(actor=admin_of(world.institution), plan=plan)
    plans.plans_review(
        reviewer=admin_of(world.authority),
        reviewer_organisation=world.authority,
        plan_ids=list(CoursePlan.objects.filter(status="pending").values_list("pk", flat=True)),
        decision=Decision.APPROVE,
    )


PAGES: list[tuple[str, Callable[[World], Organisation]]] = [
    ("plan_list", lambda w: w.institution),
    ("plan_review_queue", lambda w: w.authority),
    ("filed_plan_list", lambda w: w.hrss),
    ("guide_list", lambda w: w.authority),
    ("published_guide_list", lambda w: w.institution),
]


@pytest.mark.parametrize(("name", "org"), PAGES, ids=[p[0] for p in PAGES])
def test_list_pages_run_a_fixed_number_of_queries(
    world: World, name: str, org: Callable[[World], Organisation]
) -> None:
    organisation = org(world)
    client = _client(organisation)
    query = "?status=approved" if name == "plan_review_queue" else ""
    _many_plans(world, 2)
    few = _queries(client, _url(name, organisation) + query)
    _many_plans(world, 23)
    guide_course_published(world.authority, year=2025, name="另一门课")
    assert _queries(client, _url(name, organisation) + query) == few
    assert few <= 25


def test_the_plan_page_runs_a_fixed_number_of_queries(world: World) -> None:
    course = guide_course_published(world.authority)
    plan, _ = plan_with_class(world.employer, course)
    client = _client(world.employer)
    url = _url("plan_detail", world.employer, plan_id=plan.pk)
    few = _queries(client, url)
    for i in range(6):
        start = timezone.localdate() + timedelta(days=5 + i)
        plans.plan_class_save(
            actor=admin_of(world.employer),
            plan=plan,
            name=f"第{i + 2}期",
            start_date=start,
            end_date=start,
            hours=Decimal(8),
            capacity=20,
            mode="online",
            instructors=[instructor(world.employer, f"老师{i}")],
        )
    assert _queries(client, url) == few


def test_the_authority_home_counts_the_plans_waiting_for_it(world: World) -> None:
    course = guide_course_published(world.authority)
    for _ in range(2):
        plan, _class = plan_with_class(world.employer, course)
        plans.plan_submit(actor=admin_of(world.employer), plan=plan)
    home = _client(world.authority).get(
        reverse("accounts:org_home", kwargs={"organisation_id": world.authority.pk})
    )
    queue = _url("plan_review_queue", world.authority)
    assert (
        f'<a class="stat" href="{queue}"><div class="count">2</div>'
        '<div class="label">Course plans to review</div></a>' in home.content.decode()
    )


def test_a_draft_plan_shows_when_each_class_may_be_filed(world: World) -> None:
    course = guide_course_published(world.authority)
    start = timezone.localdate() + timedelta(days=45)
    plan, _ = plan_with_class(world.employer, course, start=start)
    page = _client(world.employer).get(_url("plan_detail", world.employer, plan_id=plan.pk))
    earliest, latest = start - timedelta(days=30), start - timedelta(days=1)
    assert (
        f'data-testid="class-window">{earliest.isoformat()} to {latest.isoformat()}</td>'
        in page.content.decode()
    )
