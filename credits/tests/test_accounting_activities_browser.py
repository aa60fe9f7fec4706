"""An accountant declares a conference day on a phone (390 px): the form with its accounting
fields fits the screen, passes axe, and the record counts 10 credits."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import ProfessionalSeries
from credits.models import CertificationRoute, Record
from tests.browser import log_in
from tests.factories import World, bind, person_create, rules_ensure
from tests.test_browser_pages import OVERFLOW_JS, PHONE, SCREENSHOTS

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_accountant_declares_a_conference_day_on_a_phone(
    world: World, live_server: Any, page: Page
) -> None:
    from axe_playwright_python.sync_playwright import Axe

    rules_ensure()
    # From 2020 the seeded routes send accounting to the accounting platform (decision 0008);
    # HRSS routes the person's own accounting declarations to the employer here (decision 0011).
    CertificationRoute.objects.create(
        series=ProfessionalSeries.objects.get(code="accounting"),
        source=Record.Source.SELF_DECLARED,
        certifier=CertificationRoute.Certifier.EMPLOYER,
    )
    accountant = person_create(series=("accounting",))
    bind(accountant, world.employer)
    page.set_viewport_size(PHONE)
    log_in(page, live_server.url, accountant.user.username)
    page.goto(f"{live_server.url}{reverse('credits:record_new')}", wait_until="domcontentloaded")

    assert page.evaluate(OVERFLOW_JS) == []
    violations = [
        v["id"]
        for v in Axe().run(page).response["violations"]
        if v["impact"] in {"critical", "serious"}
    ]
    assert violations == []
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "phone-record-new-accounting.png"), full_page=True)

    year = timezone.localdate().year  # a year whose declarations are open today
    page.fill("input[name=year]", str(year))
    page.select_option("select[name=activity]", "conference_day")
    page.check("input[name=general_knowledge]")
    page.fill("input[name=amount]", "1")
    page.fill("input[name=title]", "2023 年会计准则研讨会")
    page.select_option("select[name=form]", "conference")
    page.fill("input[name=start_date]", f"{year}-01-05")
    page.fill("input[name=end_date]", f"{year}-01-05")
    with page.expect_navigation(wait_until="domcontentloaded"):
        page.click("main form.record-form button[type=submit]")

    record = Record.objects.get(person=accountant)
    assert (record.hours, record.activity_code, record.general_knowledge) == (
        10,
        "conference_day",
        True,
    )
    assert (
        page.locator("[data-testid=record-activity]").inner_text().startswith("参加会计类专业会议")
    )
    assert page.evaluate(OVERFLOW_JS) == []
