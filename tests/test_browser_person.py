"""Headless Chromium as a person: a returned record's alert on the home page, the record, a
wrong evidence file removed, the notice read; and the in-house plan box shown only when it
applies."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from accounts.models import Decision, Notice
from credits.models import Evidence, Record
from credits.services import records_review
from tests.browser import log_in
from tests.factories import World, admin_of

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")


def test_person_follows_a_returned_records_alert_removes_a_file_and_reads_the_notice(
    world: World, live_server: Any, page: Page
) -> None:
    record = world.record
    records_review(
        reviewer=admin_of(world.employer),
        employer=world.employer,
        record_ids=[record.pk],
        decision=Decision.RETURN,
        reason="证书扫描件不是本人的",
    )
    log_in(page, live_server.url, world.person.user.username)

    # The home page alerts the returned record with its reason; the header counts the notice.
    alert = page.get_by_test_id(f"record-alert-{record.pk}")
    assert "证书扫描件不是本人的" in alert.inner_text()
    assert "已退回" in alert.inner_text() or "退回" in alert.inner_text()
    badge = page.get_by_test_id("notice-badge")
    unread = Notice.objects.filter(recipient=world.person.user, read_at__isnull=True).count()
    assert badge.locator(".badge").inner_text() == str(unread)

    # Open the record and remove the wrong file, accepting the confirmation.
    with page.expect_navigation():
        alert.locator("a").click()
    assert f"/me/records/{record.pk}/" in page.url
    assert "certificate.pdf" in page.content()
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.get_by_test_id("evidence-remove").click()
    assert not Evidence.objects.filter(pk=world.evidence.pk).exists()
    assert "certificate.pdf" in page.content()  # the success message names it…
    assert page.get_by_test_id(f"evidence-{world.evidence.pk}").count() == 0  # …the list not

    # Read the notice in the message centre.
    with page.expect_navigation():
        badge.click()
    notice = Notice.objects.get(recipient=world.person.user, kind="record_returned")
    item = page.get_by_test_id(f"notice-{notice.pk}")
    assert "证书扫描件不是本人的" in item.inner_text() and record.title in item.inner_text()
    with page.expect_navigation():
        item.get_by_test_id("notice-read").click()
    notice.refresh_from_db()
    assert notice.read_at is not None
    assert page.get_by_test_id(f"notice-{notice.pk}").get_by_test_id("notice-read").count() == 0


def test_dismissing_the_confirmation_keeps_the_file(
    world: World, live_server: Any, page: Page
) -> None:
    record = world.record
    Record.objects.filter(pk=record.pk).update(status=Record.Status.DRAFT)
    log_in(page, live_server.url, world.person.user.username)
    page.goto(f"{live_server.url}/me/records/{record.pk}/")

    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_test_id("evidence-remove").click()
    page.wait_for_timeout(300)

    assert Evidence.objects.filter(pk=world.evidence.pk).exists()


def test_inhouse_training_has_no_approved_plan_box(
    world: World, live_server: Any, page: Page
) -> None:
    """Decision 0018: the approved plan comes from classes, never from a box the person ticks."""
    log_in(page, live_server.url, world.person.user.username)
    page.goto(f"{live_server.url}/me/records/new/")
    page.select_option("select[name=kind]", "inhouse_training")

    assert page.locator("input[name=approved_plan]").count() == 0
    assert page.get_by_text("计量单位").count() >= 1


def test_declaration_form_names_the_accounting_platform_and_fits_a_phone(
    world: World, live_server: Any, page: Page
) -> None:
    """An accountant's form says where accounting records are certified and which years are
    still open; at 390 px nothing sticks out to the right (decision 0008)."""
    from tests.factories import bind, person_create
    from tests.test_browser_pages import OVERFLOW_JS, PHONE

    accountant = person_create(series=("accounting", "engineering"))
    bind(accountant, world.employer)
    page.set_viewport_size(PHONE)
    log_in(page, live_server.url, accountant.user.username)
    page.goto(f"{live_server.url}/me/records/new/")

    notice = page.get_by_test_id("routes-elsewhere")
    assert notice.is_visible()
    assert "广东省会计信息服务平台" in notice.inner_text()
    assert notice.locator("a[href='https://kj.czt.gd.gov.cn/']").is_visible()
    assert "公需科目学习至" in page.get_by_test_id("year-windows").inner_text()
    assert page.evaluate(OVERFLOW_JS) == []
