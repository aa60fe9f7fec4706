"""Issue 9, "Done when": headless Chromium takes one class from an institution's registration
to the learner's progress, every step through the pages of the role that takes it:

1. a teaching institution registers itself; the city HRSS office accepts its filing;
2. it applies for the engineering qualification (with an attachment); the authority approves;
3. the authority publishes its subject guide for the year with one course;
4. the institution files a course plan of that course with one class and submits it in the
   filing window; the authority approves it (filed with the HRSS office);
5. the institution opens the class for enrolment; the person, short of professional hours,
   enrols from "What fills my gap" on the progress page;
6. after the class starts (time moves on), the institution accepts the enrolment, opens the
   class, records a pass and closes the class;
7. the person sees the hours under review; their employer approves the record the class sent
   to its review queue;
8. the person's progress counts the class's hours.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from accounts.models import Organisation, Region
from courses.models import CoursePlan, Enrolment, Qualification, SubjectGuide, TrainingClass
from credits.models import Record
from tests.browser import log_in
from tests.factories import PASSWORD, World, admin_of, member_create

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(os.environ.get("SCREENSHOT_DIR", "var/screenshots"))
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"  # noqa: E501


@pytest.fixture(autouse=True)
def _eager_tasks(settings: Any, tmp_path: Path) -> Iterator[None]:
    """Uploaded files in a temporary folder; the class's records and the year summaries are
    written by tasks queued after commit: run them in-process."""
    from portal.celery import app

    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.CELERY_TASK_ALWAYS_EAGER = True
    was = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        yield
    finally:
        app.conf.task_always_eager = was


def _shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"class-flow-{name}.png"), full_page=True)


def _as(page: Page, base: str, username: str) -> None:
    """Log out whoever was logged in, and log in as `username`."""
    page.context.clear_cookies()
    log_in(page, base, username)


def _submit(page: Page, form: str = "main form.stacked") -> None:
    with page.expect_navigation(wait_until="domcontentloaded"):
        page.locator(form).locator("button[type=submit]").first.click()


def _decide_approve(page: Page) -> None:
    page.locator("input[name=decision][value=approve]").check()
    _submit(page)


def test_one_class_from_institution_registration_to_the_persons_progress(
    world: World, live_server: Any, page: Page, tmp_path: Path
) -> None:
    base = live_server.url
    today = timezone.localdate()
    # The class starts in ten days (the plan is filed in the 30 days before), lasts two.
    start, end = today + dt.timedelta(days=10), today + dt.timedelta(days=11)
    year = start.year

    # 1. The institution registers; the city HRSS office accepts its filing.
    page.goto(f"{base}{reverse('accounts:register_institution')}", wait_until="domcontentloaded")
    page.fill("input[name=name]", "越秀区工程技术培训中心")
    page.select_option("select[name=level]", "city")
    page.select_option("select[name=region]", str(Region.objects.get(code="440100").pk))
    page.fill("input[name=contact_name]", "李老师")
    page.fill("input[name=contact_phone]", "13800000000")
    page.fill("input[name=username]", "yuexiu-school")
    page.fill("input[name=password]", PASSWORD)
    page.fill("input[name=password_again]", PASSWORD)
    _submit(page)
    institution = Organisation.objects.get(name="越秀区工程技术培训中心")
    assert institution.status == Organisation.Status.PENDING

    hrss = Organisation.objects.get(kind="hrss", region__code="440100")
    _as(page, base, admin_of(hrss).username)
    page.goto(
        f"{base}{reverse('accounts:application_detail', args=[hrss.pk, institution.pk])}",
        wait_until="domcontentloaded",
    )
    _decide_approve(page)
    institution.refresh_from_db()
    assert institution.status == Organisation.Status.APPROVED

    # 2. It applies for the engineering qualification; the authority approves it.
    attachment = tmp_path / "办学许可证.pdf"
    attachment.write_bytes(PDF)
    _as(page, base, "yuexiu-school")
    page.goto(
        f"{base}{reverse('courses:qualifications', args=[institution.pk])}",
        wait_until="domcontentloaded",
    )
    page.select_option("select[name=series]", "engineering")
    page.fill("textarea[name=description]", "专职教师 12 人，教室 4 间。")
    page.set_input_files("input[name=attachments]", str(attachment))
    _submit(page)
    qualification = Qualification.objects.get(institution=institution)
    assert qualification.authority_id == world.authority.pk

    _as(page, base, admin_of(world.authority).username)
    page.goto(
        f"{base}{reverse('courses:qualification_review_detail', args=[world.authority.pk, qualification.pk])}",  # noqa: E501
        wait_until="domcontentloaded",
    )
    _decide_approve(page)
    qualification.refresh_from_db()
    assert qualification.status == "approved"

    # 3. The authority publishes the year's engineering guide with one course.
    page.goto(
        f"{base}{reverse('courses:guide_list', args=[world.authority.pk])}",
        wait_until="domcontentloaded",
    )
    page.select_option("select[name=series]", label="工程")
    page.fill("input[name=year]", str(year))
    _submit(page)
    guide = SubjectGuide.objects.get(authority=world.authority, year=year)
    page.fill("input[name=name]", "桥梁抗震设计新规范")
    page.select_option("select[name=course_type]", "professional")
    page.fill("input[name=hours]", "40")
    _submit(page)
    with page.expect_navigation(wait_until="domcontentloaded"):
        page.get_by_test_id("guide-publish").click()
    guide.refresh_from_db()
    assert guide.status == SubjectGuide.Status.PUBLISHED

    # 4. The institution files a plan of that course with one class; the authority approves.
    _as(page, base, "yuexiu-school")
    page.goto(
        f"{base}{reverse('courses:plan_new', args=[institution.pk])}",
        wait_until="domcontentloaded",
    )
    page.select_option("select[name=course]", str(guide.courses.get().pk))
    _submit(page)
    plan = CoursePlan.objects.get(filer=institution)
    page.goto(
        f"{base}{reverse('courses:plan_class_new', args=[institution.pk, plan.pk])}",
        wait_until="domcontentloaded",
    )
    page.fill("input[name=name]", "桥梁抗震设计新规范第1期")
    page.fill("input[name=start_date]", start.isoformat())
    page.fill("input[name=end_date]", end.isoformat())
    page.fill("input[name=hours]", "40")
    page.fill("input[name=capacity]", "30")
    page.check("input[name=mode][value=face_to_face]")
    page.fill("input[name=location]", "广州市越秀区中山路 1 号")
    _submit(page)
    with page.expect_navigation(wait_until="domcontentloaded"):
        page.get_by_test_id("plan-submit").click()
    plan.refresh_from_db()
    assert plan.status == "pending", page.locator(".messages").all_inner_texts()

    _as(page, base, admin_of(world.authority).username)
    page.goto(
        f"{base}{reverse('courses:plan_review_detail', args=[world.authority.pk, plan.pk])}",
        wait_until="domcontentloaded",
    )
    _decide_approve(page)
    plan.refresh_from_db()
    assert plan.status == "approved"
    assert plan.hrss_office_id is not None

    # 5. The class accepts enrolment; the person enrols from "What fills my gap".
    training_class = TrainingClass.objects.get(plan=plan)
    _as(page, base, "yuexiu-school")
    class_page = f"{base}{reverse('courses:org_class', args=[institution.pk, training_class.pk])}"
    page.goto(class_page, wait_until="domcontentloaded")
    with page.expect_navigation(wait_until="domcontentloaded"):
        page.get_by_test_id("to-accepting").click()
    training_class.refresh_from_db()
    assert training_class.status == TrainingClass.Status.ACCEPTING

    _as(page, base, world.person.user.username)
    page.goto(f"{base}{reverse('credits:progress', args=[year])}", wait_until="domcontentloaded")
    gap = page.get_by_test_id("gap-professional-engineering")
    assert gap.get_by_test_id(f"gap-class-{training_class.pk}").is_visible()
    _shot(page, "gap")
    with page.expect_navigation(wait_until="domcontentloaded"):
        gap.get_by_test_id(f"gap-enrol-{training_class.pk}").click()
    enrolment = Enrolment.objects.get(training_class=training_class, person=world.person)

    # 6. The class has started and ended (time moves on): accept, open, pass, close.
    with time_machine.travel(timezone.make_aware(dt.datetime.combine(end, dt.time(17))), tick=True):
        _as(page, base, "yuexiu-school")
        page.goto(class_page, wait_until="domcontentloaded")
        page.check(f"input[name=enrolment_ids][value='{enrolment.pk}']")
        with page.expect_navigation(wait_until="domcontentloaded"):
            page.get_by_test_id("accept").click()
        with page.expect_navigation(wait_until="domcontentloaded"):
            page.get_by_test_id("to-open").click()
        page.select_option(f"select[name=result_{enrolment.pk}]", "pass")
        page.fill(f"input[name=score_{enrolment.pk}]", "88")
        with page.expect_navigation(wait_until="domcontentloaded"):
            page.get_by_test_id("save-results").click()
        with page.expect_navigation(wait_until="domcontentloaded"):
            page.get_by_test_id("close-class").click()
        _shot(page, "closed")
        training_class.refresh_from_db()
        assert training_class.status == TrainingClass.Status.CLOSED
        record = Record.objects.get(person=world.person, title="桥梁抗震设计新规范")
        assert (record.status, record.category, record.hours) == (
            "submitted",
            "professional",
            Decimal(40),
        )

        # Until the employer decides, the person sees the class's hours as under review.
        _as(page, base, world.person.user.username)
        page.goto(
            f"{base}{reverse('credits:progress', args=[year])}", wait_until="domcontentloaded"
        )
        assert "8.0 / 42.0" in page.get_by_test_id("progress-professional").first.inner_text()
        pending = page.locator("main .card", has_text="待审核").inner_text()
        assert "桥梁抗震设计新规范" in pending

        # 7. The employer approves the record from its review queue.
        reviewer = member_create(world.employer, "flow-reviewer", "reviewer").user
        _as(page, base, reviewer.username)
        page.goto(
            f"{base}{reverse('credits:record_review_detail', args=[world.employer.pk, record.pk])}",
            wait_until="domcontentloaded",
        )
        assert institution.name in page.content()  # the source is shown
        form = page.get_by_test_id("record-decision")
        form.locator("input[name=decision][value=approve]").check()
        with page.expect_navigation(wait_until="domcontentloaded"):
            form.locator("button[type=submit]").click()
        record.refresh_from_db()
        assert record.status == "approved"

        # 8. The person's progress counts the class's hours.
        _as(page, base, world.person.user.username)
        page.goto(
            f"{base}{reverse('credits:progress', args=[year])}", wait_until="domcontentloaded"
        )
        professional = page.get_by_test_id("progress-professional").first.inner_text()
        assert "48.0 / 42.0" in professional  # the world's 8 h and the class's 40 h
        assert "桥梁抗震设计新规范" in page.content()
        _shot(page, "progress")
