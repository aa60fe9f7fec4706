"""In Chinese, a returned record opens for editing with its dates filled in and saves."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import pytest
from django.utils import timezone

from credits.models import Record
from tests.browser import log_in
from tests.factories import World, record_make

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_returned_record_is_edited_and_saved_in_chinese(
    world: World, live_server: Any, page: Page
) -> None:
    day = timezone.localdate() - dt.timedelta(days=7)
    record = record_make(world.person, world.employer, status=Record.Status.RETURNED, year=day.year)
    Record.objects.filter(pk=record.pk).update(
        start_date=day, end_date=day, reviewer_reason="请补充学时证明"
    )
    log_in(page, live_server.url, world.person.user.username)

    page.goto(f"{live_server.url}/me/records/{record.pk}/edit/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    # The browser keeps a date input's value only when it is ISO (YYYY-MM-DD).
    assert page.input_value("input[name=start_date]") == day.isoformat()
    assert page.input_value("input[name=end_date]") == day.isoformat()
    page.fill("input[name=title]", "桥梁设计规范更新（补充）")
    page.click("form.record-form button[type=submit]")
    page.wait_for_load_state("networkidle")

    assert f"/me/records/{record.pk}/" in page.url
    assert "/edit/" not in page.url
    assert "该字段是必填项" not in page.content()
    record.refresh_from_db()
    assert record.title == "桥梁设计规范更新（补充）"
    assert (record.start_date, record.end_date) == (day, day)
