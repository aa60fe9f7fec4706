"""The bulk print and history pages with rows in them: axe-clean, fit a 390 px phone (tables
as labelled cards), breadcrumbs (the crawler in tests/test_browser_pages.py sees them empty)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import pytest
from django.db import connection
from django.urls import reverse

from certificates.models import BulkPrintJob
from certificates.services.bulk_print import bulk_print_chunk, bulk_print_finish
from certificates.services.history import history_import
from certificates.tests.bulk_helpers import YEAR, certificate_make
from tests.browser import log_in
from tests.factories import World, admin_of
from tests.test_browser_pages import PHONE, Findings, _check_page

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _history_for(world: World) -> None:
    id_number, name = world.person.id_number, world.person.real_name
    history_import(
        text="certificate_number,id_number,name,year,employer,public_hours,professional_hours,"
        f"elective_hours,issued_on\nGZJJ2017-000518,{id_number},{name},2017,示例单位,32.0,86.0,"
        "40.0,2018-01-18\n"
    )
    history_import(
        text="record_id,id_number,name,year,category,title,hours,start_date,end_date,"
        f"institution,employer\nOLD-2017-1,{id_number},{name},2017,professional,"
        "建筑结构抗震设计新规范专题培训,86.0,2017-03-01,2017-04-20,华南理工大学,示例单位\n"
    )


def test_print_and_history_pages_with_rows_are_accessible_on_a_phone(
    world: World, live_server: Any, page: Page
) -> None:
    from axe_playwright_python.sync_playwright import Axe

    admin = admin_of(world.employer)

    def rows() -> tuple[BulkPrintJob, BulkPrintJob]:
        _history_for(world)
        certificate = certificate_make(world.person, world.employer)
        # Made directly, not by bulk_print_start: its tasks would reach the session's real
        # Celery worker if an earlier test started one, and finish the "waiting" job.
        done, waiting = (
            BulkPrintJob.objects.create(
                organisation=world.employer,
                year=YEAR,
                format=format,
                requested_by=admin,
                certificate_ids=[certificate.pk],
                chunk_size=50,
                total=1,
            )
            for format in ("pdf", "zip")
        )
        bulk_print_chunk(job_id=done.pk, index=0)
        bulk_print_finish(job_id=done.pk)
        connection.close()
        return done, waiting

    # Signing runs asyncio.run(), which Playwright's running loop forbids in this thread.
    with ThreadPoolExecutor(1) as pool:
        finished, running = pool.submit(rows).result()
    org = world.employer.pk
    axe, findings = Axe(), Findings()
    page.set_viewport_size(PHONE)
    pages = {
        world.person.user.username: [reverse("certificates:my_history")],
        admin.username: [
            reverse("certificates:org_print_jobs", args=[org]),
            reverse("certificates:org_print_job", args=[org, finished.pk]),
            reverse("certificates:org_print_job", args=[org, running.pk]),
            reverse("certificates:org_history", args=[org]),
            reverse("certificates:org_history", args=[org]) + "?kind=records",
        ],
    }
    for username, paths in pages.items():
        page.context.clear_cookies()
        log_in(page, live_server.url, username)
        for path in paths:
            response = page.goto(live_server.url + path, wait_until="domcontentloaded")
            assert response is not None and response.status == 200, path
            _check_page(page, axe, username, path, findings)
    assert findings.problems == [], "\n".join(findings.problems)
    # The finished job offers its file; the running one polls.
    page.goto(live_server.url + pages[admin.username][1])
    assert page.get_by_test_id("print-download").count() == 1
    page.goto(live_server.url + pages[admin.username][2])
    assert page.get_by_test_id("print-progress").get_attribute("hx-get")
