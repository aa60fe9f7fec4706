"""Learners' results (004 institution #4: "设置状态为开班即可…录入学员成绩"): while a class is
open, its filer records each accepted learner's result (pass or fail) and score (0–100), in
the browser's table or from an uploaded CSV/XLSX sheet (the template is downloadable).

A sheet goes through ``credits.api``'s sheet reader (type from the content, size caps,
headers in any order); every row is checked before anything is saved, and one bad row
refuses the whole sheet with each problem listed by line and column.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.api import Organisation, User, audit_log_many, normalise_id_number
from courses.models import Enrolment, TrainingClass
from courses.services.classes import check_filer, class_lock
from credits.api import LineError, SheetColumn, SheetError, sheet_format, sheet_rows

RESULT_COLUMNS: tuple[SheetColumn, ...] = (
    SheetColumn("id_number", "身份证号码", True, "440105199001010017"),
    SheetColumn("real_name", "姓名", False, "张三"),
    SheetColumn("result", "考核结果", True, "合格"),
    SheetColumn("score", "成绩", False, 86),
)
_HEADERS = {c.key: c.header for c in RESULT_COLUMNS}
RESULT_NAMES = {
    "合格": Enrolment.Result.PASS,
    "通过": Enrolment.Result.PASS,
    "pass": Enrolment.Result.PASS,
    "passed": Enrolment.Result.PASS,
    "不合格": Enrolment.Result.FAIL,
    "不通过": Enrolment.Result.FAIL,
    "fail": Enrolment.Result.FAIL,
    "failed": Enrolment.Result.FAIL,
}


@dataclass(frozen=True)
class Result:
    enrolment_id: int
    result: str  # Enrolment.Result: "", "pass" or "fail"
    score: Decimal | None


def score_parse(value: Any) -> Decimal | None:
    """A score of 0–100 with at most one decimal, or ``None`` when blank; ``ValueError``
    with the message otherwise."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        score = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(_("Enter a score from 0 to 100.")) from None
    if not score.is_finite() or not Decimal(0) <= score <= Decimal(100):
        raise ValueError(_("Enter a score from 0 to 100."))
    if score != score.quantize(Decimal("0.1")):
        raise ValueError(_("Use at most one decimal place."))
    return score


def _check_open(locked: TrainingClass) -> None:
    if locked.status != TrainingClass.Status.OPEN:
        raise ValidationError(
            _("Results can be recorded only while the class is open."), code="class_state"
        )


def _save(
    locked: TrainingClass, results: Sequence[Result], *, user: User, organisation: Organisation
) -> int:
    accepted = {
        e.pk: e
        for e in Enrolment.objects.select_for_update().filter(
            training_class=locked, status=Enrolment.Status.ACCEPTED
        )
    }
    changed: list[Enrolment] = []
    for item in results:
        enrolment = accepted.get(item.enrolment_id)
        if enrolment is None:
            raise ValidationError(
                _("Only accepted learners of this class get a result."), code="not_accepted"
            )
        if item.result not in Enrolment.Result.values:
            raise ValidationError(_("Choose passed or failed."), code="result")
        if item.result == Enrolment.Result.NONE and item.score is not None:
            raise ValidationError(_("A score needs a result."), code="result")
        if (enrolment.result, enrolment.score) != (item.result, item.score):
            enrolment.result, enrolment.score = item.result, item.score
            changed.append(enrolment)
    Enrolment.objects.bulk_update(changed, ["result", "score", "updated_at"], batch_size=500)
    audit_log_many(
        actor=user,
        action="enrolment.result",
        target_type="courses.enrolment",
        target_ids=[e.pk for e in changed],
        organisation=organisation,
    )
    return len(changed)


@transaction.atomic
def results_record(
    *,
    training_class: TrainingClass,
    results: Sequence[Result],
    user: User,
    organisation: Organisation,
) -> int:
    """Record results from the browser's table; how many changed.

    Checks ``organisation`` filed the class's plan; caller checks ``user`` acts for it."""
    locked = class_lock(training_class)
    check_filer(locked, organisation)
    _check_open(locked)
    return _save(locked, results, user=user, organisation=organisation)


class SheetRefused(ValidationError):
    """The sheet has bad rows: ``errors`` lists each by line and column; nothing was saved."""

    def __init__(self, errors: list[LineError]) -> None:
        super().__init__(
            [_("Line %(line)d, %(column)s: %(message)s") % e.as_dict() for e in errors],
            code="sheet_rows",
        )
        self.errors = errors


def _row_result(
    values: Mapping[str, Any], line: int, by_id: Mapping[str, Enrolment], errors: list[LineError]
) -> Result | None:
    raw_id = values.get("id_number")
    number = normalise_id_number(str(raw_id or "").strip())
    if isinstance(raw_id, int | float):
        errors.append(
            LineError(
                line,
                _HEADERS["id_number"],
                _("The ID number became a number in the spreadsheet; format the column as text."),
            )
        )
        return None
    enrolment = by_id.get(number)
    if enrolment is None:
        errors.append(
            LineError(
                line,
                _HEADERS["id_number"],
                _("No accepted learner of this class has this ID number."),
            )
        )
        return None
    name = str(values.get("real_name") or "").strip()
    if name and name != enrolment.person.real_name.strip():
        errors.append(
            LineError(
                line, _HEADERS["real_name"], _("The name does not match this ID number's learner.")
            )
        )
    text = str(values.get("result") or "").strip().casefold()
    result = RESULT_NAMES.get(text)
    if result is None:
        errors.append(LineError(line, _HEADERS["result"], _("Write 合格 or 不合格.")))
    try:
        score = score_parse(values.get("score"))
    except ValueError as exc:
        errors.append(LineError(line, _HEADERS["score"], str(exc)))
        return None
    if result is None:
        return None
    return Result(enrolment.pk, result, score)


@transaction.atomic
def results_import(
    *,
    training_class: TrainingClass,
    content: bytes,
    user: User,
    organisation: Organisation,
) -> int:
    """Record results from an uploaded sheet: all rows or none; how many changed.  Raises
    ``SheetError`` (the file as a whole) or ``SheetRefused`` (bad rows by line and column).

    Checks ``organisation`` filed the class's plan; caller checks ``user`` acts for it."""
    locked = class_lock(training_class)
    check_filer(locked, organisation)
    _check_open(locked)
    rows = sheet_rows(sheet_format(content), content, RESULT_COLUMNS)
    by_id = {
        e.person.id_number: e
        for e in Enrolment.objects.select_related("person").filter(
            training_class=locked, status=Enrolment.Status.ACCEPTED
        )
    }
    errors: list[LineError] = []
    results: list[Result] = []
    seen: dict[int, int] = {}
    for row in rows:
        item = _row_result(row.values, row.line, by_id, errors)
        if item is None:
            continue
        if item.enrolment_id in seen:
            errors.append(
                LineError(
                    row.line,
                    _HEADERS["id_number"],
                    _("This learner is already on line %(line)d.")
                    % {"line": seen[item.enrolment_id]},
                )
            )
            continue
        seen[item.enrolment_id] = row.line
        results.append(item)
    if errors:
        raise SheetRefused(errors)
    return _save(locked, results, user=user, organisation=organisation)


__all__ = [
    "RESULT_COLUMNS",
    "Result",
    "SheetError",
    "SheetRefused",
    "results_import",
    "results_record",
]
