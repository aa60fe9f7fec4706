"""Annual validation (年度验证): every person's year, computed in bulk, kept in YearSummary.

Two ways to compute a year, one arithmetic: the evaluator (``credits.rules.evaluate``) over
each person's records (``compute``, the truth: every person on databases other than
PostgreSQL, persons with a record of a special kind), and on PostgreSQL the set-based SQL
of ``whole_year`` for everyone else, over the whole year or restricted to the persons of a
per-person refresh (the task after a batch approval); both read records
through one conversion (``inputs`` on ``credits.selectors.records.record_input`` and
``record_counts``, and the confirmed profile facts through ``credits.selectors.records.profile_of``)
and write through ``store``.

A record the evaluator would refuse for this person (a series or activity of a series the
person does not hold, an unknown kind or activity) counts nothing, on the progress page and
here alike, so one bad row never blocks a whole year's validation.

``summaries_refresh_later`` is what other services call when a record changes state: it
queues the recomputation of those person-years after the transaction commits.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from datetime import date, datetime

from django.db import connection, transaction
from django.utils import timezone

from accounts.api import Person
from credits.models import Record, YearSummary
from credits.rules import EvaluationInput, EvaluationResult, evaluate
from credits.selectors.records import person_profile, person_regions, rulebook_load
from credits.services.validation.compute import Summary, summaries_compute
from credits.services.validation.inputs import records_to_inputs
from credits.services.validation.store import delete_stale, store_summaries
from credits.services.validation.whole_year import refresh_whole_year_postgresql
from credits.signals import year_summary_changed
from portal.queue import queue_on_commit

# Queued by name after commit: credits.tasks imports this package.
SUMMARIES_REFRESH_TASK = "credits.tasks.summaries_refresh_task"

__all__ = [
    "Summary",
    "records_to_inputs",
    "summaries_compute",
    "summaries_refresh",
    "summaries_refresh_later",
    "summary_refresh_one",
    "year_explanation",
]


def summaries_refresh_later(pairs: Iterable[tuple[int, int]]) -> None:
    """Recompute the (person_id, year) summaries once the current transaction commits.

    Caller checks: the service whose change makes the summaries stale has authorised it."""
    wanted = sorted(set(pairs))
    if not wanted:
        return
    queue_on_commit(SUMMARIES_REFRESH_TASK, [list(p) for p in wanted])


@transaction.atomic
def summaries_refresh(
    *, year: int, person_ids: Sequence[int] | None = None, today: date | None = None
) -> int:
    """Recompute the year's summaries of ``person_ids`` (when ``None``: every person holding
    at least one series, and those with a summary of the year who now hold none); returns
    how many summaries were written.

    Idempotent (it recomputes from the records), with a constant number of queries whatever
    the number of persons.

    Caller checks: a system job (task, command, the service whose change made them stale).
    """
    if person_ids is not None:
        person_ids = sorted(set(person_ids))
        if not person_ids:
            return 0
    started = timezone.now()
    if connection.vendor == "postgresql":
        written = refresh_whole_year_postgresql(year=year, today=today, person_ids=person_ids)
    else:
        written = store_summaries(
            year, summaries_compute(year=year, person_ids=person_ids, today=today)
        )
        delete_stale(year, person_ids)
    _announce_changed(year, person_ids, since=started)
    return written


def _announce_changed(year: int, person_ids: Sequence[int] | None, *, since: datetime) -> None:
    """Send ``year_summary_changed`` after commit for the summaries this refresh wrote: the
    store stamps ``computed_at`` only on rows it inserted or whose figures changed."""
    changed = YearSummary.objects.filter(year=year, computed_at__gte=since)
    if person_ids is not None:
        changed = changed.filter(person_id__in=person_ids)
    person_ids = list(changed.order_by("person_id").values_list("person_id", flat=True))
    if person_ids:
        transaction.on_commit(
            lambda: year_summary_changed.send(sender=YearSummary, year=year, person_ids=person_ids),
            robust=True,
        )


def summary_refresh_one(*, person_id: int, year: int) -> YearSummary | None:
    """Recompute one person-year now (the "recount" button) and return the stored row.

    Caller checks: `person_id` is the logged-in person's own (or a system job)."""
    summaries_refresh(year=year, person_ids=[person_id])
    return YearSummary.objects.filter(person_id=person_id, year=year).first()


def year_explanation(*, person: Person, year: int, today: date | None = None) -> EvaluationResult:
    """The evaluator over the person's approved records of the year, one input per record,
    with the person's confirmed profile facts.

    Raises ``EvaluationError`` when the person holds no (valid) series.

    Caller checks: `person` is the logged-in person's own (a read; nothing is written).
    """
    rules = rulebook_load()
    series = tuple(sorted(person.series.values_list("code", flat=True)))
    records = (
        Record.objects.filter(person=person, year=year, status=Record.Status.APPROVED)
        .select_related("series")
        .order_by("start_date", "pk")
    )
    inputs = records_to_inputs(records, held=frozenset(series), rules=rules)
    profile = dataclasses.replace(
        person_profile(person.pk), regions=person_regions([person.pk]).get(person.pk, ())
    )
    return evaluate(
        EvaluationInput(year=year, series=series, profile=profile, records=tuple(inputs)),
        rules,
        today=today if today is not None else timezone.localdate(),
    )
