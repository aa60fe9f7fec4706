"""Forms of the class pages: the public search, a state change, enrolment decisions and
results (the table and the sheet)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from courses.models import Enrolment, GuideCourse, TrainingClass
from courses.services.results import Result, score_parse

ANY = [("", _("Any"))]
MAX_ID = 2**63 - 1
RESULTS_SHEET_MAX_BYTES = 2 * 1024 * 1024


class ClassSearchForm(forms.Form):
    """培训开班信息查询's filters: class name, course name, course type, state, institution."""

    name = forms.CharField(label=_("Class name"), required=False, max_length=120)
    course = forms.CharField(label=_("Course name"), required=False, max_length=120)
    course_type = forms.ChoiceField(
        label=_("Course type"), required=False, choices=ANY + list(GuideCourse.CourseType.choices)
    )
    status = forms.ChoiceField(
        label=_("Class state"), required=False, choices=ANY + list(TrainingClass.Status.choices)
    )
    institution = forms.CharField(label=_("Institution"), required=False, max_length=120)

    def filters(self) -> dict[str, str]:
        if not self.is_valid():
            return {}
        return {k: (v or "").strip() for k, v in self.cleaned_data.items()}


class StatusForm(forms.Form):
    to = forms.ChoiceField(
        choices=[
            (s, label)
            for s, label in TrainingClass.Status.choices
            if s in (TrainingClass.Status.ACCEPTING, TrainingClass.Status.OPEN, "cancelled")
        ]
    )
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)


class DecideForm(forms.Form):
    """Accept or cancel the ticked enrolments."""

    enrolment_ids = forms.TypedMultipleChoiceField(
        coerce=int, required=True, error_messages={"required": _("Choose at least one enrolment.")}
    )
    action = forms.ChoiceField(choices=[("accept", _("Accept")), ("cancel", _("Cancel"))])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        ids = self.data.getlist("enrolment_ids") if hasattr(self.data, "getlist") else []
        field = self.fields["enrolment_ids"]
        assert isinstance(field, forms.TypedMultipleChoiceField)
        field.choices = [(i, i) for i in ids if str(i).isdigit() and int(i) <= MAX_ID]


def results_from_post(data: Any, enrolment_ids: list[int]) -> tuple[list[Result], list[str]]:
    """The results table's rows (``result_<id>`` and ``score_<id>``) for the given
    enrolments, and the problems found (``(results, errors)``)."""
    results: list[Result] = []
    errors: list[str] = []
    for pk in enrolment_ids:
        result = str(data.get(f"result_{pk}", "")).strip()
        if result not in Enrolment.Result.values:
            errors.append(str(_("Choose passed or failed.")))
            continue
        try:
            score = score_parse(data.get(f"score_{pk}"))
        except ValueError as exc:
            errors.append(str(exc))
            continue
        results.append(Result(pk, result, score))
    return results, errors


class ResultsUploadForm(forms.Form):
    sheet = forms.FileField(
        label=_("Results sheet (.xlsx or .csv)"),
        help_text=_("Columns: 身份证号码, 姓名, 考核结果 (合格 or 不合格), 成绩 (0–100)."),
    )

    def clean_sheet(self) -> bytes:
        upload = self.cleaned_data["sheet"]
        if upload.size > RESULTS_SHEET_MAX_BYTES:
            raise forms.ValidationError(_("A results sheet may be at most 2 MB."))
        return bytes(upload.read())
