"""Headless Chromium as an employer reviewer: the evidence preview and deciding from the record
page; a refused queue decision keeps the ticked rows; "select this page" ticks every row."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from credits.models import Record
from tests.browser import log_in
from tests.factories import World, member_create, record_make

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_reviewer_sees_the_evidence_preview_and_approves_from_the_record_page(
    world: World, live_server: Any, page: Page
) -> None:
    reviewer = member_create(world.employer, "reviewer-browser", "reviewer").user
    log_in(page, live_server.url, reviewer.username)
    # The home page counts the record waiting and leads to the queue.
    page.click("[data-testid=waiting] a[href*='/review/']")
    page.wait_for_load_state("networkidle")
    with page.expect_response(lambda r: "/preview/" in r.url) as preview:
        page.click(f"tr:has(input[value='{world.record.pk}']) a.btn")
        page.wait_for_load_state("networkidle")
    response = preview.value
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"].startswith("inline")
    assert response.headers["x-frame-options"] == "SAMEORIGIN"  # else the frame stays empty
    frame = page.locator("[data-testid=evidence-preview] iframe")
    assert frame.is_visible()
    assert frame.bounding_box() is not None and frame.bounding_box()["height"] > 200  # type: ignore[index]

    form = page.get_by_test_id("record-decision")
    form.locator("input[name=decision][value=approve]").check()
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    # Nothing else waits: back to the queue, with a message.
    assert page.url == f"{live_server.url}/orgs/{world.employer.pk}/review/"
    assert page.locator(".messages li.success").count() == 1
    world.record.refresh_from_db()
    assert world.record.status == Record.Status.APPROVED
    assert world.record.decided_by_id == reviewer.pk


def test_missing_reason_keeps_the_ticked_rows_in_the_queue(
    world: World, live_server: Any, page: Page
) -> None:
    first = record_make(world.person, world.employer, title="建筑节能新规解读")
    second = record_make(world.person, world.employer, title="工程造价实务")
    log_in(page, live_server.url, world.user("employer").username)
    page.goto(f"{live_server.url}/orgs/{world.employer.pk}/review/")
    # "Select this page" ticks every row; unticking one row clears the header box.
    page.check("input[data-select-page]")
    for pk in (world.record.pk, first.pk, second.pk):
        assert page.is_checked(f"input[name=record_ids][value='{pk}']")
    page.uncheck(f"input[name=record_ids][value='{world.record.pk}']")
    assert not page.is_checked("input[data-select-page]")

    page.check("input[name=decision][value=return]")
    with page.expect_navigation():
        page.click(".review-actions button[type=submit]")
    assert page.get_by_test_id("decision-errors").is_visible()
    assert page.is_checked(f"input[name=record_ids][value='{first.pk}']")
    assert page.is_checked(f"input[name=record_ids][value='{second.pk}']")
    assert not page.is_checked(f"input[name=record_ids][value='{world.record.pk}']")
    assert page.is_checked("input[name=decision][value=return]")

    page.fill(".review-actions input[name=reason]", "请补充学时证明")
    with page.expect_navigation():
        page.click(".review-actions button[type=submit]")
    statuses = dict(
        Record.objects.filter(pk__in=[world.record.pk, first.pk, second.pk]).values_list(
            "pk", "status"
        )
    )
    assert statuses == {world.record.pk: "submitted", first.pk: "returned", second.pk: "returned"}
