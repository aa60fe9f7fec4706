"""Headless Chromium at 390 px: a person records an archives post with a diploma, the
employer confirms it from its queue, and the person sees it confirmed."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from accounts.models import ProfileFact
from tests.browser import log_in
from tests.factories import PDF_BYTES, World, admin_of

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(os.environ.get("SCREENSHOT_DIR", "var/screenshots"))


def _shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")


def test_person_records_a_fact_and_the_employer_confirms_it_on_a_phone(
    world: World, live_server: Any, page: Page, tmp_path: Path
) -> None:
    diploma = tmp_path / "毕业证书.pdf"
    diploma.write_bytes(PDF_BYTES)
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, live_server.url, world.person.user.username)
    page.goto(f"{live_server.url}/me/facts/")
    section = page.locator("section[aria-labelledby=fact-archives_post]")
    section.locator("input[name='archives_post-on']").fill("2023-02-01")
    section.locator("select[name='archives_post-education']").select_option("bachelor")
    section.locator("input[name='archives_post-proof']").set_input_files(str(diploma))
    with page.expect_navigation():
        section.locator("button[type=submit]").click()
    assert page.get_by_test_id("fact-status-archives_post").inner_text() == "待确认"
    fact = ProfileFact.objects.get(person=world.person)
    assert (fact.education, fact.proof_name) == ("bachelor", "毕业证书.pdf")

    page.context.clear_cookies()
    log_in(page, live_server.url, admin_of(world.employer).username)
    page.goto(f"{live_server.url}/orgs/{world.employer.pk}/facts/")
    assert "毕业证书.pdf" in page.content()
    page.locator(f"#f-{fact.pk}-a").check()
    with page.expect_navigation():
        page.locator(f"form[action$='/facts/{fact.pk}/decide/'] button[type=submit]").click()
    fact.refresh_from_db()
    assert fact.status == ProfileFact.Status.CONFIRMED

    page.context.clear_cookies()
    log_in(page, live_server.url, world.person.user.username)
    page.goto(f"{live_server.url}/me/facts/")
    assert page.get_by_test_id("fact-status-archives_post").inner_text() == "已确认"
    _shot(page, "phone-person-facts-confirmed")
