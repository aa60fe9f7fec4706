"""Forms of the credits app's pages: they parse input; the services validate the rules."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from accounts.api import ProfessionalSeries, validate_visible_text
from credits.models import Record
from credits.rules import TARGET_WHOLE_YEAR
from credits.rules import ActivityConversion as RuleActivity
from credits.services.records import RecordDraft
from credits.uploads import EVIDENCE_MAX_BYTES
from portal.forms import percent_lazy
from portal.widgets import IsoDateInput


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one ``<input type=file multiple>``; the content is checked by
    ``credits.uploads.validate_evidence`` in the service."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}))
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        if not data:
            return []
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


# Years a form accepts: wide enough for any real record, narrow enough for the database.
YEAR_MIN = 1990
YEAR_MAX = 2100

UNIT_CHOICES = [
    (Record.Unit.HOURS, _("hours")),
    (Record.Unit.DAYS, _("days")),
    (Record.Unit.MINUTES, _("minutes")),
]


def activity_label(activity: RuleActivity) -> str:
    """How the form names an activity: its name and what it counts."""
    name = activity.name or activity.code
    hours = format(activity.hours.normalize(), "f")
    if activity.target == TARGET_WHOLE_YEAR:
        return str(_("%(name)s: the whole year") % {"name": name})
    if activity.unit == "day":
        return str(_("%(name)s: %(hours)s credits a day") % {"name": name, "hours": hours})
    if activity.unit == "hour":
        return str(_("%(name)s: %(hours)s credits an hour") % {"name": name, "hours": hours})
    return str(_("%(name)s: %(hours)s credits each") % {"name": name, "hours": hours})


class RecordForm(forms.Form):
    """A person's declaration; every declaration rule is checked by ``record_create``."""

    year = forms.IntegerField(label=_("Declared year"), min_value=YEAR_MIN, max_value=YEAR_MAX)
    category = forms.ChoiceField(label=_("Category"), choices=Record.Category.choices)
    series = forms.ChoiceField(
        label=_("Series"),
        required=False,
        help_text=_("Required for professional subjects."),
    )
    activity = forms.ChoiceField(
        label=_("Accounting activity"),
        required=False,
        help_text=_(
            "For an activity of the accounting credit table (a conference, an exam, a paper, "
            "face-to-face training, online platform study…): the amount is then its number of "
            "items, days or hours, and the category and series follow the activity. For an "
            "exam, the end date is the day the results were published."
        ),
    )
    general_knowledge = forms.BooleanField(
        label=_(
            "Professional general knowledge (accounting ethics, accounting law, accounting "
            "reform and development)"
        ),
        required=False,
        help_text=_(
            "Where the year's rules set a minimum of it (Guangzhou 2023: 20 of the "
            "professional credits), only professional records ticked here count toward it."
        ),
    )
    amount = forms.DecimalField(label=_("Amount"), max_digits=8, decimal_places=1, min_value=0)
    unit = forms.ChoiceField(
        # 计量单位: "单位" alone reads as the employer.
        label=_("Unit of measure"),
        choices=UNIT_CHOICES,
        help_text=_("Days and minutes are converted to hours with the year's rules."),
    )
    title = forms.CharField(label=_("Content"), max_length=200, validators=[validate_visible_text])
    form = forms.ChoiceField(label=_("Form"), choices=Record.Form.choices)
    start_date = forms.DateField(label=_("Start date"), widget=IsoDateInput())
    end_date = forms.DateField(label=_("End date"), widget=IsoDateInput())
    assessment_result = forms.ChoiceField(
        label=_("Assessment result"), choices=Record.Assessment.choices
    )
    institution_name = forms.CharField(
        label=_("Institution"),
        max_length=120,
        required=False,
        validators=[validate_visible_text],
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=Record.Kind.choices,
        required=False,
        help_text=_(
            "Degree study counts as elective (capped). In-house training declared here counts "
            "as elective: it counts as professional only when it comes from a class of a plan "
            "the authority approved, which the class sends itself."
        ),
    )
    evidence = MultipleFileField(
        label=_("Evidence files"),
        help_text=percent_lazy(
            _("PDF, JPEG or PNG, at most %(max)d MB each; you may choose several."),
            {"max": EVIDENCE_MAX_BYTES // (1024 * 1024)},
        ),
    )

    def __init__(
        self,
        *args: Any,
        series: list[ProfessionalSeries],
        activities: Sequence[RuleActivity] = (),
        **kwargs: Any,
    ) -> None:
        """``activities``: the rule book's activities of the person's series (none: the
        activity and general-knowledge fields are left out)."""
        super().__init__(*args, **kwargs)
        field = self.fields["series"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "—"), *((s.code, s.name) for s in series)]
        if not activities:
            del self.fields["activity"]
            del self.fields["general_knowledge"]
            return
        field = self.fields["activity"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [
            ("", _("None: ordinary study")),
            *((a.code, activity_label(a)) for a in activities),
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("activity"):
            # The activity decides the category and the unit (credits.services.records).
            data["category"] = Record.Category.PROFESSIONAL
            data["unit"] = Record.Unit.ACTIVITY
        return data

    @staticmethod
    def initial_from(record: Record) -> dict[str, Any]:
        return {
            "year": record.year,
            "category": record.category,
            "series": record.series.code if record.series is not None else "",
            "amount": record.original_amount,
            "unit": record.original_unit,
            "title": record.title,
            "form": record.form,
            "start_date": record.start_date,
            "end_date": record.end_date,
            "assessment_result": record.assessment_result,
            "institution_name": record.institution_name,
            "kind": record.kind,
            "activity": record.activity_code,
            "general_knowledge": record.general_knowledge,
        }

    def draft(self) -> RecordDraft:
        """The cleaned data as the input of ``record_create`` / ``record_update``."""
        data = self.cleaned_data
        return RecordDraft(
            year=data["year"],
            category=data["category"],
            series_code=data["series"] or None,
            amount=data["amount"],
            unit=data["unit"],
            title=data["title"],
            form=data["form"],
            start_date=data["start_date"],
            end_date=data["end_date"],
            assessment_result=data["assessment_result"],
            institution_name=data["institution_name"],
            kind=data["kind"] or "",
            activity_code=data.get("activity") or "",
            general_knowledge=bool(data.get("general_knowledge")),
        )


class RecordFilterForm(forms.Form):
    year = forms.IntegerField(
        label=_("Year"), required=False, min_value=YEAR_MIN, max_value=YEAR_MAX
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All statuses")), *Record.Status.choices],
        widget=forms.Select(attrs={"aria-label": _("Status")}),
    )
