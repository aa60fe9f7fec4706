"""Who certifies what (certification routes, decision 0008): the pure choice of a route, the
declaration service refusing records another platform certifies, the selector other apps use,
and what the declaration form and the progress page tell the person."""

from __future__ import annotations

import ast
import datetime as dt
import importlib
import inspect
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.admin.models import LogEntry
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from accounts.models import Person, ProfessionalSeries
from credits import api
from credits.models import CertificationRoute, Record, SeriesDeadline
from credits.rules import (
    CERTIFIER_AUTOMATIC,
    CERTIFIER_EMPLOYER,
    CERTIFIER_PLATFORM,
    defaults,
    route_for,
)
from credits.services import record_create, record_submit
from credits.services.records import RecordDraft, _declared
from credits.tests.test_records import service_arguments
from tests.factories import World, bind, person_create

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2024, 4, 1, 10, tzinfo=SHANGHAI)
WORLD_TIME = NOW
TODAY = NOW.date()
ROUTES = defaults.rulebook().routes
ACCOUNTING_URL = "https://kj.czt.gd.gov.cn/"
EDUCATION_URL = "https://jsglpt.gdedu.gov.cn/"


@pytest.fixture(autouse=True)
def _frozen_english_and_fast(settings: Any, tmp_path: Path) -> Iterator[None]:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.LANGUAGE_CODE = "en"
    with time_machine.travel(NOW, tick=False), translation.override("en"):
        yield


def person_of(world: World, *series: str) -> Person:
    person = person_create(series=series)
    bind(person, world.employer)
    return person


def declare(person: Person, **overrides: Any) -> Record:
    data: dict[str, Any] = {
        "person": person,
        "year": 2023,
        "category": "professional",
        "series_code": person.series.order_by("code").first().code,  # type: ignore[union-attr]
        "amount": Decimal(8),
        "title": "Course",
        "form": "class",
        "start_date": dt.date(2023, 5, 10),
        "end_date": dt.date(2023, 5, 10),
        "today": TODAY,
    }
    data.update(overrides)
    return record_create(**service_arguments(data))


def refused(person: Person, **overrides: Any) -> dict[str, list[str]]:
    before = Record.objects.count()
    with pytest.raises(ValidationError) as exc_info:
        declare(person, **overrides)
    assert Record.objects.count() == before
    return exc_info.value.message_dict


# --- the pure choice --------------------------------------------------------------------------


def route(series: str | None, category: str, source: str, year: int = 2023) -> Any:
    return route_for(ROUTES, series=series, category=category, source=source, year=year)


@pytest.mark.parametrize(
    ("series", "category", "source", "year", "certifier", "platform"),
    [
        # 001 §4, 004 policy #7: public hours from the online platform, automatically.
        ("engineering", "public", "public_course", 2023, CERTIFIER_AUTOMATIC, "广东省专业技术人员"),
        (None, "public", "public_course", 2023, CERTIFIER_AUTOMATIC, "广东省专业技术人员"),
        # The person's own public and professional declarations: the employer.
        ("engineering", "public", "self_declared", 2023, CERTIFIER_EMPLOYER, ""),
        ("engineering", "professional", "self_declared", 2023, CERTIFIER_EMPLOYER, ""),
        ("engineering", "elective", "employer", 2023, CERTIFIER_EMPLOYER, ""),
        # 004 employer #3/#7: a class of an approved plan still goes to the employer.
        ("engineering", "professional", "institution_class", 2023, CERTIFIER_EMPLOYER, ""),
        # Education and health: their platforms, whatever the source (series beats source).
        ("education", "public", "public_course", 2023, CERTIFIER_PLATFORM, "教师继续教育"),
        ("education", "professional", "institution_class", 2023, CERTIFIER_PLATFORM, "教师"),
        ("higher_education", "elective", "self_declared", 2023, CERTIFIER_PLATFORM, "教师"),
        ("health", "elective", "self_declared", 2023, CERTIFIER_PLATFORM, "华医网"),
        # Accounting: its platform from 2020 (004, 粤财会函2020), the employer before.
        ("accounting", "professional", "self_declared", 2019, CERTIFIER_EMPLOYER, ""),
        ("accounting", "professional", "self_declared", 2020, CERTIFIER_PLATFORM, "会计信息"),
        ("accounting", "public", "public_course", 2024, CERTIFIER_PLATFORM, "会计信息"),
    ],
)
def test_seeded_routes(
    series: str | None, category: str, source: str, year: int, certifier: str, platform: str
) -> None:
    found = route(series, category, source, year)

    assert found.certifier == certifier
    assert platform in found.platform_name
    assert found.elsewhere == (certifier == CERTIFIER_PLATFORM)


def test_most_specific_route_wins_and_year_ranges_bound_it() -> None:
    rows = (
        defaults.ROUTES[0],
        # A later HRSS row: engineering professional in 2030 only goes to a platform.
        type(defaults.ROUTES[0])(
            certifier=CERTIFIER_PLATFORM,
            series="engineering",
            category="professional",
            year_from=2030,
            year_to=2030,
            platform_name="P",
        ),
    )

    def pick(year: int, category: str = "professional") -> str:
        return route_for(
            rows, series="engineering", category=category, source="self_declared", year=year
        ).certifier

    assert [pick(2029), pick(2030), pick(2031), pick(2030, "elective")] == [
        CERTIFIER_EMPLOYER,
        CERTIFIER_PLATFORM,
        CERTIFIER_EMPLOYER,
        CERTIFIER_EMPLOYER,
    ]


# --- the declaration service -------------------------------------------------------------------


def test_education_record_is_refused_with_the_platform_and_its_address(world: World) -> None:
    teacher = person_of(world, "education")

    errors = refused(teacher, series_code="education")

    assert EDUCATION_URL in errors["series"][0]
    assert "广东省教师继续教育信息管理平台" in errors["series"][0]


@pytest.mark.parametrize("kind", ["degree_study", "inhouse_training"])
def test_education_and_health_degree_study_and_inhouse_training_are_certified_elsewhere(
    world: World, kind: str
) -> None:
    """004 policy #11 "（教育、卫生除外）": those sectors certify it, it does not count zero."""
    nurse = person_of(world, "health")

    errors = refused(nurse, category="elective", series_code="health", kind=kind)

    assert "华医网" in errors["series"][0]


def test_accounting_from_2020_is_refused_but_2019_goes_to_the_employer(world: World) -> None:
    accountant = person_of(world, "accounting")

    errors = refused(
        accountant,
        year=2020,
        start_date=dt.date(2020, 5, 1),
        end_date=dt.date(2020, 5, 1),
        today=dt.date(2020, 9, 1),
    )
    record = declare(
        accountant,
        year=2019,
        start_date=dt.date(2019, 5, 1),
        end_date=dt.date(2019, 5, 1),
        today=dt.date(2020, 9, 1),
    )

    assert ACCOUNTING_URL in errors["series"][0]
    assert record.status == Record.Status.DRAFT


def test_a_record_without_series_follows_the_persons_series(world: World) -> None:
    teacher = person_of(world, "education")
    teacher_engineer = person_of(world, "education", "engineering")

    errors = refused(teacher, category="elective", series_code="")
    record = declare(teacher_engineer, category="elective", series_code="")

    assert EDUCATION_URL in errors["category"][0]
    assert record.category == Record.Category.ELECTIVE


def test_engineering_records_still_go_to_the_employer(world: World) -> None:
    record = declare(world.person)
    submitted = record_submit(person=world.person, record=record, today=TODAY)

    assert (submitted.status, submitted.employer) == (Record.Status.SUBMITTED, world.employer)


def test_submit_is_refused_when_hrss_routed_the_records_elsewhere_after_the_draft(
    world: World,
) -> None:
    """An HRSS edit of the route table reaches the next submission (the cached rule book is
    bumped) and nothing is sent to the employer."""
    record = declare(world.person)
    CertificationRoute.objects.create(
        series=ProfessionalSeries.objects.get(code="engineering"),
        certifier=CertificationRoute.Certifier.PLATFORM,
        platform_name="Engineering platform",
        platform_url="https://engineering.example.org/",
    )

    with pytest.raises(ValidationError) as exc_info:
        record_submit(person=world.person, record=record, today=TODAY)

    assert "https://engineering.example.org/" in exc_info.value.message_dict["series"][0]
    record.refresh_from_db()
    assert (record.status, record.employer) == (Record.Status.DRAFT, None)


def declared_by(person: Person, source: str) -> Any:
    return _declared(
        person=person,
        draft=RecordDraft(
            year=2023,
            category="professional",
            series_code="education",
            amount=Decimal(8),
            unit="hours",
            title="Pushed",
            form="class",
            start_date=dt.date(2023, 5, 10),
            end_date=dt.date(2023, 5, 10),
        ),
        today=TODAY,
        source=source,
    )


def test_the_route_applies_to_every_source_and_lets_the_certifying_platform_push(
    world: World,
) -> None:
    teacher = person_of(world, "education")

    pushed = declared_by(teacher, Record.Source.SYNC_PARTNER)
    for source in (Record.Source.EMPLOYER, Record.Source.INSTITUTION_CLASS):
        with pytest.raises(ValidationError):
            declared_by(teacher, source)

    assert pushed.hours == Decimal(8)


def test_windows_apply_to_pushed_records_too(world: World) -> None:
    """A push for 2019 accounting after its 补登 deadline is refused (the date compared is
    the ``today`` the caller passes)."""
    accountant = person_of(world, "accounting")

    def push(today: dt.date) -> Any:
        return _declared(
            person=accountant,
            draft=RecordDraft(
                year=2019,
                category="professional",
                series_code="accounting",
                amount=Decimal(8),
                unit="hours",
                title="Pushed",
                form="class",
                start_date=dt.date(2019, 5, 10),
                end_date=dt.date(2019, 5, 10),
            ),
            today=today,
            source=Record.Source.SYNC_PARTNER,
        )

    assert push(dt.date(2020, 9, 30)).year == 2019
    with pytest.raises(ValidationError) as exc_info:
        push(dt.date(2020, 10, 1))
    assert "2020-09-30" in exc_info.value.message_dict["year"][0]


# --- the selector other apps use -------------------------------------------------------------


def test_api_certification_route_reads_the_table(world: World) -> None:
    before = api.certification_route("engineering", "professional", "self_declared", 2024)
    CertificationRoute.objects.create(
        series=ProfessionalSeries.objects.get(code="engineering"),
        category="professional",
        year_from=2024,
        certifier=CertificationRoute.Certifier.PLATFORM,
        platform_name="Engineering platform",
    )

    after = api.certification_route("engineering", "professional", "self_declared", 2024)

    assert (before.certifier, after.certifier) == (CERTIFIER_EMPLOYER, CERTIFIER_PLATFORM)
    assert api.certification_route("accounting", "public", "public_course", 2024).elsewhere


def test_api_year_windows_reads_the_tables(world: World) -> None:
    SeriesDeadline.objects.create(
        year=2023,
        series=ProfessionalSeries.objects.get(code="archives"),
        declaration_deadline=dt.date(2024, 6, 30),
    )

    windows = api.year_windows(2023)

    assert (windows.public, windows.declaration) == (dt.date(2024, 4, 30), dt.date(2024, 12, 31))
    assert windows.deadline(category="professional", series="archives") == dt.date(2024, 6, 30)
    assert windows.deadline(category="public", series="archives") == dt.date(2024, 4, 30)


# --- the seed migration ----------------------------------------------------------------------


def test_the_routes_migration_keeps_its_rows_frozen() -> None:
    migration = importlib.import_module("credits.migrations.0010_routes_deadlines")
    tree = ast.parse(inspect.getsource(migration))
    imported = {
        node.module if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }

    assert imported == {"datetime", "django.db", "django.db.models.deletion"}
    assert len(migration.ROUTES) == len(defaults.ROUTES)


def test_the_seeded_tables_hold_the_seed_routes_and_deadlines() -> None:
    assert CertificationRoute.objects.count() == len(defaults.ROUTES)
    assert set(
        SeriesDeadline.objects.values_list("year", "series__code", "declaration_deadline")
    ) == {(2018, "accounting", dt.date(2020, 9, 30)), (2019, "accounting", dt.date(2020, 9, 30))}


# --- the pages -------------------------------------------------------------------------------


def client_for(person: Person) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(person.user)
    return client


def test_declaration_form_says_where_records_are_certified_and_the_open_windows(
    world: World,
) -> None:
    accountant = person_of(world, "accounting", "engineering")

    page = client_for(accountant).get(reverse("credits:record_new")).content.decode()

    assert 'data-testid="routes-elsewhere"' in page
    assert "广东省会计信息服务平台" in page and ACCOUNTING_URL in page
    assert 'data-testid="year-windows"' in page
    # On 2024-04-01: 2023 public study until 2024-04-30, other 2023 records until 2024-12-31.
    assert "public subjects until 2024-04-30" in page
    assert "other records until 2024-12-31" in page
    assert "other records until 2025-12-31" in page  # 2024, a year without a row


def test_declaration_form_for_an_engineer_names_no_other_platform(world: World) -> None:
    page = client_for(world.person).get(reverse("credits:record_new")).content.decode()

    assert 'data-testid="routes-elsewhere"' not in page
    assert 'data-testid="year-windows"' in page


def test_declaring_a_record_certified_elsewhere_shows_the_platform_on_the_form(
    world: World,
) -> None:
    teacher = person_of(world, "education")
    data = {
        "year": 2023,
        "category": "professional",
        "series": "education",
        "amount": "8",
        "unit": "hours",
        "title": "Lesson study",
        "form": "class",
        "start_date": "2023-05-10",
        "end_date": "2023-05-10",
        "assessment_result": "pass",
        "institution_name": "",
        "kind": "",
    }

    response = client_for(teacher).post(reverse("credits:record_new"), data)

    assert response.status_code == 200
    assert EDUCATION_URL in " ".join(response.context["form"].errors["series"])
    assert not Record.objects.filter(person=teacher).exists()


def test_progress_page_shows_the_years_windows(world: World) -> None:
    page = client_for(world.person).get(reverse("credits:progress", args=[2023])).content
    text = page.decode()

    assert 'data-testid="progress-windows"' in text
    assert "public subjects until 2024-04-30, other records until 2024-12-31" in text


def test_hrss_edits_routes_in_the_admin_site_with_a_change_log(admin_client: Client) -> None:
    url = reverse("admin:credits_certificationroute_add")
    response = admin_client.post(
        url,
        {
            "series": ProfessionalSeries.objects.get(code="lawyer").pk,
            "category": "",
            "source": "",
            "year_from": "2025",
            "year_to": "",
            "certifier": "platform",
            "platform_name": "Lawyers' platform",
            "platform_url": "https://lawyers.example.org/",
        },
    )

    assert response.status_code == 302
    row = CertificationRoute.objects.get(platform_name="Lawyers' platform")
    assert LogEntry.objects.filter(object_id=str(row.pk)).exists()
    assert api.certification_route("lawyer", "professional", "self_declared", 2025).elsewhere
