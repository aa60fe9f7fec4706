"""Headless Chromium at 390 px: an institution plans a class, adds it and submits the plan;
the authority approves it in the queue's batch form; the HRSS office sees it filed
(s4-plans)."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pytest
from django.utils import timezone

from courses.models import CoursePlan
from courses.tests.plan_helpers import guide_course_published, instructor, qualify
from tests.browser import log_in
from tests.factories import World, admin_of

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_plan_goes_from_the_institution_to_the_hrss_office_on_a_phone(
    world: World, live_server: Any, page: Page
) -> None:
    course = guide_course_published(world.authority, year=timezone.localdate().year)
    qualify(world.institution)
    teacher = instructor(world.institution, "林教授")
    base = f"{live_server.url}/orgs"
    page.set_viewport_size({"width": 390, "height": 844})

    log_in(page, live_server.url, admin_of(world.institution).username)
    page.goto(f"{base}/{world.institution.pk}/plans/")
    with page.expect_navigation():
        page.get_by_test_id("plan-new").click()
    page.select_option("select[name=course]", str(course.pk))
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    with page.expect_navigation():
        page.get_by_test_id("class-add").click()
    start = timezone.localdate() + timedelta(days=14)
    page.fill("input[name=name]", "装配式建筑第1期")
    page.fill("input[name=start_date]", start.isoformat())
    page.fill("input[name=end_date]", (start + timedelta(days=1)).isoformat())
    page.fill("input[name=capacity]", "40")
    page.fill("input[name=location]", "广州大学")
    page.check(f"input[name=instructors][value='{teacher.pk}']")
    with page.expect_navigation():
        page.locator("main form.stacked button[type=submit]").click()
    assert "装配式建筑第1期" in page.get_by_test_id("plan-classes").inner_text()
    with page.expect_navigation():
        page.get_by_test_id("plan-submit").click()
    assert page.get_by_test_id("plan-status").inner_text() == "待审核"
    plan = CoursePlan.objects.get(filer=world.institution)
    assert plan.authority == world.authority

    page.context.clear_cookies()
    log_in(page, live_server.url, admin_of(world.authority).username)
    page.goto(f"{base}/{world.authority.pk}/plan-reviews/")
    page.check(f"input[name=plan_ids][value='{plan.pk}']")
    page.check("#d-batch-a")
    with page.expect_navigation():
        page.get_by_test_id("batch-decide").click()
    plan.refresh_from_db()
    assert plan.status == "approved" and plan.hrss_office == world.hrss
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390

    page.context.clear_cookies()
    log_in(page, live_server.url, admin_of(world.hrss).username)
    page.goto(f"{base}/{world.hrss.pk}/filed-plans/")
    assert course.name in page.get_by_test_id("plan-list").inner_text()
