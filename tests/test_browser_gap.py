"""Headless Chromium as a person short of professional hours: the progress page's "What fills
my gap" section shows the fewest open classes that close the gap, one click enrols, and the
enrolled class then counts as underway; the year's online public course is offered for
the public gap.  Screenshots at 1366 and 390 px; axe-core finds no
critical or serious violation on the page at either width."""

from __future__ import annotations

import os
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from django.utils import timezone

from courses.models import Enrolment
from courses.tests.factories import class_make, plan_make
from courses.tests.online_factories import online_course_make
from tests.browser import log_in
from tests.factories import World

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(os.environ.get("SCREENSHOT_DIR", "var/screenshots"))
WIDTHS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
BLOCKING = {"critical", "serious"}


def axe_blocking(page: Page) -> list[str]:
    """axe-core's critical and serious violations on the page (rule: targets)."""
    from axe_playwright_python.sync_playwright import Axe

    found = []
    for violation in Axe().run(page).response["violations"]:
        if violation["impact"] in BLOCKING:
            targets = ", ".join(" ".join(n["target"]) for n in violation["nodes"][:5])
            found.append(f"{violation['id']}: {targets}")
    return found


def shots_and_axe(page: Page, name: str) -> None:
    """Screenshots of the page at 1366 and 390 px (``var/screenshots/gap-*``), each checked
    with axe-core and for sideways overflow on the phone."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for label, size in WIDTHS.items():
        page.set_viewport_size(size)  # type: ignore[arg-type]
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{label}.png"), full_page=True)
        assert axe_blocking(page) == [], f"{name} at {size['width']} px"
        if label == "phone":
            wide = page.evaluate("() => document.documentElement.scrollWidth")
            assert wide <= size["width"], f"{name} scrolls sideways at 390 px"
    page.set_viewport_size(WIDTHS["desktop"])  # type: ignore[arg-type]


def test_a_person_short_of_hours_sees_the_classes_that_fill_the_gap_and_enrols_in_one(
    world: World, live_server: Any, page: Page
) -> None:
    year = timezone.localdate().year
    start = timezone.localdate() + timedelta(days=10)
    bridges = class_make(
        plan_make(world.institution, course_name="桥梁设计规范"),
        hours=24,
        name="桥梁设计规范第1期",
        start=start,
        end=start + timedelta(days=3),
    )
    tunnels = class_make(
        plan_make(world.institution, course_name="隧道施工安全"),
        hours=12,
        name="隧道施工安全第1期",
        start=start,
        end=start + timedelta(days=2),
    )
    spare = class_make(
        plan_make(world.institution, course_name="工程造价"),
        hours=20,
        name="工程造价第1期",
        start=start,
        end=start + timedelta(days=2),
    )
    online = online_course_make(
        office=world.hrss,
        years=(year,),
        title="习近平新时代中国特色社会主义思想",
        hours=Decimal(30),
    )
    log_in(page, live_server.url, world.person.user.username)
    page.goto(f"{live_server.url}/me/progress/{year}/", wait_until="domcontentloaded")
    # The public gap (30 h): the online course of the year closes it.
    assert page.get_by_test_id("gap-public").get_by_test_id(f"gap-course-{online.pk}").is_visible()

    gap = page.get_by_test_id("gap-professional-engineering")
    # The world's approved 8 h leave 34 h: 24 + 12 h in two classes, the least over 34.
    assert gap.get_by_test_id(f"gap-class-{bridges.pk}").is_visible()
    assert gap.get_by_test_id(f"gap-class-{tunnels.pk}").is_visible()
    assert not gap.get_by_test_id(f"gap-class-{spare.pk}").is_visible()  # under "other"
    assert "参加以下2个培训班（共36.0学时）即可补足" in gap.inner_text()
    shots_and_axe(page, "gap-progress")

    with page.expect_navigation(wait_until="domcontentloaded"):
        gap.get_by_test_id(f"gap-enrol-{bridges.pk}").click()
    assert Enrolment.objects.filter(training_class=bridges, person=world.person).exists()

    page.goto(f"{live_server.url}/me/progress/{year}/", wait_until="domcontentloaded")
    gap = page.get_by_test_id("gap-professional-engineering")
    assert bridges.name in gap.get_by_test_id("gap-underway").inner_text()
    # 10 h still open after the 24 h underway: the 12 h class closes it alone.
    assert gap.get_by_test_id(f"gap-class-{tunnels.pk}").is_visible()
    shots_and_axe(page, "gap-progress-enrolled")
