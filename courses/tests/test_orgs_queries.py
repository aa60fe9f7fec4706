"""The institution, qualification, instructor and integrity list pages run a fixed number of
queries, whatever the number of rows (accounts/tests/test_queries.py is the pattern)."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Organisation, ProfessionalSeries, Region, User
from courses.models import (
    Instructor,
    Qualification,
    QualificationAttachment,
    ReviewStatus,
    Violation,
)
from tests.factories import PDF_BYTES, World, admin_of, employer_create, institution_create

pytestmark = pytest.mark.django_db

MAX_QUERIES = 18
_serial = itertools.count(1)


@dataclass
class Page:
    viewer: User | None  # None: anonymous
    url: str
    add_rows: Callable[[int], None]
    rows_now: int
    max_rows: int = 25


def _institutions(n: int) -> list[Organisation]:
    city = Region.objects.get(code="440100")
    return [institution_create(region=city, admin=f"inst-q{next(_serial)}") for _ in range(n)]


def _qualify(
    institution: Organisation, series: ProfessionalSeries, authority: Organisation, status: str
) -> None:
    qualification = Qualification.objects.create(
        institution=institution, series=series, authority=authority, status=status
    )
    attachment = QualificationAttachment(qualification=qualification, name="a.pdf")
    attachment.file.save("a.pdf", ContentFile(PDF_BYTES), save=False)
    attachment.save()


def _violation(party: Organisation | None, recorder: Organisation, person: object = None) -> None:
    Violation.objects.create(
        party_organisation=party,
        party_person=person,  # type: ignore[misc]
        recorded_by=recorder,
        reason="违规办班",
        occurred_on=dt.date(2026, 1, 1),
        clears_on=dt.date(2099, 1, 1),
    )


def public_institutions(world: World) -> Page:
    series = list(ProfessionalSeries.objects.all()[:2])

    def add(n: int) -> None:
        for institution in _institutions(n):
            for s in series:
                _qualify(institution, s, world.authority, ReviewStatus.APPROVED)

    return Page(None, reverse("courses:public_institutions"), add, rows_now=2)


def public_violations(world: World) -> Page:
    def add(n: int) -> None:
        for institution in _institutions(n):
            _violation(institution, world.hrss)

    return Page(None, reverse("courses:public_violations"), add, rows_now=0)


def qualification_queue(world: World) -> Page:
    def add(n: int) -> None:
        for institution in _institutions(n):
            _qualify(
                institution,
                ProfessionalSeries.objects.get(code="engineering"),
                world.authority,
                ReviewStatus.PENDING,
            )

    url = reverse("courses:qualification_queue", kwargs={"organisation_id": world.authority.pk})
    return Page(admin_of(world.authority), url, add, rows_now=0)


def my_qualifications(world: World) -> Page:
    series = iter(ProfessionalSeries.objects.order_by("pk"))

    def add(n: int) -> None:
        for _ in range(n):
            _qualify(world.institution, next(series), world.authority, ReviewStatus.RETURNED)

    url = reverse("courses:qualifications", kwargs={"organisation_id": world.institution.pk})
    return Page(
        admin_of(world.institution),
        url,
        add,
        rows_now=0,
        max_rows=ProfessionalSeries.objects.count(),
    )


def instructors(world: World) -> Page:
    def add(n: int) -> None:
        for i in range(n):
            Instructor.objects.create(owner=world.employer, name=f"老师{i}", enabled=bool(i % 2))

    url = reverse("courses:instructors", kwargs={"organisation_id": world.employer.pk})
    return Page(admin_of(world.employer), url, add, rows_now=0)


def recorded_violations(world: World) -> Page:
    district = Region.objects.get(code="440105")

    def add(n: int) -> None:
        for i in range(n):
            if i % 3 == 0:
                _violation(None, world.hrss, person=world.person)
            elif i % 3 == 1:
                _violation(employer_create(region=district, approved=False), world.hrss)
            else:
                _violation(world.institution, world.hrss)

    url = reverse("courses:violations", kwargs={"organisation_id": world.hrss.pk})
    return Page(admin_of(world.hrss), url, add, rows_now=0)


def org_integrity(world: World) -> Page:
    def add(n: int) -> None:
        for i in range(n):
            _violation(world.employer, world.hrss if i % 2 else world.authority)

    url = reverse("courses:org_integrity", kwargs={"organisation_id": world.employer.pk})
    return Page(admin_of(world.employer), url, add, rows_now=0)


def my_integrity(world: World) -> Page:
    def add(n: int) -> None:
        for i in range(n):
            _violation(None, world.hrss if i % 2 else world.authority, person=world.person)

    return Page(world.person.user, reverse("courses:my_integrity"), add, rows_now=0)


PAGES = [
    public_institutions,
    public_violations,
    qualification_queue,
    my_qualifications,
    instructors,
    recorded_violations,
    org_integrity,
    my_integrity,
]


def _queries(client: Client, url: str) -> tuple[int, list[str]]:
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx), [q["sql"] for q in ctx.captured_queries]


@pytest.mark.parametrize("make_page", PAGES, ids=lambda f: f.__name__)
def test_list_page_runs_the_same_queries_for_2_rows_and_many(
    world: World, make_page: Callable[[World], Page]
) -> None:
    page = make_page(world)
    client = Client()
    if page.viewer is not None:
        client.force_login(page.viewer)
    page.add_rows(2 - page.rows_now)
    with_2, sql_2 = _queries(client, page.url)
    page.add_rows(page.max_rows - 2)
    with_many, sql_many = _queries(client, page.url)
    assert with_2 == with_many, "\n".join(sorted(set(sql_many) - set(sql_2)) or sql_many)
    assert with_many <= MAX_QUERIES, "\n".join(sql_many)
