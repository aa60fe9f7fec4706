"""The evaluator's inputs for stored records: the one conversion every caller shares.

``credits.selectors.records.record_input`` converts one record and
``credits.selectors.records.record_counts``
decides whether it can count at all (the progress page uses both too); this module adds the
split of a record over the evaluator's per-record maximum.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from credits.models import Record
from credits.rules import RecordInput, RuleBook
from credits.selectors.records import RecordRow, record_counts, record_input


def records_to_inputs(
    records: Iterable[Record | RecordRow], *, held: frozenset[str], rules: RuleBook
) -> list[RecordInput]:
    """The evaluator's inputs for a person's records (one per record; unusable ones left out;
    hours over the per-record maximum split into several inputs).

    ``records`` are Record instances with ``series`` loaded (``select_related("series")``)
    or ``RecordRow``s read with ``values_list`` (no model instances).
    """
    inputs: list[RecordInput] = []
    cap = rules.max_hours_per_record
    for record in records:
        row = record if isinstance(record, RecordRow) else RecordRow.of(record)
        if not record_counts(row, held=held, book=rules):
            continue
        if row.activity_code or row.hours <= cap:
            inputs.append(record_input(row))
            continue
        hours = row.hours
        while hours > 0:
            part = min(hours, cap)
            inputs.append(record_input(replace(row, hours=part)))
            hours -= part
    return inputs
