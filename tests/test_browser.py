"""Headless Chromium logs in as each of the five roles and sees that role's home page."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.browser import log_in
from tests.factories import World, member_link, rules_ensure

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(os.environ.get("SCREENSHOT_DIR", "var/screenshots"))


def _shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


# role → (what the home page must show, the URL it lands on)
EXPECTED = {
    "person": ("单位绑定", "/me/"),
    "employer": ("待确认的人员绑定", "/orgs/"),
    "institution": ("继续教育基地", "/orgs/"),
    "authority": ("待审核的行业主管部门申请", "/orgs/"),
    "hrss": ("待审核的用人单位注册", "/orgs/"),
}


@pytest.mark.parametrize("role", list(EXPECTED))
def test_each_role_logs_in_and_sees_its_home_page(
    role: str, world: World, live_server: Any, page: Page
) -> None:
    user = world.user(role)
    log_in(page, live_server.url, user.username)
    text, path = EXPECTED[role]
    assert path in page.url
    assert page.get_by_test_id("current-role").is_visible()
    assert text in page.content()
    _shot(page, f"home-{role}")


def test_hrss_reviews_an_employer_registration_in_the_browser(
    world: World, live_server: Any, page: Page
) -> None:
    log_in(page, live_server.url, world.user("hrss").username)
    page.click("text=待审核的用人单位注册")
    assert world.pending_employer.name in page.content()
    _shot(page, "hrss-queue")
    page.click(f"tr:has-text('{world.pending_employer.name}') a.btn")
    page.check("input[value=return]")
    page.click("button[type=submit]:has-text('提交')")
    assert "请填写" in page.content() or "理由" in page.content()
    page.fill("textarea[name=reason]", "营业执照复印件不清晰")
    page.check("input[value=return]")
    page.click("button[type=submit]:has-text('提交')")
    page.wait_for_load_state("networkidle")
    world.pending_employer.refresh_from_db()
    assert world.pending_employer.status == "returned"
    assert world.pending_employer.status_reason == "营业执照复印件不清晰"


def test_person_with_two_roles_switches_role_from_the_header(
    world: World, live_server: Any, page: Page
) -> None:

    member_link(world.employer, world.person.user, "reviewer")
    log_in(page, live_server.url, world.person.user.username)
    assert "/me/" in page.url
    page.select_option("#role-switch", f"org:{world.employer.pk}")
    page.wait_for_url(f"**/orgs/{world.employer.pk}/")
    assert world.employer.name in page.get_by_test_id("current-role").inner_text()
    _shot(page, "role-switched")


def test_person_declares_a_record_with_a_pdf_and_submits_it(
    world: World, live_server: Any, page: Page, settings: Any, tmp_path: Path
) -> None:
    from django.utils import timezone

    from credits.models import Record
    from tests.factories import PDF_BYTES

    settings.MEDIA_ROOT = str(tmp_path / "media")
    rules_ensure()
    certificate = tmp_path / "结业证书.pdf"
    certificate.write_bytes(PDF_BYTES)
    year = timezone.localdate().year
    log_in(page, live_server.url, world.person.user.username)
    page.goto(f"{live_server.url}/me/records/new/")
    page.fill("input[name=year]", str(year))
    page.select_option("select[name=category]", "professional")
    page.select_option("select[name=series]", "engineering")
    page.fill("input[name=amount]", "2")
    page.select_option("select[name=unit]", "days")
    page.fill("input[name=title]", "桥梁设计规范更新")
    page.select_option("select[name=form]", "class")
    page.fill("input[name=start_date]", f"{year}-01-05")
    page.fill("input[name=end_date]", f"{year}-01-06")
    page.select_option("select[name=assessment_result]", "pass")
    page.fill("input[name=institution_name]", "广州继续教育基地")
    page.set_input_files("input[name=evidence]", str(certificate))
    _shot(page, "record-form")
    with page.expect_navigation():
        page.click("form.record-form button[type=submit]")
    record = Record.objects.get(title="桥梁设计规范更新")
    assert record.status == Record.Status.DRAFT
    assert "结业证书.pdf" in page.content()
    with page.expect_navigation():
        page.click("form[action$='/submit/'] button[type=submit]")
    record.refresh_from_db()
    assert record.status == Record.Status.SUBMITTED
    assert page.get_by_test_id("record-status").inner_text() == "待审核"
    _shot(page, "record-submitted")
    page.goto(f"{live_server.url}/me/records/")
    assert "桥梁设计规范更新" in page.content()
    _shot(page, "record-list")
    page.goto(f"{live_server.url}/me/progress/{year}/")
    assert page.get_by_test_id("progress-public").is_visible()
    _shot(page, "progress-year")


def test_employer_approves_two_selected_records_in_the_review_queue(
    world: World, live_server: Any, page: Page
) -> None:
    from tests.factories import record_make

    first = record_make(world.person, world.employer, title="建筑节能新规解读")
    second = record_make(world.person, world.employer, title="工程造价实务")
    log_in(page, live_server.url, world.user("employer").username)
    page.click("nav.subnav a[href$='/review/']")
    page.wait_for_load_state("networkidle")
    for record in (first, second):
        page.check(f"input[name=record_ids][value='{record.pk}']")
    page.check("input[name=decision][value=approve]")
    _shot(page, "review-queue")
    page.click(".review-actions button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "/review/" in page.url
    for record in (first, second):
        record.refresh_from_db()
        assert record.status == "approved"
    world.record.refresh_from_db()
    assert world.record.status == "submitted"
    assert page.locator(f"input[name=record_ids][value='{first.pk}']").count() == 0
