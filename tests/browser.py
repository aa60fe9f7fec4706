"""Helpers shared by the browser tests (headless Chromium through Playwright)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tests.factories import PASSWORD

if TYPE_CHECKING:
    from playwright.sync_api import Page


def log_in(page: Page, base: str, username: str) -> None:
    """Log in through the login form and wait for the home page."""
    page.goto(f"{base}/accounts/login/", wait_until="domcontentloaded")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation(wait_until="domcontentloaded"):
        page.click("main button[type=submit]")
    assert "/accounts/login/" not in page.url, f"{username} could not log in"
