"""Security: audited log-ins, lockouts, passwords and refused access; the audit table's
TRUNCATE guard; the HRSS audit page's security filters; password reset by e-mail; error pages;
the Content-Security-Policy header."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.cache import cache
from django.db import DatabaseError, connection, transaction
from django.template import loader
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.models import AuditEntry, SecurityEvent
from portal.client_ip import client_ip
from tests.factories import PASSWORD, World, admin_of

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    cache.clear()  # password-reset throttle counters live in the cache


def events(action: SecurityEvent) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action.value).order_by("pk"))


def _log_in(client: Client, username: str, password: str = PASSWORD) -> Any:
    return client.post(LOGIN, {"username": username, "password": password})


# --- client_ip ---------------------------------------------------------------------------------


def test_client_ip_is_remote_addr_without_proxies(settings: Any) -> None:
    settings.NUM_PROXIES = 0
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert client_ip(request) == "10.0.0.5"


def test_client_ip_behind_proxies_skips_only_trusted_hops(settings: Any) -> None:
    settings.NUM_PROXIES = 1
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9"
    )
    assert client_ip(request) == "203.0.113.9"  # not the client-written 6.6.6.6


# --- Audited security events -------------------------------------------------------------------


def test_login_success_and_logout_are_audited_with_ip_and_path(world: World) -> None:
    client = Client(REMOTE_ADDR="192.0.2.10")
    user = world.person.user
    assert _log_in(client, user.username).status_code == 302
    client.post(reverse("accounts:logout"))
    [login] = events(SecurityEvent.LOGIN)
    [logout] = events(SecurityEvent.LOGOUT)
    assert (login.actor, login.ip, login.path, login.organisation) == (
        user,
        "192.0.2.10",
        LOGIN,
        None,
    )
    assert (logout.actor, logout.ip, logout.path) == (user, "192.0.2.10", "/accounts/logout/")


def test_failed_logins_are_audited_for_known_and_unknown_usernames(world: World) -> None:
    client = Client(REMOTE_ADDR="192.0.2.11")
    user = world.person.user
    _log_in(client, user.username, "wrong-password")
    _log_in(client, "nobody-here", "wrong-password")
    known, unknown = events(SecurityEvent.LOGIN_FAILED)
    assert (known.actor, known.ip) == (user, "192.0.2.11")
    assert known.reason == f"username: {user.username}"
    assert (unknown.actor, unknown.target_id, unknown.reason) == (None, "", "username: nobody-here")
    assert "wrong-password" not in known.reason + unknown.reason


def test_lockout_is_audited(world: World, settings: Any) -> None:
    client = Client(REMOTE_ADDR="192.0.2.12")
    user = world.person.user
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _log_in(client, user.username, "wrong-password")
    [locked] = events(SecurityEvent.LOCKED_OUT)
    assert (locked.actor, locked.ip, locked.path) == (user, "192.0.2.12", LOGIN)


def test_password_change_is_audited(world: World) -> None:
    client = Client()
    user = world.person.user
    client.force_login(user)
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "A-new-secret-77",
            "new_password2": "A-new-secret-77",
        },
    )
    assert response.status_code == 302
    [changed] = events(SecurityEvent.PASSWORD_CHANGED)
    assert (changed.actor, changed.path) == (user, "/accounts/password/")


def test_refused_access_is_audited_and_shows_the_403_page(world: World, en_client: Client) -> None:
    employer_admin = world.user("employer")
    en_client.force_login(employer_admin)
    response = en_client.get(reverse("accounts:me"), REMOTE_ADDR="192.0.2.13")
    assert response.status_code == 403
    assert b"Access refused" in response.content
    [refused] = events(SecurityEvent.FORBIDDEN)
    assert (refused.actor, refused.ip, refused.path) == (employer_admin, "192.0.2.13", "/me/")


def test_refused_access_without_the_organisation_permission_is_audited(world: World) -> None:
    client = Client()
    client.force_login(world.staff_membership.user)  # a member, but not the employer's admin
    url = reverse("accounts:audit_log", kwargs={"organisation_id": world.employer.pk})
    assert client.get(url).status_code == 403
    assert [e.path for e in events(SecurityEvent.FORBIDDEN)] == [url]


def test_csrf_failure_is_audited_and_answered_with_the_403_page(world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post(LOGIN, {"username": "x", "password": "y"})
    assert response.status_code == 403
    assert "访问被拒绝" in response.content.decode()
    [refused] = events(SecurityEvent.FORBIDDEN)
    assert refused.reason.startswith("CSRF")


# --- The audit table refuses TRUNCATE ----------------------------------------------------------


def test_audit_table_refuses_truncate_on_postgresql(world: World) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the trigger exists on PostgreSQL only")
    before = AuditEntry.objects.count()
    assert before > 0
    with connection.cursor() as cursor:
        # The test database allows it for the flush between transactional tests (conftest.py);
        # a real database has no such setting.
        cursor.execute("SET LOCAL portal.allow_audit_truncate = 'off'")
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no deferred FK checks pending
        with pytest.raises(DatabaseError, match="cannot be truncated"), transaction.atomic():
            cursor.execute("TRUNCATE accounts_auditentry")
    assert AuditEntry.objects.count() == before


# --- The audit page ----------------------------------------------------------------------------


def _security(action: SecurityEvent, user: Any = None, ip: str = "198.51.100.4") -> AuditEntry:
    return services.security_event_log(action=action, user=user, ip=ip, path=LOGIN)


def test_hrss_audit_page_shows_security_events_and_filters_them(world: World) -> None:
    person = world.person.user
    failed = _security(SecurityEvent.LOGIN_FAILED, person)
    _security(SecurityEvent.LOCKED_OUT, person)
    client = Client()
    hrss_admin = admin_of(world.hrss)
    client.force_login(hrss_admin)
    url = reverse("accounts:audit_log", kwargs={"organisation_id": world.hrss.pk})

    shown = list(client.get(url).context["page"])
    assert failed in shown

    only_failed = list(client.get(url, {"kind": "security.login_failed"}).context["page"])
    assert only_failed == [failed]

    by_user = list(client.get(url, {"kind": "security", "user": person.username}).context["page"])
    assert {e.action for e in by_user} == {"security.login_failed", "security.locked_out"}

    non_security = list(client.get(url, {"kind": "other"}).context["page"])
    assert non_security and all(not e.action.startswith("security.") for e in non_security)

    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    today = timezone.localdate().isoformat()
    assert list(client.get(url, {"date_from": tomorrow}).context["page"]) == []
    assert failed in list(client.get(url, {"date_from": today, "date_to": today}).context["page"])
    assert list(client.get(url, {"date_to": "2000-01-01"}).context["page"]) == []

    page = client.get(url, {"kind": "security.login_failed"}).content.decode()
    assert "198.51.100.4" in page and LOGIN in page


def test_employer_audit_page_shows_only_its_own_entries(world: World) -> None:
    _security(SecurityEvent.LOGIN_FAILED, world.person.user)
    client = Client()
    client.force_login(world.user("employer"))
    url = reverse("accounts:audit_log", kwargs={"organisation_id": world.employer.pk})
    response = client.get(url, {"kind": "security"})
    assert response.status_code == 200
    entries = list(response.context["page"])
    assert entries and {e.organisation_id for e in entries} == {world.employer.pk}
    assert "security.login_failed" not in response.content.decode()


# --- Forgotten password ------------------------------------------------------------------------


def _reset_link(body: str) -> str:
    match = re.search(r"https?://[^/\s]+(/accounts/password/reset/[^\s]+/)", body)
    assert match, body
    return match.group(1)


def test_password_reset_by_email_end_to_end(world: World) -> None:
    user = world.person.user
    user.email = "li@example.com"
    user.save(update_fields=["email"])
    client = Client(REMOTE_ADDR="192.0.2.20")
    login_page = client.get(LOGIN).content.decode()
    assert reverse("accounts:password_reset") in login_page

    response = client.post(reverse("accounts:password_reset"), {"email": "LI@example.com"})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")
    [message] = mail.outbox
    assert message.to == ["li@example.com"]
    link = _reset_link(str(message.body))

    form_page = client.get(link, follow=True)
    assert form_page.context["validlink"]
    set_url = form_page.redirect_chain[-1][0]
    done = client.post(
        set_url, {"new_password1": "Brand-new-pass-91", "new_password2": "Brand-new-pass-91"}
    )
    assert done["Location"] == reverse("accounts:password_reset_complete")

    fresh = Client()
    assert _log_in(fresh, user.username, "Brand-new-pass-91").status_code == 302
    assert fresh.session.get("_auth_user_id") == str(user.pk)
    assert client.get(link, follow=True).context["validlink"] is False  # used once

    [requested] = events(SecurityEvent.PASSWORD_RESET_REQUESTED)
    [completed] = events(SecurityEvent.PASSWORD_RESET_DONE)
    assert (requested.actor, requested.ip) == (user, "192.0.2.20")
    assert (completed.actor, completed.ip) == (user, "192.0.2.20")


def test_password_reset_answers_the_same_for_an_unknown_email(world: World) -> None:
    client = Client()
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.com"})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert mail.outbox == []
    [requested] = events(SecurityEvent.PASSWORD_RESET_REQUESTED)
    assert (requested.actor, requested.reason) == (None, "e-mail: nobody@example.com")


def test_password_reset_is_throttled_per_ip(world: World, settings: Any) -> None:
    settings.PASSWORD_RESET_LIMIT = 2
    url = reverse("accounts:password_reset")
    here = Client(REMOTE_ADDR="192.0.2.30")
    for _ in range(2):
        assert here.post(url, {"email": "a@example.com"}).status_code == 302
    throttled = here.post(url, {"email": "a@example.com"})
    assert throttled.status_code == 429
    assert b'data-testid="reset-throttled"' in throttled.content
    elsewhere = Client(REMOTE_ADDR="192.0.2.31")
    assert elsewhere.post(url, {"email": "a@example.com"}).status_code == 302


def test_person_changes_email_on_the_profile_page(world: World) -> None:
    person = world.person
    client = Client()
    client.force_login(person.user)
    response = client.post(
        reverse("accounts:me_profile"),
        {"phone": "13800001111", "email": "me@example.com", "series": ["engineering"]},
    )
    assert response.status_code == 302
    person.user.refresh_from_db()
    person.refresh_from_db()
    assert (person.user.email, person.phone) == ("me@example.com", "13800001111")
    [email] = AuditEntry.objects.filter(action="user.email")
    assert email.changes == {"email": ["", "me@example.com"]}


# --- Error pages -------------------------------------------------------------------------------


@pytest.fixture
def production_errors(settings: Any) -> None:
    settings.DEBUG = False


@pytest.mark.usefixtures("production_errors")
def test_404_page_in_chinese_and_english(world: World, en_client: Client) -> None:
    zh = Client().get("/no/such/page/")
    assert zh.status_code == 404
    assert "页面不存在" in zh.content.decode()
    assert 'data-testid="error-404"' in zh.content.decode()
    en = en_client.get("/no/such/page/")
    assert en.status_code == 404
    assert "Page not found" in en.content.decode()


@pytest.mark.usefixtures("production_errors")
def test_400_page(world: World) -> None:
    response = Client().get("/", HTTP_HOST="evil.example.com")
    assert response.status_code == 400
    assert 'data-testid="error-400"' in response.content.decode()
    assert "请求无效" in response.content.decode()


@pytest.mark.usefixtures("production_errors")
def test_403_page(world: World) -> None:
    client = Client()
    client.force_login(world.user("employer"))
    response = client.get(reverse("accounts:me"))
    assert response.status_code == 403
    assert 'data-testid="error-403"' in response.content.decode()
    assert "访问被拒绝" in response.content.decode()


@pytest.mark.urls("accounts.tests.error_urls")
@pytest.mark.usefixtures("production_errors")
def test_500_page_in_chinese_and_english(db: None) -> None:
    zh = Client(raise_request_exception=False).get("/boom/")
    assert zh.status_code == 500
    assert 'data-testid="error-500"' in zh.content.decode()
    assert "服务器出错" in zh.content.decode()
    assert "/static/css/portal.css" in zh.content.decode()
    en = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="en").get("/boom/")
    assert "Server error" in en.content.decode()


def test_500_template_needs_no_database_and_no_context(
    django_assert_num_queries: Any,
) -> None:
    with django_assert_num_queries(0):
        html = loader.get_template("500.html").render()
    assert "500" in html


# --- Content-Security-Policy -------------------------------------------------------------------


def _assert_strict_csp(response: Any) -> None:
    policy = response["Content-Security-Policy"]
    directives = dict(
        ([*part.split(" ", 1), ""])[:2] for part in (p.strip() for p in policy.split(";")) if part
    )
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["base-uri"] == "'self'"
    assert directives["form-action"] == "'self'"
    assert directives["frame-src"] == "'self'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


@pytest.mark.usefixtures("production_errors")
def test_every_kind_of_response_carries_the_csp(world: World) -> None:
    client = Client()
    _assert_strict_csp(client.get("/"))  # HTML
    _assert_strict_csp(client.get(LOGIN))
    _assert_strict_csp(client.get("/healthz"))  # JSON
    _assert_strict_csp(client.get(reverse("api_schema")))  # API
    _assert_strict_csp(client.get("/no/such/page/"))  # 404
    _assert_strict_csp(client.get("/admin/login/"))  # Django admin
    client.force_login(world.person.user)
    _assert_strict_csp(client.get(reverse("accounts:me")))
    client.force_login(world.user("employer"))
    _assert_strict_csp(client.get(reverse("accounts:me")))  # 403


def test_no_template_has_inline_script_or_style() -> None:
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "templates"
    offenders = []
    for template in root.rglob("*.html"):
        text = template.read_text()
        if re.search(r"\sstyle=|<style|<script(?![^>]*\ssrc=)|\son[a-z]+=", text):
            offenders.append(str(template.relative_to(root)))
    assert offenders == []


def test_base_page_turns_off_htmx_indicator_styles(world: World) -> None:
    html = Client().get(LOGIN).content.decode()
    assert '<meta name="htmx-config" content=\'{"includeIndicatorStyles": false}\'>' in html
