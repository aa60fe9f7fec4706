"""Property: the set-based whole-year validation on PostgreSQL stores what the evaluator says.

Hypothesis draws 1-4 persons, each with a set of series, profile facts (an accounting start
and an archives post with the highest archives education, each confirmed, pending or
rejected, and perhaps changed before the last run) and records (category, series among the
held ones or none, hours, kind: ordinary, degree study, in-house training with or without
an approved plan, or an accounting activity; any status; the evaluated year or next to it),
writes them with the ORM, optionally runs the whole year once and then changes records and
series (so the MERGE updates and the deletion of stale rows are exercised), runs the whole
year (or a per-person refresh of the drawn persons: the same SQL restricted to them), and
compares every stored summary with ``credits.rules.evaluate`` over the same drawn records
and the profile of the confirmed facts (built here from the drawing, not read back through
the production conversion: each drawn date comes with the year it stands for, from the
readings of docs/decisions/0007-profile-facts.md).

Accounting activities are drawn with the quantities and result dates at the edges of the
2023 Guangzhou table's conditions, records are marked professional general knowledge (通识) or
not, and each person works for an employer in Guangzhou (where the table applies), in Shenzhen
(where it does not) or for none, so the region the rules take from the employer is drawn too.
Degree study (capped at 72 h a year) and in-house training are declared in any category, and
persons drawn ``set_based`` (no accounting activity) must be computed by the set-based SQL,
never sent to the evaluator path.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from unittest import mock

import pytest
from django.db import connection, transaction
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from accounts.models import Employment, ProfessionalSeries, ProfileFact, Region
from credits.models import Record, YearSeriesSummary, YearSummary
from credits.rules import EvaluationError, EvaluationInput, Profile, RecordInput, evaluate
from credits.selectors.records import rulebook_load
from credits.services.validation import summaries_refresh, whole_year
from tests.factories import employer_create, person_create

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the set-based path is PostgreSQL's"
    ),
]

YEAR = 2023
TODAY = date(2024, 3, 1)
SERIES = ("engineering", "accounting", "archives", "health", "economics")
ACTIVITIES = (
    "accounting_exam_pass",
    "paper_first_author",
    "conference_day",
    "online_hour",
    "inhouse_training_day",
    "related_exam_pass",
    "in_school_exemption",
    "degree_graduation",
)
# Quantities at the edges of the table's minimums (3 days, 24 hours).
QUANTITIES = ("1", "2.9", "3", "5", "23.9", "24", "30")
# Result dates at the edges of the related-exam window (2023-05-01 to 2024-04-30).
RESULT_DATES = (
    date(2023, 3, 1),
    date(2023, 4, 30),
    date(2023, 5, 1),
    date(2024, 4, 30),
    date(2024, 5, 1),
)
# The region codes the rules see for an employer's district (most specific first).
REGIONS = {"440105": ("440105", "440100", "440000"), "440305": ("440305", "440300", "440000")}
STATUSES = tuple(Record.Status.values)
_titles = itertools.count()


@dataclass(frozen=True)
class Drawn:
    """One drawn record; ``series`` is an index into the series the person held when it was
    written, or a series code (perhaps one the person does not hold), or None."""

    category: str
    series: int | str | None
    hours: Decimal
    kind: str = ""
    approved_plan: bool | None = None
    activity: str = ""
    status: str = Record.Status.APPROVED
    year: int = YEAR
    general_knowledge: bool = False
    end: date | None = None  # an activity's result date (its end date)


hours = st.integers(min_value=1, max_value=160).map(lambda n: Decimal(n) / 2)
statuses = st.sampled_from((Record.Status.APPROVED,) * len(STATUSES) + STATUSES)
years = st.sampled_from((YEAR - 1, YEAR, YEAR, YEAR, YEAR, YEAR + 1))
held_index = st.integers(min_value=0, max_value=2)
any_series = held_index | held_index | st.sampled_from(SERIES)

ordinary = st.builds(
    Drawn,
    category=st.sampled_from(("public", "elective")),
    series=st.none() | st.none() | any_series,
    hours=hours,
    status=statuses,
    year=years,
    general_knowledge=st.booleans(),
) | st.builds(
    Drawn,
    category=st.just("professional"),
    series=any_series,
    hours=hours,
    status=statuses,
    year=years,
    general_knowledge=st.booleans(),
)
# Degree study and in-house training are declared in any category (they count as elective
# wherever declared); a professional record names a held series. Degree study is often long,
# so that two records pass the 72 h cap.
degree_hours = hours | st.sampled_from(("36", "40", "71.5", "72", "80")).map(Decimal)
degree_study = st.builds(
    Drawn,
    category=st.sampled_from(("public", "elective")),
    series=st.none() | held_index,
    hours=degree_hours,
    kind=st.just("degree_study"),
    status=statuses,
    year=years,
    general_knowledge=st.booleans(),
) | st.builds(
    Drawn,
    category=st.just("professional"),
    series=held_index,
    hours=degree_hours,
    kind=st.just("degree_study"),
    status=statuses,
    year=years,
    general_knowledge=st.booleans(),
)
inhouse = st.builds(
    Drawn,
    category=st.sampled_from(("public", "elective")),
    series=st.none() | held_index,
    hours=hours,
    kind=st.just("inhouse_training"),
    approved_plan=st.sampled_from((None, True, False)),
    status=statuses,
    year=years,
    general_knowledge=st.booleans(),
) | st.builds(
    Drawn,
    category=st.just("professional"),
    series=held_index,
    hours=hours,
    kind=st.just("inhouse_training"),
    approved_plan=st.sampled_from((None, True, False)),
    status=statuses,
    year=years,
    general_knowledge=st.booleans(),
)
activity = st.builds(
    Drawn,
    category=st.just("professional"),
    series=st.none(),
    hours=st.sampled_from(QUANTITIES).map(Decimal),  # the quantity
    activity=st.sampled_from(ACTIVITIES),
    status=statuses,
    year=years,
    general_knowledge=st.booleans(),
    end=st.sampled_from(RESULT_DATES),
)
# Ordinary records are the common case, so most persons stay on the set-based path.
records = st.one_of(ordinary, ordinary, ordinary, degree_study, degree_study, inhouse, activity)


# Profile-fact dates with the year each stands for (decision 0007): an accounting start
# requires nothing up to its own year; the archives first year in post is the natural year
# holding more of the twelve months from the day the post was taken up.
ACCOUNTING_STARTS = (
    (date(2021, 5, 1), 2021),
    (date(2022, 12, 31), 2022),
    (date(2023, 1, 1), 2023),
    (date(2023, 11, 30), 2023),
    (date(2024, 1, 2), 2024),
)
ARCHIVES_POSTS = (
    (date(2022, 3, 1), 2022),
    (date(2022, 9, 1), 2023),
    (date(2023, 1, 15), 2023),
    (date(2023, 7, 2), 2023),  # 183 of 365 days in 2023: the larger part
    (date(2023, 7, 3), 2024),  # 182 days in 2023
    (date(2023, 12, 31), 2024),
)
FACT_STATUSES = tuple(ProfileFact.Status.values)
EDUCATIONS = tuple(ProfileFact.Education.values)
DEGREES = ProfileFact.DEGREE_EDUCATION


@dataclass(frozen=True)
class DrawnFact:
    """One profile fact: its date and the year it stands for, the education (archives), its
    status when first written and its status at the last run."""

    on: tuple[date, int]
    education: str
    status: str
    final_status: str


def _facts(dates: tuple[tuple[date, int], ...]) -> st.SearchStrategy[DrawnFact | None]:
    fact = st.builds(
        DrawnFact,
        on=st.sampled_from(dates),
        education=st.sampled_from(EDUCATIONS),
        status=st.sampled_from(FACT_STATUSES),
        final_status=st.sampled_from(
            (ProfileFact.Status.CONFIRMED, ProfileFact.Status.CONFIRMED, *FACT_STATUSES)
        ),
    )
    return st.none() | fact | fact


def _accounting_year(general: Decimal, extra: list[Drawn]) -> tuple[Drawn, ...]:
    """A year that meets accounting's 30 public and 60 professional hours, with ``general``
    of them general knowledge (the Guangzhou 2023 minimum is 20), and perhaps more records."""
    return (
        Drawn(category="public", series=None, hours=Decimal(30)),
        Drawn(category="professional", series="accounting", hours=Decimal(60) - general),
        Drawn(category="professional", series="accounting", hours=general, general_knowledge=True),
        *extra,
    )


accounting_years = st.builds(
    _accounting_year,
    st.sampled_from(("19", "19.5", "20", "25")).map(Decimal),
    st.lists(records, max_size=2),
)


@dataclass(frozen=True)
class DrawnPerson:
    series: tuple[str, ...]
    before: tuple[Drawn, ...]  # written and validated first when ``rerun``
    after: tuple[Drawn, ...]
    drop: int  # how many held series the person gives up before the last run
    accounting: DrawnFact | None = None
    archives: DrawnFact | None = None
    # No accounting activity (ordinary records, degree study, in-house training): the person
    # stays on the set-based path (asserted), so its profile keys and kinds are exercised there.
    set_based: bool = False
    district: str | None = None  # the district of the person's employer (None: no employer)

    def profile(self) -> Profile:
        """The evaluator's profile of the facts confirmed at the last run."""
        confirmed = ProfileFact.Status.CONFIRMED
        accounting, archives = self.accounting, self.archives
        if accounting is not None and accounting.final_status != confirmed:
            accounting = None
        if archives is not None and archives.final_status != confirmed:
            archives = None
        return Profile(
            accounting_start_year=accounting.on[1] if accounting else None,
            archives_new_post_year=archives.on[1] if archives else None,
            archives_degree=(archives.education in DEGREES) if archives else None,
            regions=REGIONS[self.district] if self.district else (),
        )


def _fact_write(person_pk: int, kind: str, drawn: DrawnFact | None) -> ProfileFact | None:
    if drawn is None:
        return None
    accounting = kind == ProfileFact.Kind.ACCOUNTING_START
    return ProfileFact.objects.create(
        person_id=person_pk,
        kind=kind,
        on=drawn.on[0],
        basis=ProfileFact.Basis.WORK if accounting else "",
        education="" if accounting else drawn.education,
        status=drawn.status,
    )


# Any 1-3 series, or often a set whose schemes allow no elective (accounting, archives).
series_sets = st.lists(st.sampled_from(SERIES), min_size=1, max_size=3, unique=True).map(
    lambda s: tuple(sorted(s))
) | st.sampled_from((("accounting",), ("archives",), ("accounting", "archives")))

persons = st.lists(
    st.builds(
        DrawnPerson,
        series=series_sets,
        before=st.lists(records, max_size=6).map(tuple),
        after=st.lists(records, min_size=1, max_size=6).map(tuple) | accounting_years,
        drop=st.sampled_from((0, 0, 0, 1, 3)),
        accounting=_facts(ACCOUNTING_STARTS),
        archives=_facts(ARCHIVES_POSTS),
        set_based=st.booleans(),
        district=st.sampled_from(("440105", "440105", "440305", None)),
    ),
    min_size=1,
    max_size=4,
)


def _series_of(drawn: Drawn, held: tuple[str, ...]) -> str | None:
    if drawn.activity:
        return "accounting" if "accounting" in held else None
    if drawn.series is None or isinstance(drawn.series, str):
        return drawn.series
    return held[drawn.series % len(held)]


def _usable(drawn: Drawn, held: tuple[str, ...], set_based: bool = False) -> bool:
    """Drawn records are written for the series held when drawn; activities need accounting;
    a person drawn ``set_based`` gets no accounting activity."""
    if set_based and drawn.activity:
        return False
    return not drawn.activity or "accounting" in held


def _write(person_pk: int, drawn: Drawn, held: tuple[str, ...]) -> None:
    series = _series_of(drawn, held)
    day = drawn.end or date(drawn.year, 3, 1)
    Record.objects.create(
        person_id=person_pk,
        year=drawn.year,
        category=drawn.category,
        series=ProfessionalSeries.objects.get(code=series) if series else None,
        hours=drawn.hours * 10 if drawn.activity else drawn.hours,
        original_amount=drawn.hours,
        original_unit=Record.Unit.ACTIVITY if drawn.activity else Record.Unit.HOURS,
        activity_code=drawn.activity,
        general_knowledge=drawn.general_knowledge,
        kind=drawn.kind,
        approved_plan=drawn.approved_plan,
        title=f"Course {next(_titles)}",
        form=Record.Form.CLASS,
        start_date=day,
        end_date=day,
        status=drawn.status,
    )


def _input(drawn: Drawn, written_for: tuple[str, ...]) -> RecordInput:
    series = _series_of(drawn, written_for)
    if drawn.activity:
        return RecordInput(
            category=drawn.category,
            series=series,
            activity=drawn.activity,
            quantity=drawn.hours,
            year=drawn.year,
            general_knowledge=drawn.general_knowledge,
            result_date=drawn.end,
        )
    return RecordInput(
        category=drawn.category,
        series=series,
        kind=drawn.kind or None,
        approved_plan=drawn.approved_plan,
        hours=drawn.hours,
        year=drawn.year,
        general_knowledge=drawn.general_knowledge,
    )


def _expected(
    held: tuple[str, ...], written: list[tuple[Drawn, tuple[str, ...]]], profile: Profile
) -> tuple[tuple[Decimal, ...], bool, dict[str, tuple[Decimal, Decimal]]] | None:
    """The evaluator's figures over the approved records whose series the person still holds
    (``None``: nothing valid to evaluate, so everything is zero)."""
    inputs = []
    for drawn, written_for in written:
        if drawn.status != Record.Status.APPROVED:
            continue
        record = _input(drawn, written_for)
        series = record.series if not drawn.activity else "accounting"
        if series is not None and series not in held:
            continue  # a series given up since: counts nothing
        inputs.append(record)
    try:
        result = evaluate(
            EvaluationInput(year=YEAR, series=held, profile=profile, records=tuple(inputs)),
            rulebook_load(),
            today=TODAY,
        )
    except EvaluationError:
        return None
    figures = (
        result.required.public,
        result.earned.public,
        result.required.elective,
        result.earned.elective,
        sum(result.required.professional.values(), Decimal(0)),
        sum(result.earned.professional.values(), Decimal(0)),
    )
    series_rows = {
        code: (required, result.earned.professional[code])
        for code, required in result.required.professional.items()
    }
    return figures, result.compliant, series_rows


@settings(
    max_examples=40,
    deadline=None,
    database=None,  # nothing written into the work tree; failures print their example
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(drawn_persons=persons, rerun=st.booleans(), listed=st.booleans())
# Always tried: degree study past the 72 h cap, declared in two categories, with in-house
# training without an approved plan, for a person whose scheme allows elective.
@example(
    drawn_persons=[
        DrawnPerson(
            series=("engineering",),
            before=(),
            after=(
                Drawn(category="elective", series=None, hours=Decimal(40), kind="degree_study"),
                Drawn(category="professional", series=0, hours=Decimal(40), kind="degree_study"),
                Drawn(category="professional", series=0, hours=Decimal(8), kind="inhouse_training"),
            ),
            drop=0,
            set_based=True,
        )
    ],
    rerun=False,
    listed=False,
)
def test_whole_year_sql_equals_the_evaluator(
    drawn_persons: list[DrawnPerson], rerun: bool, listed: bool
) -> None:
    with transaction.atomic():
        employers = {
            code: employer_create(region=Region.objects.get(code=code), approved=False)
            for code in {d.district for d in drawn_persons if d.district}
        }
        made = []
        for drawn in drawn_persons:
            person = person_create(series=drawn.series)
            facts = [
                _fact_write(person.pk, ProfileFact.Kind.ACCOUNTING_START, drawn.accounting),
                _fact_write(person.pk, ProfileFact.Kind.ARCHIVES_POST, drawn.archives),
            ]
            if drawn.district:
                Employment.objects.create(
                    person=person,
                    employer=employers[drawn.district],
                    status=Employment.Status.CONFIRMED,
                )
            written = []
            for record in drawn.before:
                if _usable(record, drawn.series, drawn.set_based):
                    _write(person.pk, record, drawn.series)
                    written.append((record, drawn.series))
            made.append((person, drawn, written, facts))
        if rerun:
            summaries_refresh(year=YEAR, today=TODAY)
        for person, drawn, written, facts in made:
            for fact, drawn_fact in zip(facts, (drawn.accounting, drawn.archives), strict=True):
                if fact is not None and drawn_fact is not None:
                    ProfileFact.objects.filter(pk=fact.pk).update(status=drawn_fact.final_status)
            held = drawn.series[: max(len(drawn.series) - drawn.drop, 0)]
            if held != drawn.series:
                person.series.set(ProfessionalSeries.objects.filter(code__in=held))
            for record in drawn.after:
                if held and _usable(record, held, drawn.set_based):
                    _write(person.pk, record, held)
                    written.append((record, held))

        # Who the whole-year run sends to the evaluator: never a person drawn set-based.
        with mock.patch.object(
            whole_year, "summaries_compute", wraps=whole_year.summaries_compute
        ) as evaluator_path:
            if listed:  # a per-person refresh: the same SQL restricted to the listed persons
                summaries_refresh(year=YEAR, person_ids=[p.pk for p, *_ in made], today=TODAY)
            else:
                summaries_refresh(year=YEAR, today=TODAY)
        evaluated = {
            pk for call in evaluator_path.call_args_list for pk in call.kwargs["person_ids"]
        }
        assert not evaluated & {p.pk for p, drawn, *_ in made if drawn.set_based}

        for person, drawn, written, _written_facts in made:
            held = drawn.series[: max(len(drawn.series) - drawn.drop, 0)]
            expected = _expected(held, written, drawn.profile())
            summary = YearSummary.objects.filter(person=person, year=YEAR).first()
            series_rows = {
                row.series.code: (row.required, row.earned)
                for row in YearSeriesSummary.objects.filter(
                    person=person, year=YEAR
                ).select_related("series")
            }
            if expected is None:  # holds no series: a zero summary if one exists, no series
                assert series_rows == {}
                if summary is not None:
                    assert (summary.public_earned, summary.elective_earned) == (0, 0)
                    assert (summary.professional_earned, summary.compliant) == (0, False)
                continue
            figures, compliant, expected_rows = expected
            assert summary is not None
            assert (
                summary.public_required,
                summary.public_earned,
                summary.elective_required,
                summary.elective_earned,
                summary.professional_required,
                summary.professional_earned,
            ) == figures, (drawn, written)
            assert summary.compliant is compliant
            assert series_rows == expected_rows
        transaction.set_rollback(True)  # each example starts from the empty database
