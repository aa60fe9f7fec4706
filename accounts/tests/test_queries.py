"""Every list page runs a fixed number of queries, whatever the number of rows (no N+1).

Each page is measured with 2 rows and again with 25 rows (more than a page), created through
the services; the two counts must be equal and stay under a small bound.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts import services
from accounts.models import (
    Employment,
    Level,
    Membership,
    Organisation,
    Region,
    SecurityEvent,
    User,
)
from tests.factories import (
    PASSWORD,
    World,
    admin_of,
    authority_create,
    bind,
    employer_create,
    institution_create,
    person_create,
)

pytestmark = pytest.mark.django_db

# Session, user, organisation, its permissions, the header's roles, the rows and their
# related data, the paginator's count, the session save, the unread-notice badge, pending
# invitations: under this on any page.
MAX_QUERIES = 18


@dataclass
class Page:
    """A list page: who looks at it, where, and how to give it `n` more rows."""

    viewer: User
    url: str
    add_rows: Callable[[int], None]
    rows_now: int  # rows the page's list holds before any are added


def _series_codes(i: int) -> tuple[str, ...]:
    return ("engineering", "accounting") if i % 2 else ("archives",)


def binding_queue(world: World) -> Page:
    def add(n: int) -> None:
        for i in range(n):
            bind(person_create(series=_series_codes(i)), world.employer, confirm=False)

    url = reverse("accounts:binding_queue", kwargs={"organisation_id": world.employer.pk})
    return Page(admin_of(world.employer), url, add, rows_now=0)


def fact_queue(world: World) -> Page:
    from datetime import date

    def add(n: int) -> None:
        for i in range(n):
            person = person_create(series=("archives",))
            bind(person, world.employer)
            services.profile_fact_set(
                person=person,
                kind="archives_post",
                on=date(2023, 1, 1 + i % 28),
                education="none",
            )

    url = reverse("accounts:fact_queue", kwargs={"organisation_id": world.employer.pk})
    return Page(admin_of(world.employer), url, add, rows_now=0)


def staff_list(world: World) -> Page:
    def add(n: int) -> None:
        for i in range(n):
            bind(person_create(series=_series_codes(i)), world.employer)

    url = reverse("accounts:staff_list", kwargs={"organisation_id": world.employer.pk})
    return Page(admin_of(world.employer), url, add, rows_now=1)


def members(world: World) -> Page:
    admin = admin_of(world.employer)

    def add(n: int) -> None:
        for _ in range(n):
            services.membership_add(
                actor=admin,
                organisation=world.employer,
                username=f"m{Membership.objects.count()}-{world.employer.pk}",
                role="staff",
                password=PASSWORD,
            )

    url = reverse("accounts:members", kwargs={"organisation_id": world.employer.pk})
    return Page(admin, url, add, rows_now=2)  # the admin and the staff sub-account


def _pending_employers(n: int) -> None:
    district = Region.objects.get(code="440105")
    for _ in range(n):
        employer_create(region=district, approved=False)


def employer_applications(world: World) -> Page:
    url = reverse("accounts:application_queue", kwargs={"organisation_id": world.hrss.pk})
    return Page(admin_of(world.hrss), url, _pending_employers, rows_now=1)


def authority_applications(world: World) -> Page:
    district = Region.objects.get(code="440105")

    def add(n: int) -> None:
        for _ in range(n):
            authority_create(region=district, level=Level.DISTRICT, parent=world.authority)

    url = reverse("accounts:application_queue", kwargs={"organisation_id": world.authority.pk})
    return Page(admin_of(world.authority), url, add, rows_now=1)


def audit_log(world: World) -> Page:
    institution = institution_create(region=Region.objects.get(code="440100"))
    admin = admin_of(institution)

    def add(n: int) -> None:
        for i in range(n):
            services.membership_add(
                actor=admin if i % 2 else None,
                organisation=institution,
                username=f"clerk{i}-{Membership.objects.count()}",
                role="staff",
                password=PASSWORD,
            )

    url = reverse("accounts:audit_log", kwargs={"organisation_id": institution.pk})
    return Page(admin, url, add, rows_now=2)  # its creation and its admin


def hrss_security_audit(world: World) -> Page:
    """The HRSS audit page filtered to failed log-ins (security events have no organisation)."""

    def add(n: int) -> None:
        for i in range(n):
            services.security_event_log(
                action=SecurityEvent.LOGIN_FAILED,
                user=world.person.user if i % 2 else None,
                ip="203.0.113.7",
                path="/accounts/login/",
                reason=f"username: guess{i}",
            )

    url = reverse("accounts:audit_log", kwargs={"organisation_id": world.hrss.pk})
    return Page(admin_of(world.hrss), url + "?kind=security.login_failed&user=", add, rows_now=0)


def employer_home(world: World) -> Page:
    url = reverse("accounts:org_home", kwargs={"organisation_id": world.employer.pk})
    page = binding_queue(world)
    return Page(admin_of(world.employer), url, page.add_rows, rows_now=0)


def hrss_home(world: World) -> Page:
    url = reverse("accounts:org_home", kwargs={"organisation_id": world.hrss.pk})
    return Page(admin_of(world.hrss), url, _pending_employers, rows_now=1)


def person_home(world: World) -> Page:
    person = person_create(series=("engineering", "accounting", "archives"))

    def add(n: int) -> None:
        for _ in range(n):
            employment = services.employment_request(person=person, employer=world.employer)
            services.employment_end(actor=person.user, employment=employment, reason="moved")

    return Page(person.user, reverse("accounts:me"), add, rows_now=0)


PAGES = [
    binding_queue,
    fact_queue,
    staff_list,
    members,
    employer_applications,
    authority_applications,
    audit_log,
    hrss_security_audit,
    employer_home,
    hrss_home,
    person_home,
]


def _queries(client: Client, url: str) -> tuple[int, list[str]]:
    client.get(url)  # warm the per-process caches (content types) so only the page is counted
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx), [q["sql"] for q in ctx.captured_queries]


@pytest.mark.parametrize("make_page", PAGES, ids=lambda f: f.__name__)
def test_list_page_runs_the_same_queries_for_2_and_25_rows(
    world: World, make_page: Callable[[World], Page]
) -> None:
    page = make_page(world)
    client = Client()
    client.force_login(page.viewer)

    page.add_rows(2 - page.rows_now)
    with_2, sql_2 = _queries(client, page.url)
    page.add_rows(23)
    with_25, sql_25 = _queries(client, page.url)

    assert with_2 == with_25, "\n".join(sorted(set(sql_25) - set(sql_2)) or sql_25)
    assert with_25 <= MAX_QUERIES, "\n".join(sql_25)


def test_the_pages_really_hold_25_rows(world: World) -> None:
    """Guards the test above: the rows it adds are the ones the pages list."""
    for make_page in (binding_queue, staff_list, employer_applications):
        page = make_page(world)
        page.add_rows(25 - page.rows_now)
        client = Client()
        client.force_login(page.viewer)
        shown = client.get(page.url).context["page"]
        assert (shown.paginator.count, len(shown)) == (25, 20), make_page.__name__
    assert (
        Employment.objects.filter(employer_id=world.employer.pk, status="requested").count() == 25
    )
    assert Organisation.objects.filter(status="pending", kind="employer").count() == 25
