"""Swagger UI (/api/v1/docs/) and ReDoc (/api/v1/redoc/) render in headless Chromium from this
site's own files, under the site's Content-Security-Policy, with no request to another host."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REDOC_LOGO = "cdn.redoc.ly/redoc/logo-mini.svg"
LISTENER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolations.push(e.violatedDirective + " " + (e.blockedURI || "inline"));
});
"""


def _open(page: Page, url: str) -> tuple[list[str], list[str]]:
    """Visit ``url``; the CSP violations and the hosts other than the live server requested."""
    problems: list[str] = []
    hosts: list[str] = []
    own = urlsplit(url).netloc
    page.add_init_script(LISTENER)
    page.on(
        "console",
        lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.on(
        "request",
        lambda r: (
            hosts.append(r.url)
            if urlsplit(r.url).scheme in ("http", "https") and urlsplit(r.url).netloc != own
            else None
        ),
    )
    response = page.goto(url)
    assert response is not None and response.status == 200
    assert response.headers.get("content-security-policy")
    return problems, hosts


def _violations(page: Page, problems: list[str]) -> list[str]:
    return problems + list(page.evaluate("window.__cspViolations || []"))


def test_swagger_ui_renders_every_operation_from_local_files(live_server: Any, page: Page) -> None:
    problems, hosts = _open(page, live_server.url + "/api/v1/docs/")
    page.wait_for_selector(".swagger-ui .info .title")
    assert "Guangdong CE portal API" in page.inner_text(".swagger-ui .info .title")
    page.wait_for_selector(".opblock")
    paths = page.eval_on_selector_all(".opblock-summary-path", "els => els.map(e => e.innerText)")
    for expected in (
        "/api/v1/certificates/verify",
        "/api/v1/sync/records",
        "/api/v1/persons/{id_number}/years/{year}",
    ):
        assert any(expected in p.replace("\u200b", "") for p in paths), (expected, paths)
    # The Bearer scheme is offered ("Authorize").
    assert page.locator(".btn.authorize").count() == 1
    page.wait_for_load_state("networkidle")
    assert _violations(page, problems) == []
    assert hosts == []


def test_redoc_renders_from_local_files(live_server: Any, page: Page) -> None:
    problems, hosts = _open(page, live_server.url + "/api/v1/redoc/")
    page.wait_for_selector("h1")
    assert "Guangdong CE portal API" in page.inner_text("h1")
    page.wait_for_function(
        "document.body.innerText.includes('/api/v1/persons/{id_number}/years/{year}')"
    )
    page.wait_for_load_state("networkidle")
    # ReDoc's footer logo lives on its CDN: the policy blocks it, which is the point.
    violations = [v for v in _violations(page, problems) if REDOC_LOGO not in v]
    assert violations == []
    assert [h for h in hosts if REDOC_LOGO not in h] == []
