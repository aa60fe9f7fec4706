"""Unit tests of the pure rules engine (no database, no Django settings needed)."""

from __future__ import annotations

import dataclasses
import json
from datetime import date
from decimal import Decimal

import pytest

from credits.rules import (
    ELECTIVE,
    PROFESSIONAL,
    PUBLIC,
    DegreeStudyRule,
    EvaluationError,
    EvaluationInput,
    EvaluationResult,
    Profile,
    RecordInput,
    RuleBook,
    Scheme,
    YearSettings,
    defaults,
    evaluate,
    scheme_for,
    settings_for_year,
)

TODAY = date(2024, 6, 1)
RULES = defaults.rulebook()
# The engine can still exclude series from degree study, if HRSS ever sets some.
EXCLUDING = dataclasses.replace(
    RULES,
    degree_study=DegreeStudyRule(cap_hours=Decimal(72), excluded_series=("education", "health")),
)


def D(value: str | int) -> Decimal:
    return Decimal(value)


def public(hours: str | int = 30, **kw: object) -> RecordInput:
    return RecordInput(PUBLIC, hours=D(hours), **kw)  # type: ignore[arg-type]


def elective(hours: str | int = 18, **kw: object) -> RecordInput:
    return RecordInput(ELECTIVE, hours=D(hours), **kw)  # type: ignore[arg-type]


def prof(series: str, hours: str | int, **kw: object) -> RecordInput:
    return RecordInput(PROFESSIONAL, series=series, hours=D(hours), **kw)  # type: ignore[arg-type]


def activity(code: str, quantity: str | int | None = None, **kw: object) -> RecordInput:
    qty = None if quantity is None else D(quantity)
    category = kw.pop("category", PROFESSIONAL)
    return RecordInput(category, activity=code, quantity=qty, **kw)  # type: ignore[arg-type]


def run(
    year: int,
    series: tuple[str, ...],
    *records: RecordInput,
    profile: Profile | None = None,
    rules: RuleBook = RULES,
    today: date = TODAY,
) -> EvaluationResult:
    data = EvaluationInput(
        year=year, series=series, profile=profile or Profile(), records=tuple(records)
    )
    return evaluate(data, rules, today=today)


def errors_of(
    year: int, series: tuple[str, ...], *records: RecordInput, **kw: object
) -> dict[str, list[str]]:
    with pytest.raises(EvaluationError) as excinfo:
        run(year, series, *records, **kw)  # type: ignore[arg-type]
    return excinfo.value.errors


# --- rule data -----------------------------------------------------------------------------


class TestSchemeChoice:
    @pytest.mark.parametrize(
        ("series", "year", "code"),
        [
            ("engineering", 2010, "general_legacy"),
            ("engineering", 2020, "general_legacy"),
            ("engineering", 2021, "general_2021"),
            ("engineering", 2025, "general_2021"),
            ("accounting", 2017, "general_legacy"),
            ("accounting", 2018, "accounting_2018"),
            ("accounting", 2023, "accounting_2018"),
            ("archives", 2018, "general_legacy"),
            ("archives", 2019, "archives_2019"),
            ("archives", 2021, "archives_2019"),
        ],
    )
    def test_scheme_in_force_on_31_december_applies(
        self, series: str, year: int, code: str
    ) -> None:
        scheme = scheme_for(series, year, RULES.schemes)
        assert scheme is not None
        assert scheme.code == code

    def test_no_scheme_before_2010(self) -> None:
        assert scheme_for("engineering", 2009, RULES.schemes) is None

    def test_result_reports_scheme_per_series(self) -> None:
        result = run(2019, ("engineering", "accounting", "archives"))
        assert result.schemes == {
            "engineering": "general_legacy",
            "accounting": "accounting_2018",
            "archives": "archives_2019",
        }

    def test_a_new_years_rule_is_a_new_data_row(self) -> None:
        current = next(s for s in RULES.schemes if s.code == "general_2021")
        ended = dataclasses.replace(current, valid_to=date(2025, 12, 31))
        new_row = Scheme(
            code="general_2026",
            series_codes=(),
            valid_from=date(2026, 1, 1),
            valid_to=None,
            public=D(40),
            professional=D(50),
            elective=D(20),
            allows_elective=True,
            total=D(110),
        )
        schemes = tuple(s for s in RULES.schemes if s.code != "general_2021")
        rules = dataclasses.replace(RULES, schemes=(*schemes, ended, new_row))
        later = run(2026, ("engineering",), rules=rules, today=date(2026, 1, 1))
        assert later.required.public == 40
        assert later.required.professional == {"engineering": 50}
        assert later.schemes == {"engineering": "general_2026"}
        earlier = run(2025, ("engineering",), rules=rules, today=date(2026, 1, 1))
        assert earlier.required.public == 30

    def test_unknown_policy_is_a_configuration_error(self) -> None:
        broken = tuple(dataclasses.replace(s, policy="nonsense") for s in RULES.schemes)
        with pytest.raises(ValueError, match="unknown policy"):
            run(2023, ("engineering",), rules=dataclasses.replace(RULES, schemes=broken))


class TestYearSettings:
    def test_seeded_rows(self) -> None:
        """Public study windows as the seeds state them (001, 002, 004); no seed sets a
        declaration deadline, so each is one year after the year's end (decision 0008)."""
        s2018 = settings_for_year(2018, RULES.year_settings)
        assert s2018.public_catch_up_deadline == date(2019, 6, 30)
        assert s2018.declaration_deadline == date(2019, 12, 31)
        assert s2018.hours_per_day == 6
        s2021 = settings_for_year(2021, RULES.year_settings)
        assert (s2021.hours_per_day, s2021.public_catch_up_deadline) == (D(8), date(2021, 12, 31))
        assert s2021.declaration_deadline == date(2022, 12, 31)
        s2023 = settings_for_year(2023, RULES.year_settings)
        assert s2023.public_catch_up_deadline == date(2024, 4, 30)
        assert s2023.declaration_deadline == date(2024, 12, 31)
        assert s2023.minutes_per_hour == 45

    @pytest.mark.parametrize(("year", "hours_per_day"), [(2015, 6), (2020, 6), (2022, 8)])
    def test_year_without_row_defaults_deadlines_and_keeps_units(
        self, year: int, hours_per_day: int
    ) -> None:
        settings = settings_for_year(year, RULES.year_settings)
        assert settings.year == year
        assert settings.hours_per_day == hours_per_day
        assert settings.minutes_per_hour == 45
        assert settings.declaration_deadline == date(year + 1, 12, 31)
        assert settings.public_catch_up_deadline == date(year, 12, 31)

    def test_no_rows_at_all(self) -> None:
        settings = settings_for_year(2024, ())
        assert (settings.hours_per_day, settings.minutes_per_hour) == (D(8), 45)
        assert settings.declaration_deadline == date(2025, 12, 31)
        assert settings.public_catch_up_deadline == date(2024, 12, 31)

    def test_settings_row_changes_conversion(self) -> None:
        row = YearSettings(2022, D(7), 30, date(2023, 3, 31), date(2023, 3, 31))
        rules = dataclasses.replace(RULES, year_settings=(*RULES.year_settings, row))
        result = run(
            2022,
            ("engineering",),
            RecordInput(ELECTIVE, days=D(1)),
            RecordInput(ELECTIVE, minutes=D(60)),
            rules=rules,
        )
        assert [r.hours for r in result.records] == [7, 2]


class TestDefaults:
    def test_known_series(self) -> None:
        assert len(defaults.KNOWN_SERIES) == 24
        assert len(set(defaults.KNOWN_SERIES)) == 24
        assert "pharmacy" not in RULES.known_series
        assert {"engineering", "accounting", "archives", "health", "education"} <= (
            RULES.known_series
        )

    def test_seed_rows_round_trip_through_plain_dicts(self) -> None:
        for scheme in defaults.SCHEMES:
            assert Scheme(**dataclasses.asdict(scheme)) == scheme
        for row in defaults.YEAR_SETTINGS:
            assert YearSettings(**dataclasses.asdict(row)) == row

    def test_seeded_scheme_totals_add_up(self) -> None:
        for scheme in defaults.SCHEMES:
            parts = scheme.public + scheme.professional + (scheme.elective or 0)
            assert parts == scheme.total, scheme.code

    def test_activity_table(self) -> None:
        table = {a.code: (a.target, a.hours) for a in defaults.ACTIVITY_CONVERSIONS}
        assert table == {
            "accounting_exam_pass": ("whole_year", 90),
            "degree_graduation": ("whole_year", 90),
            "cpa_continuing_education": ("whole_year", 90),
            "related_exam_pass": ("professional", 90),
            "degree_course_pass": ("professional", 90),
            "research_lead": ("professional", 90),
            "research_member": ("professional", 60),
            "paper_first_author": ("professional", 30),
            "paper_other_author": ("professional", 10),
            "book_first_author": ("professional", 90),
            "book_other_author": ("professional", 60),
            "conference_day": ("professional", 10),
            "inhouse_training_day": ("professional", 20),
            "online_hour": ("professional", D("2.5")),
            "in_school_exemption": ("whole_year", 90),
        }
        assert {a.series for a in defaults.ACTIVITY_CONVERSIONS} == {"accounting"}


# --- requirements --------------------------------------------------------------------------


class TestRequirements:
    def test_general_2021_requirement_and_compliance(self) -> None:
        result = run(2023, ("engineering",), public(30), elective(18), prof("engineering", 42))
        assert result.required.public == 30
        assert result.required.elective == 18
        assert result.required.professional == {"engineering": 42}
        assert result.compliant
        assert result.messages[-1] == "all requirements met for 2023"

    def test_general_legacy_requirement(self) -> None:
        result = run(2015, ("engineering",), public(18), elective(12), prof("engineering", 42))
        assert (result.required.public, result.required.elective) == (D(18), D(12))
        assert result.compliant

    def test_public_and_elective_once_professional_per_series(self) -> None:
        result = run(
            2023,
            ("engineering", "economics"),
            public(30),
            elective(18),
            prof("engineering", 42),
            prof("economics", 42),
        )
        assert result.required.public == 30
        assert result.required.elective == 18
        assert result.required.professional == {"engineering": 42, "economics": 42}
        assert result.compliant

    def test_accounting_with_general_series(self) -> None:
        result = run(2023, ("engineering", "accounting"))
        assert result.required.public == 30
        assert result.required.elective == 18
        assert result.required.professional == {"engineering": 42, "accounting": 60}

    def test_largest_public_requirement_applies(self) -> None:
        # 2019: engineering is on the legacy scheme (18 public, 12 elective), accounting
        # demands 30 public and no elective.
        result = run(2019, ("engineering", "accounting"))
        assert result.required.public == 30
        assert result.required.elective == 12
        assert result.required.professional == {"engineering": 42, "accounting": 60}

    @pytest.mark.parametrize("series", [("accounting",), ("archives",), ("accounting", "archives")])
    def test_no_elective_required_when_no_scheme_allows_it(self, series: tuple[str, ...]) -> None:
        result = run(2023, series)
        assert result.required.elective == 0
        assert result.required.public == 30
        assert all(h == 60 for h in result.required.professional.values())

    def test_surplus_in_one_category_never_covers_another(self) -> None:
        result = run(2023, ("engineering",), public(80), prof("engineering", 100))
        assert result.earned.public == 80
        assert result.shortfall.public == 0
        assert result.shortfall.elective == 18
        assert result.shortfall.professional == {"engineering": 0}
        assert not result.compliant
        assert "elective: 18 h short" in result.messages

    def test_surplus_in_one_series_never_covers_another(self) -> None:
        result = run(
            2023,
            ("engineering", "economics"),
            public(),
            elective(),
            prof("engineering", 84),
            prof("economics", 20),
        )
        assert result.shortfall.professional == {"engineering": 0, "economics": 22}
        assert not result.compliant
        assert "professional economics: 22 h short" in result.messages

    def test_hours_only_count_for_their_year(self) -> None:
        result = run(2023, ("engineering",), public(30, year=2022), public(10, year=2023))
        first, second = result.records
        assert first.hours == 0
        assert first.notes == ("not counted: record is for 2022, not 2023",)
        assert second.hours == 10
        assert result.earned.public == 10

    def test_no_records_nothing_earned(self) -> None:
        result = run(2023, ("engineering",))
        assert result.earned.public == 0
        assert result.earned.professional == {"engineering": 0}
        assert result.shortfall.professional == {"engineering": 42}
        assert result.messages == (
            "engineering: scheme general_2021 (30 public, 42 professional, 18 elective)",
            "public: 30 h short",
            "elective: 18 h short",
            "professional engineering: 42 h short",
            "requirements not met for 2023",
        )


# --- units ---------------------------------------------------------------------------------


class TestUnits:
    def test_days_from_2021_are_8_hours(self) -> None:
        result = run(2023, ("engineering",), RecordInput(PUBLIC, days=D(2)))
        outcome = result.records[0]
        assert outcome.hours == 16
        assert outcome.notes == ("converted 2 days x 8 h = 16 h",)

    def test_days_before_2021_are_6_hours(self) -> None:
        result = run(2019, ("engineering",), RecordInput(PUBLIC, days=D(3)))
        assert result.records[0].hours == 18
        assert result.records[0].notes == ("converted 3 days x 6 h = 18 h",)

    def test_fractional_days(self) -> None:
        result = run(2023, ("engineering",), RecordInput(PUBLIC, days=D("0.5")))
        assert result.records[0].hours == 4

    def test_90_minutes_are_2_hours(self) -> None:
        result = run(2023, ("engineering",), RecordInput(ELECTIVE, minutes=D(90)))
        assert result.records[0].hours == 2
        assert result.records[0].notes == ("converted 90 min / 45 = 2 h",)

    def test_minutes_are_floored(self) -> None:
        result = run(
            2023,
            ("engineering",),
            RecordInput(ELECTIVE, minutes=D(100)),
            RecordInput(ELECTIVE, minutes=D(44)),
        )
        assert [r.hours for r in result.records] == [2, 0]
        assert result.records[0].notes == ("converted 100 min / 45 = 2 h, 10 min dropped",)

    def test_hours_are_rounded_to_a_tenth(self) -> None:
        result = run(2023, ("engineering",), public("1.25"), public("2.5"))
        assert [r.hours for r in result.records] == [D("1.3"), D("2.5")]
        assert result.records[0].notes == ("rounded 1.25 h to 1.3 h",)
        assert result.records[1].notes == ()
        assert result.earned.public == D("3.8")


# --- special kinds -------------------------------------------------------------------------


class TestDegreeStudy:
    def test_counts_as_elective(self) -> None:
        result = run(
            2023,
            ("engineering",),
            RecordInput(PROFESSIONAL, series="engineering", kind="degree_study", hours=D(20)),
        )
        outcome = result.records[0]
        assert outcome.category == ELECTIVE
        assert outcome.hours == 20
        assert outcome.notes == ("counted as elective instead of professional: degree study",)
        assert result.earned.elective == 20
        assert result.earned.professional == {"engineering": 0}

    def test_capped_at_72_hours_across_the_year(self) -> None:
        result = run(
            2023,
            ("engineering",),
            RecordInput(ELECTIVE, kind="degree_study", hours=D(50)),
            RecordInput(ELECTIVE, kind="degree_study", hours=D(40)),
            RecordInput(ELECTIVE, kind="degree_study", hours=D(10)),
            elective(5),
        )
        assert [r.hours for r in result.records] == [50, 22, 0, 5]
        assert result.records[1].notes == ("degree study cap 72 h reached: counted 22 of 40 h",)
        assert result.records[2].notes == ("degree study cap 72 h reached: counted 0 of 10 h",)
        assert result.earned.elective == 77

    @pytest.mark.parametrize("series", ["education", "health"])
    def test_seeded_rule_counts_it_for_education_and_health(self, series: str) -> None:
        """004 policy #11 "（教育、卫生除外）": those sectors certify it (routes), it is not
        zero (decision 0008)."""
        result = run(2023, (series,), RecordInput(ELECTIVE, kind="degree_study", hours=D(30)))
        assert RULES.degree_study.excluded_series == ()
        assert result.records[0].hours == 30

    @pytest.mark.parametrize("series", ["education", "health"])
    def test_not_for_excluded_series_only(self, series: str) -> None:
        result = run(
            2023,
            (series,),
            RecordInput(ELECTIVE, kind="degree_study", hours=D(30)),
            rules=EXCLUDING,
        )
        outcome = result.records[0]
        assert outcome.hours == 0
        assert outcome.notes == ("not counted: degree study does not count for education, health",)
        assert result.earned.elective == 0

    def test_record_series_decides_when_given(self) -> None:
        result = run(
            2023,
            ("education", "engineering"),
            RecordInput(ELECTIVE, series="education", kind="degree_study", hours=D(30)),
            RecordInput(ELECTIVE, series="engineering", kind="degree_study", hours=D(30)),
            RecordInput(ELECTIVE, kind="degree_study", hours=D(10)),
            rules=EXCLUDING,
        )
        assert [r.hours for r in result.records] == [0, 30, 10]

    def test_excluded_records_do_not_use_the_cap(self) -> None:
        result = run(
            2023,
            ("health", "engineering"),
            RecordInput(ELECTIVE, series="health", kind="degree_study", hours=D(72)),
            RecordInput(ELECTIVE, series="engineering", kind="degree_study", hours=D(72)),
            rules=EXCLUDING,
        )
        assert [r.hours for r in result.records] == [0, 72]


class TestInhouseTraining:
    def test_without_approved_plan_counts_as_elective(self) -> None:
        record = RecordInput(
            PROFESSIONAL,
            series="engineering",
            kind="inhouse_training",
            approved_plan=False,
            hours=D(20),
        )
        result = run(2023, ("engineering",), record)
        outcome = result.records[0]
        assert outcome.category == ELECTIVE
        assert outcome.hours == 20
        assert outcome.notes == (
            "counted as elective instead of professional: in-house training without approved plan",
        )
        assert result.earned.elective == 20
        assert result.earned.professional == {"engineering": 0}

    def test_unknown_plan_is_not_approved(self) -> None:
        record = RecordInput(
            PROFESSIONAL, series="engineering", kind="inhouse_training", hours=D(20)
        )
        assert run(2023, ("engineering",), record).records[0].category == ELECTIVE

    def test_with_approved_plan_counts_as_professional(self) -> None:
        record = RecordInput(
            PROFESSIONAL,
            series="engineering",
            kind="inhouse_training",
            approved_plan=True,
            hours=D(20),
        )
        result = run(2023, ("engineering",), record)
        assert result.records[0].category == PROFESSIONAL
        assert result.records[0].notes == ()
        assert result.earned.professional == {"engineering": 20}

    def test_without_plan_for_accounting_only_counts_nothing(self) -> None:
        record = RecordInput(
            PROFESSIONAL, series="accounting", kind="inhouse_training", hours=D(20)
        )
        outcome = run(2023, ("accounting",), record).records[0]
        assert outcome.hours == 0
        assert outcome.notes[-1] == "not counted: no elective for accounting"


class TestNoElective:
    def test_accounting_only_elective_counts_zero(self) -> None:
        result = run(2023, ("accounting",), elective(18))
        outcome = result.records[0]
        assert (outcome.category, outcome.hours) == (ELECTIVE, D(0))
        assert outcome.notes == ("not counted: no elective for accounting",)
        assert result.earned.elective == 0
        assert result.shortfall.elective == 0

    def test_archives_only_elective_counts_zero(self) -> None:
        outcome = run(2023, ("archives",), elective(18)).records[0]
        assert outcome.hours == 0
        assert outcome.notes == ("not counted: no elective for archives",)

    def test_accounting_and_archives(self) -> None:
        outcome = run(2023, ("accounting", "archives"), elective(18)).records[0]
        assert outcome.notes == ("not counted: no elective for accounting, archives",)

    def test_elective_counts_when_a_general_series_is_also_held(self) -> None:
        result = run(2023, ("accounting", "engineering"), elective(18))
        assert result.records[0].hours == 18
        assert result.earned.elective == 18
        assert result.shortfall.elective == 0

    def test_accounting_before_its_scheme_has_elective(self) -> None:
        result = run(2017, ("accounting",), elective(12))
        assert result.records[0].hours == 12
        assert result.required.elective == 12


# --- policies ------------------------------------------------------------------------------


class TestAccountingStartYear:
    @pytest.mark.parametrize("year", [2021, 2022])
    def test_nothing_required_up_to_start_year(self, year: int) -> None:
        result = run(year, ("accounting",), profile=Profile(accounting_start_year=2022))
        assert result.required.public == 0
        assert result.required.elective == 0
        assert result.required.professional == {"accounting": 0}
        assert result.compliant
        assert f"accounting: nothing required in {year}, CE starts after 2022" in (result.messages)

    def test_required_from_the_year_after(self) -> None:
        result = run(2023, ("accounting",), profile=Profile(accounting_start_year=2022))
        assert result.required.professional == {"accounting": 60}
        assert result.required.public == 30

    def test_exempt_accounting_adds_no_public(self) -> None:
        result = run(
            2019,
            ("engineering", "accounting"),
            public(18),
            elective(12),
            prof("engineering", 42),
            profile=Profile(accounting_start_year=2019),
        )
        assert result.required.public == 18
        assert result.required.professional == {"engineering": 42, "accounting": 0}
        assert result.compliant

    def test_records_still_count_when_exempt(self) -> None:
        result = run(
            2022,
            ("accounting",),
            prof("accounting", 10),
            profile=Profile(accounting_start_year=2022),
        )
        assert result.earned.professional == {"accounting": 10}


class TestArchivesNewPost:
    def test_80_hours_in_first_year_without_degree(self) -> None:
        profile = Profile(archives_new_post_year=2023, archives_degree=False)
        result = run(2023, ("archives",), prof("archives", 60), profile=profile)
        assert result.required.professional == {"archives": 80}
        assert result.shortfall.professional == {"archives": 20}
        assert result.required.public == 30
        assert (
            "archives: 80 h professional required in the first year in post without an "
            "archives degree" in result.messages
        )

    @pytest.mark.parametrize(
        "profile",
        [
            Profile(archives_new_post_year=2023, archives_degree=True),
            Profile(archives_new_post_year=2023, archives_degree=None),
            Profile(archives_new_post_year=2022, archives_degree=False),
            Profile(),
        ],
    )
    def test_otherwise_60_hours(self, profile: Profile) -> None:
        result = run(2023, ("archives",), profile=profile)
        assert result.required.professional == {"archives": 60}


# --- accounting activities -----------------------------------------------------------------


class TestAccountingActivities:
    @pytest.mark.parametrize(
        ("code", "quantity", "hours"),
        [
            ("related_exam_pass", None, 90),
            ("degree_course_pass", None, 90),
            ("research_lead", None, 90),
            ("research_member", None, 60),
            ("paper_first_author", 2, 60),
            ("paper_other_author", 3, 30),
            ("book_first_author", 1, 90),
            ("book_other_author", 1, 60),
            ("conference_day", "1.5", 15),
            ("inhouse_training_day", 3, 60),
            ("online_hour", 5, D("12.5")),
        ],
    )
    def test_professional_conversions(
        self, code: str, quantity: str | int | None, hours: Decimal | int
    ) -> None:
        result = run(2023, ("accounting",), activity(code, quantity))
        outcome = result.records[0]
        assert outcome.category == PROFESSIONAL
        assert outcome.series == "accounting"
        assert outcome.hours == hours
        assert outcome.notes[0].startswith(f"converted accounting activity {code}: ")
        assert result.earned.professional == {"accounting": hours}
        assert result.earned.public == 0

    def test_conversion_note(self) -> None:
        outcome = run(2023, ("accounting",), activity("paper_first_author", 2)).records[0]
        assert outcome.notes == (
            "converted accounting activity paper_first_author: 2 x 30 h = 60 h",
        )

    @pytest.mark.parametrize(
        "code", ["accounting_exam_pass", "degree_graduation", "cpa_continuing_education"]
    )
    def test_whole_year_activities(self, code: str) -> None:
        result = run(2023, ("accounting",), activity(code))
        assert result.compliant
        assert result.earned.public == 30
        assert result.shortfall.public == 0
        assert result.shortfall.professional == {"accounting": 0}
        assert result.records[0].notes[-1] == (
            "whole year satisfied: public and professional accounting met"
        )
        assert "accounting: whole year satisfied by record 0" in result.messages

    def test_whole_year_does_not_cover_other_series_or_elective(self) -> None:
        result = run(2023, ("accounting", "engineering"), activity("accounting_exam_pass"))
        assert result.shortfall.public == 0
        assert result.shortfall.professional == {"accounting": 0, "engineering": 42}
        assert result.shortfall.elective == 18
        assert not result.compliant

    def test_whole_year_keeps_real_public_hours_when_higher(self) -> None:
        result = run(2023, ("accounting",), public(40), activity("cpa_continuing_education"))
        assert result.earned.public == 40

    def test_activity_counts_as_professional_whatever_declared(self) -> None:
        result = run(2023, ("accounting",), activity("research_member", category=ELECTIVE))
        outcome = result.records[0]
        assert (outcome.category, outcome.hours) == (PROFESSIONAL, D(60))
        assert outcome.notes[-1] == (
            "counted as professional instead of elective: accounting activity"
        )

    def test_activity_for_person_without_accounting(self) -> None:
        errors = errors_of(2023, ("engineering",), activity("research_lead"))
        assert list(errors) == ["records[0].activity"]
        assert "does not hold" in errors["records[0].activity"][0]

    def test_activity_with_other_series(self) -> None:
        errors = errors_of(
            2023, ("accounting", "engineering"), activity("research_lead", series="engineering")
        )
        assert errors == {
            "records[0].series": ["activity 'research_lead' counts for series 'accounting'"]
        }

    def test_activity_with_kind(self) -> None:
        errors = errors_of(2023, ("accounting",), activity("research_lead", kind="degree_study"))
        assert errors == {"records[0].kind": ["kind cannot be combined with an activity"]}


# --- validation ----------------------------------------------------------------------------


class TestValidation:
    def test_unknown_person_series(self) -> None:
        assert errors_of(2023, ("engineering", "pharmacy")) == {
            "series": ["unknown series 'pharmacy'"]
        }

    def test_empty_series(self) -> None:
        assert errors_of(2023, ()) == {"series": ["at least one series is required"]}

    def test_duplicate_series(self) -> None:
        assert errors_of(2023, ("engineering", "engineering")) == {
            "series": ["duplicate series 'engineering'"]
        }

    @pytest.mark.parametrize("year", [2009, 2026])
    def test_year_out_of_range(self, year: int) -> None:
        assert errors_of(year, ("engineering",)) == {"year": ["year must be between 2010 and 2025"]}

    def test_next_year_is_allowed(self) -> None:
        assert run(2025, ("engineering",)).year == 2025

    def test_today_is_an_input(self) -> None:
        assert run(2026, ("engineering",), today=date(2025, 1, 1)).year == 2026

    def test_unknown_category(self) -> None:
        errors = errors_of(2023, ("engineering",), RecordInput("bonus", hours=D(1)))
        assert errors == {"records[0].category": ["unknown category 'bonus'"]}

    def test_unknown_kind(self) -> None:
        errors = errors_of(2023, ("engineering",), public(1, kind="sabbatical"))
        assert errors == {"records[0].kind": ["unknown kind 'sabbatical'"]}

    def test_unknown_activity(self) -> None:
        errors = errors_of(2023, ("accounting",), activity("golf"))
        assert errors == {"records[0].activity": ["unknown activity 'golf'"]}

    def test_unknown_record_series(self) -> None:
        errors = errors_of(2023, ("engineering",), prof("pharmacy", 1))
        assert errors == {"records[0].series": ["unknown series 'pharmacy'"]}

    def test_professional_record_without_series(self) -> None:
        errors = errors_of(2023, ("engineering",), RecordInput(PROFESSIONAL, hours=D(1)))
        assert errors == {"records[0].series": ["a professional record needs a series"]}

    def test_record_series_not_held(self) -> None:
        errors = errors_of(2023, ("engineering",), prof("economics", 1))
        assert errors == {"records[0].series": ["series 'economics' is not one of the person's"]}

    def test_elective_record_series_not_held(self) -> None:
        errors = errors_of(2023, ("engineering",), elective(1, series="economics"))
        assert list(errors) == ["records[0].series"]

    def test_no_amount(self) -> None:
        errors = errors_of(2023, ("engineering",), RecordInput(PUBLIC))
        assert errors == {"records[0]": ["one of hours, days, minutes or activity is required"]}

    def test_two_amounts(self) -> None:
        errors = errors_of(2023, ("engineering",), RecordInput(PUBLIC, hours=D(1), days=D(1)))
        assert errors == {
            "records[0]": [
                "only one of hours, days, minutes or activity allowed: ['hours', 'days']"
            ]
        }

    def test_quantity_without_activity(self) -> None:
        errors = errors_of(2023, ("engineering",), public(1, quantity=D(2)))
        assert errors == {"records[0].quantity": ["quantity is only allowed with an activity"]}

    @pytest.mark.parametrize("field", ["hours", "days", "minutes"])
    @pytest.mark.parametrize("value", ["0", "-1"])
    def test_zero_or_negative_amount(self, field: str, value: str) -> None:
        record = RecordInput(PUBLIC, **{field: D(value)})  # type: ignore[arg-type]
        errors = errors_of(2023, ("engineering",), record)
        assert errors == {f"records[0].{field}": ["must be greater than 0"]}

    def test_zero_quantity(self) -> None:
        errors = errors_of(2023, ("accounting",), activity("conference_day", 0))
        assert errors == {"records[0].quantity": ["must be greater than 0"]}

    def test_non_finite_amount(self) -> None:
        errors = errors_of(2023, ("engineering",), RecordInput(PUBLIC, hours=D("NaN")))
        assert errors == {"records[0].hours": ["must be a finite number"]}

    def test_more_than_a_year_of_hours(self) -> None:
        errors = errors_of(
            2023,
            ("engineering", "accounting"),
            public(8785),
            RecordInput(PUBLIC, days=D(1099)),
            RecordInput(PUBLIC, minutes=D(45 * 8785)),
            activity("online_hour", 3514),
        )
        assert errors == {
            "records[0].hours": ["more than a year's worth of hours (8785 h > 8784 h)"],
            "records[1].days": ["more than a year's worth of hours (8792 h > 8784 h)"],
            "records[2].minutes": ["more than a year's worth of hours (8785 h > 8784 h)"],
            "records[3].quantity": ["more than a year's worth of hours (8785 h > 8784 h)"],
        }

    def test_a_year_of_hours_is_allowed(self) -> None:
        assert run(2023, ("engineering",), public(8784)).earned.public == 8784

    def test_all_errors_reported_at_once(self) -> None:
        with pytest.raises(EvaluationError) as excinfo:
            run(
                2009,
                ("engineering", "pharmacy"),
                public(1),
                RecordInput("bonus", series="economics"),
                prof("engineering", -3),
            )
        assert excinfo.value.errors == {
            "year": ["year must be between 2010 and 2025"],
            "series": ["unknown series 'pharmacy'"],
            "records[1].category": ["unknown category 'bonus'"],
            "records[1].series": ["series 'economics' is not one of the person's"],
            "records[1]": ["one of hours, days, minutes or activity is required"],
            "records[2].hours": ["must be greater than 0"],
        }
        assert "records[2].hours: must be greater than 0" in str(excinfo.value)


# --- output --------------------------------------------------------------------------------


class TestOutput:
    def test_json_shape(self) -> None:
        result = run(
            2023,
            ("engineering",),
            public(30),
            RecordInput(ELECTIVE, days=D("2.25")),
            prof("engineering", "12.5"),
            RecordInput(PROFESSIONAL, series="engineering", minutes=D(340)),
        )
        as_json = result.to_json_dict()
        assert as_json == {
            "year": 2023,
            "compliant": False,
            "required": {"public": 30, "elective": 18, "professional": {"engineering": 42}},
            "earned": {"public": 30, "elective": 18, "professional": {"engineering": 19.5}},
            "shortfall": {"public": 0, "elective": 0, "professional": {"engineering": 22.5}},
            "records": [
                {"index": 0, "category": "public", "series": None, "hours": 30, "notes": []},
                {
                    "index": 1,
                    "category": "elective",
                    "series": None,
                    "hours": 18,
                    "notes": ["converted 2.25 days x 8 h = 18 h"],
                },
                {
                    "index": 2,
                    "category": "professional",
                    "series": "engineering",
                    "hours": 12.5,
                    "notes": [],
                },
                {
                    "index": 3,
                    "category": "professional",
                    "series": "engineering",
                    "hours": 7,
                    "notes": ["converted 340 min / 45 = 7 h, 25 min dropped"],
                },
            ],
            "messages": [
                "engineering: scheme general_2021 (30 public, 42 professional, 18 elective)",
                "professional engineering: 22.5 h short",
                "requirements not met for 2023",
            ],
        }
        assert isinstance(as_json["required"]["public"], int)
        assert isinstance(as_json["records"][2]["hours"], float)
        json.dumps(as_json)  # serialisable as is

    def test_accounting_scheme_message(self) -> None:
        result = run(2023, ("accounting",))
        assert result.messages[0] == (
            "accounting: scheme accounting_2018 (30 public, 60 professional, no elective)"
        )

    def test_result_and_inputs_are_frozen(self) -> None:
        data = EvaluationInput(2023, ("engineering",), records=(public(30),))
        result = evaluate(data, RULES, today=TODAY)
        with pytest.raises(dataclasses.FrozenInstanceError):
            result.compliant = True  # type: ignore[misc]
        with pytest.raises(dataclasses.FrozenInstanceError):
            data.records[0].hours = D(1)  # type: ignore[misc]

    def test_evaluation_is_deterministic(self) -> None:
        data = EvaluationInput(
            2023,
            ("engineering", "accounting"),
            records=(public(30), activity("paper_first_author", 1), elective(4)),
        )
        assert evaluate(data, RULES, today=TODAY) == evaluate(data, RULES, today=TODAY)


# --- RuleBook.memo (docs/decisions/0019): derived values once per book, never across books ---


def test_memo_computes_once_per_key_and_book() -> None:
    from credits.rules import windows_for

    book = defaults.rulebook()
    calls: list[int] = []

    def compute() -> int:
        calls.append(1)
        return len(calls)

    assert [book.memo(("k", 1), compute) for _ in range(3)] == [1, 1, 1]
    assert book.memo(("k", 2), compute) == 2
    assert defaults.rulebook().memo(("k", 1), compute) == 3  # another book: its own values
    assert windows_for(2021, book) is windows_for(2021, book)


def test_memoised_windows_are_each_books_own() -> None:
    from credits.rules import windows_for

    book = defaults.rulebook()
    before = windows_for(2022, book)
    moved = YearSettings(2022, D(8), 45, date(2023, 5, 31), date(2023, 4, 30))
    other = dataclasses.replace(
        book, year_settings=(*(r for r in book.year_settings if r.year != 2022), moved)
    )
    after = windows_for(2022, other)
    assert (after.public, after.declaration) == (date(2023, 4, 30), date(2023, 5, 31))
    assert windows_for(2022, book) == before != after
    assert other == dataclasses.replace(other)  # the memo is no part of the book's value
