"""Accounting activities: declared by persons, counted with the 2023 Guangzhou table's
conditions (docs/decisions/0011-accounting-activities.md).

The evaluator's conditions are pinned at their boundaries without a database; the services,
the form and the stored summaries (set-based on PostgreSQL) are tested through the ORM.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from accounts.models import Decision, Person, ProfessionalSeries, Region
from credits.models import (
    ActivityCondition,
    CertificationRoute,
    GeneralKnowledgeRule,
    Record,
    YearSummary,
)
from credits.rules import (
    EvaluationInput,
    EvaluationResult,
    Profile,
    RecordInput,
    defaults,
    evaluate,
)
from credits.rules.types import ActivityCondition as RuleCondition
from credits.selectors.records import rulebook_load
from credits.services import RecordDraft, record_create, record_submit, records_review
from credits.services.validation import summaries_refresh, year_explanation
from tests.factories import World, admin_of, bind, person_create

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2024, 4, 1, 10, tzinfo=SHANGHAI)
WORLD_TIME = NOW  # the module's world is built at the time its tests run (conftest)
TODAY = NOW.date()
RULES = defaults.rulebook()
HAIZHU = ("440105", "440100", "440000")  # Guangzhou: the 2023 table applies
FUTIAN = ("440305", "440300", "440000")  # Shenzhen: it does not

PUBLIC_30 = RecordInput(category="public", hours=Decimal(30))


def accounting(
    *records: RecordInput, regions: tuple[str, ...] = HAIZHU, **profile: Any
) -> EvaluationResult:
    return evaluate(
        EvaluationInput(
            year=2023,
            series=("accounting",),
            profile=Profile(regions=regions, **profile),
            records=(PUBLIC_30, *records),
        ),
        RULES,
        today=TODAY,
    )


def activity(code: str, quantity: str = "1", **fields: Any) -> RecordInput:
    return RecordInput(category="professional", activity=code, quantity=Decimal(quantity), **fields)


def studied(hours: str, *, general: bool) -> RecordInput:
    return RecordInput(
        category="professional",
        series="accounting",
        hours=Decimal(hours),
        general_knowledge=general,
    )


# --- the evaluator, at each condition's boundary -------------------------------------------------


def test_a_conference_day_counts_ten_credits() -> None:
    result = accounting(activity("conference_day"))

    assert result.earned.professional["accounting"] == 10


@pytest.mark.parametrize(("days", "earned"), [("2.9", 0), ("3", 60)])
def test_face_to_face_training_counts_from_three_days(days: str, earned: int) -> None:
    result = accounting(activity("inhouse_training_day", days, general_knowledge=True))

    assert result.earned.professional["accounting"] == earned
    assert result.compliant is (earned == 60)


def test_face_to_face_days_add_up_over_the_year() -> None:
    result = accounting(
        activity("inhouse_training_day", "1.5", general_knowledge=True),
        activity("inhouse_training_day", "1.5"),
    )

    assert result.earned.professional["accounting"] == 60
    assert result.compliant


@pytest.mark.parametrize(("hours", "earned"), [("23.9", 0), ("24", 60)])
def test_online_platform_counts_from_24_hours(hours: str, earned: int) -> None:
    result = accounting(activity("online_hour", hours, general_knowledge=True))

    assert result.earned.professional["accounting"] == earned
    assert result.compliant is (earned == 60)


@pytest.mark.parametrize(
    ("published", "earned"),
    [
        (dt.date(2023, 4, 30), 0),
        (dt.date(2023, 5, 1), 90),
        (dt.date(2024, 4, 30), 90),
        (dt.date(2024, 5, 1), 0),
        (None, 0),
    ],
)
def test_related_exam_counts_with_results_published_in_the_window(
    published: dt.date | None, earned: int
) -> None:
    result = accounting(activity("related_exam_pass", result_date=published))

    assert result.earned.professional["accounting"] == earned
    if not earned:
        assert any("counts only with results published" in note for note in result.records[1].notes)


@pytest.mark.parametrize("regions", [FUTIAN, ()])
def test_the_guangzhou_conditions_do_not_apply_elsewhere(regions: tuple[str, ...]) -> None:
    result = accounting(
        activity("inhouse_training_day", "2.9"),
        activity("related_exam_pass", result_date=dt.date(2023, 3, 1)),
        regions=regions,
    )

    assert result.earned.professional["accounting"] == Decimal(58) + 90
    assert result.compliant  # and no general-knowledge minimum there


def test_a_district_row_beats_the_city_row() -> None:
    district = RuleCondition("inhouse_training_day", 2023, "440105", min_quantity=Decimal(2))
    rules = dataclasses.replace(RULES, activity_conditions=(*RULES.activity_conditions, district))
    data = EvaluationInput(
        year=2023,
        series=("accounting",),
        profile=Profile(regions=HAIZHU),
        records=(activity("inhouse_training_day", "2.5"),),
    )

    assert evaluate(data, rules, today=TODAY).earned.professional["accounting"] == 50
    assert evaluate(data, RULES, today=TODAY).earned.professional["accounting"] == 0


@pytest.mark.parametrize(("general", "compliant", "short"), [("19", False, 1), ("20", True, 0)])
def test_general_knowledge_is_at_least_20_of_the_professional_credits(
    general: str, compliant: bool, short: int
) -> None:
    rest = str(60 - Decimal(general))
    result = accounting(studied(rest, general=False), studied(general, general=True))

    assert result.earned.professional["accounting"] == 60
    assert result.compliant is compliant
    assert result.shortfall.professional["accounting"] == short


@pytest.mark.parametrize("general", [True, False])
def test_general_knowledge_marks_on_activities_count(general: bool) -> None:
    result = accounting(activity("online_hour", "24", general_knowledge=general))

    assert result.earned.professional["accounting"] == 60
    assert result.compliant is general


def test_general_knowledge_minimum_is_guangzhous() -> None:
    result = accounting(studied("60", general=False), regions=FUTIAN)

    assert result.compliant


@pytest.mark.parametrize(
    "code", ["accounting_exam_pass", "in_school_exemption", "degree_graduation"]
)
def test_whole_year_activities_satisfy_the_year_and_its_general_knowledge(code: str) -> None:
    result = evaluate(
        EvaluationInput(
            year=2023,
            series=("accounting",),
            profile=Profile(regions=HAIZHU),
            records=(activity(code, year=2023),),
        ),
        RULES,
        today=TODAY,
    )

    assert result.compliant
    assert result.earned.public == 30


def test_graduation_counts_only_for_its_year() -> None:
    result = evaluate(
        EvaluationInput(
            year=2023,
            series=("accounting",),
            profile=Profile(regions=HAIZHU),
            records=(activity("degree_graduation", year=2022),),
        ),
        RULES,
        today=TODAY,
    )

    assert not result.compliant


def test_no_general_knowledge_minimum_before_accounting_ce_starts() -> None:
    result = evaluate(
        EvaluationInput(
            year=2023,
            series=("accounting",),
            profile=Profile(regions=HAIZHU, accounting_start_year=2023),
        ),
        RULES,
        today=TODAY,
    )

    assert result.compliant


# --- with the database: services, form, stored summaries -------------------------------------


@pytest.fixture
def _frozen(settings: Any, tmp_path: Path) -> Iterator[None]:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.LANGUAGE_CODE = "en"
    with time_machine.travel(NOW, tick=False), translation.override("en"):
        yield


@pytest.fixture
def accountant(world: World, _frozen: None) -> Person:
    """Holds accounting; works for the world's employer in Haizhu, Guangzhou.

    The seeded routes send accounting records from 2020 to the accounting platform, which
    pushes them in (decision 0008); these tests exercise the declaration path, so accounting
    records declared by the person go to the employer's review here, as HRSS may set."""
    CertificationRoute.objects.create(
        series=ProfessionalSeries.objects.get(code="accounting"),
        source=Record.Source.SELF_DECLARED,
        certifier=CertificationRoute.Certifier.EMPLOYER,
    )
    person = person_create(series=("accounting",))
    bind(person, world.employer)
    return person


def draft(**fields: Any) -> RecordDraft:
    data: dict[str, Any] = {
        "year": 2023,
        "category": "professional",
        "series_code": "accounting",
        "amount": Decimal(1),
        "title": "2023 年会计准则研讨会",
        "form": "conference",
        "start_date": dt.date(2023, 6, 1),
        "end_date": dt.date(2023, 6, 1),
    }
    data.update(fields)
    return RecordDraft(**data)


def approve(world: World, person: Person, *records: Record, today: dt.date = TODAY) -> YearSummary:
    for record in records:
        record_submit(person=person, record=record, today=today)
    records_review(
        reviewer=admin_of(world.employer),
        employer=world.employer,
        record_ids=[r.pk for r in records],
        decision=Decision.APPROVE,
    )
    summaries_refresh(year=2023, person_ids=[person.pk], today=today)
    return YearSummary.objects.get(person=person, year=2023)


@pytest.mark.django_db
def test_a_conference_day_declared_as_an_activity_counts_ten_credits(
    world: World, accountant: Person
) -> None:
    record = record_create(
        person=accountant,
        draft=draft(activity_code="conference_day", category="public"),
        today=TODAY,
    )
    as_a_day = record_create(
        person=accountant,
        draft=draft(
            title="会计信息化研讨",
            unit="days",
            start_date=dt.date(2023, 7, 1),
            end_date=dt.date(2023, 7, 1),
        ),
        today=TODAY,
    )

    assert (record.hours, record.original_amount, record.original_unit) == (10, 1, "activity")
    assert (record.category, record.series.code if record.series else None) == (
        "professional",
        "accounting",
    )
    assert (record.activity_code, as_a_day.hours) == ("conference_day", 8)
    summary = approve(world, accountant, record, as_a_day)
    assert summary.professional_earned == 18


@pytest.mark.django_db
def test_an_approved_exam_pass_counts_with_its_result_date_and_general_knowledge(
    world: World, accountant: Person
) -> None:
    today = dt.date(2024, 4, 30)
    exam = record_create(
        person=accountant,
        draft=draft(
            activity_code="related_exam_pass",
            title="税务师考试《税法一》",
            form="other",
            start_date=dt.date(2023, 11, 5),
            end_date=today,  # results published on the window's last day
        ),
        today=today,
    )
    online = record_create(
        person=accountant,
        draft=draft(
            activity_code="online_hour",
            amount=Decimal(24),
            general_knowledge=True,
            title="会计职业道德网络课程",
            form="online",
            start_date=dt.date(2023, 8, 1),
            end_date=dt.date(2023, 8, 3),
        ),
        today=today,
    )

    summary = approve(world, accountant, exam, online, today=today)

    assert summary.professional_earned == 90 + 60
    explanation = year_explanation(person=accountant, year=2023, today=today)
    assert explanation.shortfall.professional["accounting"] == 0  # 60 general knowledge


@pytest.mark.django_db
def test_an_activity_of_a_series_not_held_is_refused(world: World, _frozen: None) -> None:
    with pytest.raises(ValidationError) as refused:
        record_create(person=world.person, draft=draft(activity_code="conference_day"), today=TODAY)

    assert "activity" in refused.value.message_dict
    assert not Record.objects.filter(activity_code="conference_day").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("published", "accepted"),
    [
        (dt.date(2023, 4, 30), False),
        (dt.date(2023, 5, 1), True),
        (dt.date(2024, 4, 30), True),
        (dt.date(2024, 5, 1), False),
    ],
)
def test_an_exam_result_is_declared_inside_the_window(
    accountant: Person, published: dt.date, accepted: bool
) -> None:
    fields = {
        "activity_code": "related_exam_pass",
        "title": "税务师考试《税法一》",
        "form": "other",
        "start_date": min(published, dt.date(2023, 12, 31)),
        "end_date": published,
    }
    today = dt.date(2024, 4, 30)
    if accepted:
        record = record_create(person=accountant, draft=draft(**fields), today=today)
        assert (record.hours, record.end_date) == (90, published)
        return
    with pytest.raises(ValidationError) as refused:
        record_create(person=accountant, draft=draft(**fields), today=today)
    assert any(
        "results published from 2023-05-01 to 2024-04-30" in m
        for m in refused.value.message_dict["end_date"]
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "field"),
    [
        (
            {"category": "public", "series_code": None, "general_knowledge": True},
            "general_knowledge",
        ),
        ({"activity_code": "paper_first_author", "amount": Decimal("1.5")}, "amount"),
        ({"activity_code": "conference_day", "amount": Decimal(2)}, "amount"),
        ({"activity_code": "conference_day", "kind": "degree_study"}, "kind"),
        ({"activity_code": "no_such_activity"}, "activity"),
    ],
)
def test_declaration_rules_of_activities(
    accountant: Person, fields: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        record_create(person=accountant, draft=draft(**fields), today=TODAY)

    assert field in refused.value.message_dict


@pytest.mark.django_db
@pytest.mark.parametrize(("general", "compliant"), [(19, False), (20, True)])
def test_the_stored_summary_follows_the_general_knowledge_minimum(
    world: World, accountant: Person, general: int, compliant: bool
) -> None:
    records = [
        record_create(
            person=accountant,
            draft=draft(
                category="public",
                series_code=None,
                amount=Decimal(30),
                title="公需课",
                form="online",
                end_date=dt.date(2023, 6, 3),
            ),
            today=TODAY,
        ),
        record_create(
            person=accountant,
            draft=draft(
                amount=Decimal(60 - general),
                title="企业会计准则",
                form="class",
                end_date=dt.date(2023, 6, 8),
            ),
            today=TODAY,
        ),
        record_create(
            person=accountant,
            draft=draft(
                amount=Decimal(general),
                title="会计职业道德",
                form="class",
                general_knowledge=True,
                start_date=dt.date(2023, 7, 1),
                end_date=dt.date(2023, 7, 5),
            ),
            today=TODAY,
        ),
    ]

    summary = approve(world, accountant, *records)

    assert (summary.public_earned, summary.professional_earned) == (30, 60)
    assert summary.compliant is compliant
    explanation = year_explanation(person=accountant, year=2023, today=TODAY)
    assert explanation.compliant is compliant
    assert any("general knowledge" in m for m in explanation.messages)


@pytest.mark.django_db
def test_rule_table_edits_reach_the_next_load(_frozen: None) -> None:
    before = rulebook_load()
    condition = ActivityCondition.objects.get(activity__code="online_hour", year=2023)
    condition.min_quantity = Decimal(30)
    condition.save()

    assert rulebook_load().activity_condition("online_hour", 2023, HAIZHU).min_quantity == 30  # type: ignore[union-attr]
    assert before.activity_condition("online_hour", 2023, HAIZHU).min_quantity == 24  # type: ignore[union-attr]
    GeneralKnowledgeRule.objects.filter(year=2023).delete()
    assert rulebook_load().general_knowledge_for("accounting", 2023, HAIZHU) is None


@pytest.mark.django_db
def test_a_renamed_region_reaches_the_next_load(
    _frozen: None, django_assert_num_queries: Any
) -> None:
    rulebook_load()
    with django_assert_num_queries(0):
        rulebook_load()  # cached: only a bump makes the next load read the tables
    guangzhou = Region.objects.get(code="440100")
    guangzhou.code = "440199"
    guangzhou.save()

    assert rulebook_load().activity_condition("online_hour", 2023, ("440199",)) is not None


# --- the form --------------------------------------------------------------------------------


def _client(person: Person) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(person.user)
    return client


@pytest.mark.django_db
def test_the_form_offers_activities_to_accountants_only(world: World, accountant: Person) -> None:
    mine = _client(accountant).get(reverse("credits:record_new")).content.decode()
    theirs = _client(world.person).get(reverse("credits:record_new")).content.decode()

    assert 'name="activity"' in mine and 'value="conference_day"' in mine
    assert 'name="general_knowledge"' in mine
    assert 'name="activity"' not in theirs and 'name="general_knowledge"' not in theirs


@pytest.mark.django_db
def test_a_person_declares_a_conference_day_through_the_form(accountant: Person) -> None:
    client = _client(accountant)
    response = client.post(
        reverse("credits:record_new"),
        {
            "year": 2023,
            "category": "public",  # the activity decides: professional accounting
            "series": "",
            "activity": "conference_day",
            "general_knowledge": "on",
            "amount": "1",
            "unit": "hours",
            "title": "2023 年会计准则研讨会",
            "form": "conference",
            "start_date": "2023-06-01",
            "end_date": "2023-06-01",
            "assessment_result": "none",
            "kind": "",
        },
    )

    record = Record.objects.get(person=accountant)
    assert response.status_code == 302
    assert (record.hours, record.category, record.activity_code) == (
        10,
        "professional",
        "conference_day",
    )
    assert record.general_knowledge is True
    page = client.get(response["Location"]).content.decode()
    assert "参加会计类专业会议" in page
    edit = client.get(reverse("credits:record_edit", args=[record.pk])).content.decode()
    assert '<option value="conference_day" selected>' in edit


@pytest.mark.django_db
def test_the_reviewer_sees_the_activity_and_the_general_knowledge_mark(
    world: World, accountant: Person
) -> None:
    record = record_create(
        person=accountant,
        draft=draft(activity_code="conference_day", general_knowledge=True),
        today=TODAY,
    )
    record_submit(person=accountant, record=record, today=TODAY)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(admin_of(world.employer))

    page = client.get(
        reverse("credits:record_review_detail", args=[world.employer.pk, record.pk])
    ).content.decode()

    assert "参加会计类专业会议" in page
    assert "Professional general knowledge" in page
