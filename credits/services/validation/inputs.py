"""The evaluator's inputs for stored records: the one conversion every caller shares.

``credits.selectors.record_input`` converts one record and ``credits.selectors.record_counts``
decides whether it can count at all (the progress page uses both too); this module adds the
split of a record over the evaluator's per-record maximum.
"""

from __future__ import annotations

from collections.abc import Iterable

from credits.models import Record
from credits.rules import RecordInput, RuleBook
from credits.selectors import record_counts, record_input


def records_to_inputs(
    records: Iterable[Record], *, held: frozenset[str], rules: RuleBook
) -> list[RecordInput]:
    """The evaluator's inputs for a person's records (one per record; unusable ones left out;
    hours over the per-record maximum split into several inputs).

    ``records`` need ``series`` loaded (``select_related("series")``).
    """
    inputs: list[RecordInput] = []
    cap = rules.max_hours_per_record
    for record in records:
        if not record_counts(record, held=held, book=rules):
            continue
        if record.activity_code or record.hours <= cap:
            inputs.append(record_input(record))
            continue
        series = record.series.code if record.series is not None else None
        hours = record.hours
        while hours > 0:
            part = min(hours, cap)
            inputs.append(
                RecordInput(
                    category=record.category,
                    series=series,
                    kind=record.kind or None,
                    approved_plan=record.approved_plan,
                    hours=part,
                    year=record.year,
                )
            )
            hours -= part
    return inputs
