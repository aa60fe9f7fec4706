"""Summaries computed by the evaluator (``credits.rules.evaluate``): the truth.

Used for every person on databases other than PostgreSQL, and on PostgreSQL (whole-year run
and per-person refreshes alike) for the persons with a record of a special kind. Records are
read as plain rows (``credits.selectors.records.RecordRow``), not model instances.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from accounts.api import Person, ProfessionalSeries
from credits.models import Record, YearSummary
from credits.rules import (
    EvaluationError,
    EvaluationInput,
    EvaluationResult,
    Profile,
    RuleBook,
    evaluate,
    requirement_for,
    scheme_for,
)
from credits.selectors.records import (
    ROW_FIELDS,
    RecordRow,
    person_profiles,
    person_regions,
    rulebook_load,
)
from credits.services.validation.inputs import records_to_inputs

ZERO = Decimal(0)


@dataclass(frozen=True)
class Requirement:
    """What a series set requires in the year (the evaluator's combination rule)."""

    valid: bool
    public: Decimal = ZERO
    elective: Decimal = ZERO
    elective_allowed: bool = False
    professional: dict[str, Decimal] = field(default_factory=dict)


def requirement(
    series: tuple[str, ...], year: int, rules: RuleBook, profile: Profile | None = None
) -> Requirement:
    """Public and elective once (largest among the schemes), professional per series, after
    the person's profile facts (``credits.selectors.profile_of``)."""
    if not series or any(s not in rules.known_series for s in series):
        return Requirement(valid=False)
    profile = profile if profile is not None else Profile()
    reqs = []
    for code in series:
        scheme = scheme_for(code, year, rules.schemes)
        if scheme is None:
            return Requirement(valid=False)
        reqs.append(requirement_for(code, scheme, year, profile))
    return Requirement(
        valid=True,
        public=max(r.public for r in reqs),
        elective=max((r.elective for r in reqs if r.allows_elective), default=ZERO),
        elective_allowed=any(r.allows_elective for r in reqs),
        professional={r.series: r.professional for r in reqs},
    )


@dataclass
class Summary:
    """One person's computed year (series keyed by series id); all zero when not valid."""

    person_id: int
    public_required: Decimal = ZERO
    public_earned: Decimal = ZERO
    elective_required: Decimal = ZERO
    elective_earned: Decimal = ZERO
    series_required: dict[int, Decimal] = field(default_factory=dict)
    series_earned: dict[int, Decimal] = field(default_factory=dict)
    compliant: bool = False


def _summary_from_result(person_id: int, result: EvaluationResult, ids: dict[str, int]) -> Summary:
    return Summary(
        person_id=person_id,
        public_required=result.required.public,
        public_earned=result.earned.public,
        elective_required=result.required.elective,
        elective_earned=result.earned.elective,
        series_required={ids[s]: h for s, h in result.required.professional.items()},
        series_earned={ids[s]: h for s, h in result.earned.professional.items()},
        compliant=result.compliant,
    )


def summaries_compute(
    *, year: int, person_ids: Sequence[int] | None = None, today: date | None = None
) -> list[Summary]:
    """The year's summaries of ``person_ids`` (``None``: every person holding a series, and
    every person with a stored summary of the year who holds none now), computed by the
    evaluator over each person's approved records of the year, not stored.

    A constant number of queries: the persons' series, their confirmed profile facts, their
    approved records, their regions (the year's tables apply by region), the rule book.
    """
    today = today if today is not None else timezone.localdate()
    rules = rulebook_load()
    code_of = dict(ProfessionalSeries.objects.values_list("id", "code"))
    id_of = {code: pk for pk, code in code_of.items()}

    held_rows = Person.series.through.objects.all()
    if person_ids is not None:
        held_rows = held_rows.filter(person_id__in=person_ids)
    held: dict[int, list[str]] = {}
    for person_id, series_id in held_rows.values_list("person_id", "professionalseries_id"):
        held.setdefault(person_id, []).append(code_of[series_id])
    if person_ids is not None:
        persons = sorted(set(person_ids))
    else:
        stored = YearSummary.objects.filter(year=year).values_list("person_id", flat=True)
        persons = sorted(set(held) | set(stored))
    profiles = person_profiles(list(person_ids) if person_ids is not None else None)

    records_q = Q(year=year, status=Record.Status.APPROVED)
    if person_ids is not None:
        records_q &= Q(person_id__in=person_ids)
    # Plain rows, not model instances: the evaluator reads only these fields.
    records_of: dict[int, list[RecordRow]] = {}
    rows = (
        Record.objects.filter(records_q)
        .order_by("person_id", "start_date", "pk")
        .values_list("person_id", *ROW_FIELDS)
    )
    for person_id, category, series_id, *rest in rows:
        series_code = code_of[series_id] if series_id is not None else None
        records_of.setdefault(person_id, []).append(RecordRow(category, series_code, *rest))

    regions = person_regions(persons)
    summaries: list[Summary] = []
    for person_id in persons:
        series = tuple(sorted(held.get(person_id, ())))
        inputs = records_to_inputs(
            records_of.get(person_id, ()), held=frozenset(series), rules=rules
        )
        try:
            result = evaluate(
                EvaluationInput(
                    year=year,
                    series=series,
                    profile=dataclasses.replace(
                        profiles.get(person_id, Profile()), regions=regions.get(person_id, ())
                    ),
                    records=tuple(inputs),
                ),
                rules,
                today=today,
            )
        except EvaluationError:
            summaries.append(Summary(person_id=person_id))  # nothing valid to check against
            continue
        summaries.append(_summary_from_result(person_id, result, id_of))
    return summaries
