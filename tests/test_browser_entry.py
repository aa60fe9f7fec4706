"""Headless Chromium as an employer entering records: one by one, and a sheet whose progress
bar the page polls while the real Celery worker imports it; every page is accessible (axe)
and fits a 390 px phone."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from django.urls import reverse
from django.utils import timezone

from credits.models import ImportJob, Record
from credits.sheets import COLUMNS
from tests.browser import log_in
from tests.factories import World, admin_of
from tests.test_browser_pages import PHONE, Findings, _check_page

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = [pytest.mark.browser, pytest.mark.celery, pytest.mark.django_db(transaction=True)]


def _sheet(world: World, rows: int, *, bad_line: int | None = None) -> bytes:
    today = timezone.localdate()
    day = max(today - timedelta(days=1), today.replace(month=1, day=1))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([c.header for c in COLUMNS])
    for n in range(rows):
        amount = "八" if bad_line == n + 2 else "2"
        person = world.person
        when = day.isoformat()
        cells = [person.id_number, person.real_name, day.year, "选修科目", "", amount, "学时"]
        writer.writerow([*cells, f"网络专题讲座 {n}", "网络学习", when, when])
    return ("\ufeff" + out.getvalue()).encode()


def test_employer_uploads_a_sheet_and_watches_it_import(
    world: World, live_server: Any, page: Page, celery_worker: Any, tmp_path: Path
) -> None:
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    findings = Findings()
    page.set_viewport_size(PHONE)
    log_in(page, live_server.url, admin_of(world.employer).username)
    page.goto(
        live_server.url + reverse("credits:imports", args=[world.employer.pk]),
        wait_until="networkidle",
    )
    _check_page(page, axe, "employer", page.url, findings)

    bad = tmp_path / "bad.csv"
    bad.write_bytes(_sheet(world, 5, bad_line=4))
    page.set_input_files("input[name=sheet]", str(bad))
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    errors = page.get_by_test_id("import-errors")
    errors.wait_for(timeout=30_000)
    assert "第 4 行，“学时”列" in errors.inner_text()
    _check_page(page, axe, "employer", page.url, findings)
    assert not Record.objects.filter(source="employer").exists()

    good = tmp_path / "good.csv"
    good.write_bytes(_sheet(world, 300))
    page.goto(live_server.url + reverse("credits:imports", args=[world.employer.pk]))
    page.set_input_files("input[name=sheet]", str(good))
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    page.get_by_test_id("import-status").filter(has_text="已完成").wait_for(timeout=30_000)
    assert page.locator("[role=progressbar]").get_attribute("aria-valuenow") == "100"
    assert "已登记 300 条记录" in page.get_by_test_id("job-progress").inner_text()
    _check_page(page, axe, "employer", page.url, findings)
    job = ImportJob.objects.filter(employer_id=world.employer.pk).order_by("-pk").first()
    assert job is not None and job.created == 300

    page.goto(live_server.url + reverse("credits:record_enter", args=[world.employer.pk]))
    _check_page(page, axe, "employer", page.url, findings)
    assert findings.problems == [], "\n".join(findings.problems)
