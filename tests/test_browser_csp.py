"""Headless Chromium visits the main pages of every role under the Content-Security-Policy and
sees no violation (no inline script or style, htmx's indicator <style> turned off)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.browser import log_in
from tests.factories import PASSWORD, World, admin_of, rules_ensure

if TYPE_CHECKING:
    from playwright.sync_api import ConsoleMessage, Page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Collects every violation the page reports, whatever the console says.
LISTENER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolations.push(e.violatedDirective + " " + (e.blockedURI || "inline"));
});
"""


class Violations:
    def __init__(self, page: Page) -> None:
        self.page = page
        self.found: list[str] = []
        page.add_init_script(LISTENER)
        page.on("console", self._console)

    def _console(self, message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            self.found.append(f"{self.page.url}: {message.text}")

    def visit(self, url: str, *, linger_ms: int = 0) -> None:
        response = self.page.goto(url)
        assert response is not None
        self.page.wait_for_load_state("networkidle")
        if linger_ms:
            self.page.wait_for_timeout(linger_ms)
        assert response.headers.get("content-security-policy"), url
        seen = self.page.evaluate("window.__cspViolations || []")
        self.found.extend(f"{url}: {v}" for v in seen)


def test_pages_of_every_role_raise_no_csp_violation(
    world: World, live_server: Any, page: Page
) -> None:
    rules_ensure()
    base = live_server.url
    watch = Violations(page)
    year = timezone.localdate().year

    for url in ("/", "/accounts/login/", "/accounts/password/reset/", "/accounts/register/"):
        watch.visit(base + url)
    watch.visit(base + "/no/such/page/")

    log_in(page, base, world.person.user.username)
    for url in (
        reverse("accounts:me"),
        reverse("credits:my_records"),
        reverse("credits:record_new"),
        reverse("credits:progress", kwargs={"year": year}),
        reverse("accounts:me_profile"),
        reverse("accounts:password_change"),
    ):
        watch.visit(base + url)

    page.context.clear_cookies()
    employer = world.employer.pk
    log_in(page, base, world.user("employer").username)
    for url in (
        reverse("accounts:org_home", kwargs={"organisation_id": employer}),
        reverse("credits:review_queue", kwargs={"organisation_id": employer}),
        reverse("accounts:staff_list", kwargs={"organisation_id": employer}),
        reverse("accounts:members", kwargs={"organisation_id": employer}),
        reverse("accounts:audit_log", kwargs={"organisation_id": employer}),
    ):
        watch.visit(base + url)
    # The batch job page polls through htmx: let it swap a few times.
    job = reverse(
        "credits:review_job", kwargs={"organisation_id": employer, "job_id": world.review_job.pk}
    )
    watch.visit(base + job, linger_ms=2500)

    page.context.clear_cookies()
    hrss = world.hrss.pk
    log_in(page, base, world.user("hrss").username)
    for url in (
        reverse("accounts:application_queue", kwargs={"organisation_id": hrss}),
        reverse("credits:recheck_samples", kwargs={"organisation_id": hrss}),
        reverse(
            "credits:recheck_sample",
            kwargs={"organisation_id": hrss, "sample_id": world.recheck_item.sample_id},
        ),
        reverse("accounts:audit_log", kwargs={"organisation_id": hrss}) + "?kind=security",
    ):
        watch.visit(base + url)

    page.context.clear_cookies()
    log_in(page, base, admin_of(world.authority).username)
    watch.visit(
        base + reverse("accounts:application_queue", kwargs={"organisation_id": world.authority.pk})
    )

    # The Django admin is not exempted from the policy.
    from accounts.models import User

    User.objects.create_superuser("csp-admin", "csp-admin@example.com", PASSWORD)
    page.context.clear_cookies()
    watch.visit(base + "/admin/login/")
    page.fill("input[name=username]", "csp-admin")
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_load_state("networkidle")
    watch.visit(base + "/admin/")
    watch.visit(base + "/admin/accounts/auditentry/")

    assert watch.found == []
