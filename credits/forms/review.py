"""Forms of the employer review queue and the HRSS recheck pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.api import Decision, DecisionForm, Organisation, ProfessionalSeries, Region
from credits.models import RecheckItem, Record
from credits.selectors.review import DEFAULT_REVIEW_SORT, ReviewFilters
from credits.services.recheck import MAX_SAMPLE_SIZE

ANY = [("", _("Any"))]
MAX_ID = 2**63 - 1  # the largest primary key PostgreSQL's bigint holds
ALL_STATUSES = "all"

SORT_CHOICES = [
    ("submitted", _("Submitted, oldest first")),
    ("-submitted", _("Submitted, newest first")),
    ("-start_date", _("Start date, newest first")),
    ("start_date", _("Start date, oldest first")),
    ("-year", _("Year, newest first")),
    ("year", _("Year, oldest first")),
    ("-hours", _("Hours, most first")),
    ("hours", _("Hours, fewest first")),
    ("person", _("Name, A to Z")),
    ("-person", _("Name, Z to A")),
]


class ReviewFilterForm(forms.Form):
    """The queue's GET filters. Without a status the queue shows records under review."""

    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[(value, label) for value, label in Record.Status.choices if value != "draft"]
        + [(ALL_STATUSES, _("Any status"))],
    )
    year = forms.IntegerField(label=_("Year"), required=False, min_value=1990, max_value=2100)
    category = forms.ChoiceField(
        label=_("Category"), required=False, choices=ANY + list(Record.Category.choices)
    )
    series = forms.ModelChoiceField(
        label=_("Series"),
        required=False,
        queryset=ProfessionalSeries.objects.none(),
        to_field_name="code",
        empty_label=_("Any"),
    )
    source = forms.ChoiceField(
        label=_("Source"), required=False, choices=ANY + list(Record.Source.choices)
    )
    person = forms.CharField(label=_("Name or ID number"), required=False, max_length=50)
    sort = forms.ChoiceField(label=_("Sort"), required=False, choices=SORT_CHOICES)

    def __init__(self, *args: Any, series: QuerySet[ProfessionalSeries], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["series"].queryset = series  # type: ignore[attr-defined]

    def _valid_data(self) -> dict[str, Any]:
        """The fields that validated; a bad value is ignored rather than emptying the queue."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return self.cleaned_data

    def filters(self) -> ReviewFilters:
        data = self._valid_data()
        status = data.get("status") or Record.Status.SUBMITTED
        series = data.get("series")
        return ReviewFilters(
            status="" if status == ALL_STATUSES else status,
            year=data.get("year"),
            category=data.get("category") or "",
            series_code=series.code if series else "",
            source=data.get("source") or "",
            person=data.get("person") or "",
        )

    def ordering(self) -> str:
        return str(self._valid_data().get("sort") or DEFAULT_REVIEW_SORT)


class IdListField(forms.Field):
    """Repeated `name=<id>` values (checkboxes) as a list of ints."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[int]:
        if not value:
            return []
        try:
            ids = [int(v) for v in value]
        except (TypeError, ValueError):
            raise forms.ValidationError(_("Invalid record selection.")) from None
        if not all(1 <= i <= MAX_ID for i in ids):
            # A 25-digit id would overflow the database's bigint (a 500, not a message).
            raise forms.ValidationError(_("Invalid record selection."))
        return ids


class ReviewDecisionForm(forms.Form):
    """One decision over the ticked records, or over every record matching the filter."""

    decision = forms.ChoiceField(
        choices=Decision.choices, widget=forms.RadioSelect, label=_("Decision")
    )
    reason = forms.CharField(label=_("Reason"), required=False, max_length=1000)
    record_ids = IdListField(required=False)
    # "Select this page": the page's rows are posted as page_ids, so it works without JS too.
    all_on_page = forms.BooleanField(required=False)
    page_ids = IdListField(required=False)
    all_matching = forms.BooleanField(required=False)
    query = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)
    page = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            data.get("decision") in (Decision.REJECT, Decision.RETURN)
            and not (data.get("reason") or "").strip()
        ):
            self.add_error("reason", _("Give a reason when you reject or return."))
        if data.get("all_on_page"):
            data["record_ids"] = sorted({*data.get("record_ids", []), *data.get("page_ids", [])})
        if not data.get("all_matching") and not data.get("record_ids"):
            self.add_error(None, _("Select at least one record."))
        return data


class RecordDecisionForm(DecisionForm):
    """One decision on one record, from its own page (the same rules as every review)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].help_text = _("Required to reject or return; the person sees it.")


class DecisionChangeForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The person sees this reason; the record is closed and may be declared again."),
    )


class RecheckDrawForm(forms.Form):
    size = forms.IntegerField(
        label=_("Sample size"), min_value=1, max_value=MAX_SAMPLE_SIZE, initial=20
    )
    year = forms.IntegerField(label=_("Year"), required=False, min_value=1990, max_value=2100)
    series = forms.ModelChoiceField(
        label=_("Series"),
        required=False,
        queryset=ProfessionalSeries.objects.none(),
        to_field_name="code",
        empty_label=_("Any"),
    )
    region = forms.ModelChoiceField(
        label=_("Region"),
        required=False,
        queryset=Region.objects.none(),
        to_field_name="code",
        empty_label=_("Any"),
    )
    employer = forms.ModelChoiceField(
        label=_("Employer"),
        required=False,
        queryset=Organisation.objects.none(),
        empty_label=_("Any"),
    )

    def __init__(
        self,
        *args: Any,
        series: QuerySet[ProfessionalSeries],
        regions: QuerySet[Region],
        employers: QuerySet[Organisation],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["series"].queryset = series  # type: ignore[attr-defined]
        self.fields["region"].queryset = regions  # type: ignore[attr-defined]
        self.fields["employer"].queryset = employers  # type: ignore[attr-defined]


class RecheckDecideForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        widget=forms.RadioSelect,
        choices=[
            (RecheckItem.Outcome.CONFIRMED, _("Confirm")),
            (RecheckItem.Outcome.REVOKED, _("Revoke")),
        ],
    )
    reason = forms.CharField(label=_("Reason"), required=False, max_length=1000)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            data.get("outcome") == RecheckItem.Outcome.REVOKED
            and not (data.get("reason") or "").strip()
        ):
            self.add_error("reason", _("Give a reason for revoking a record."))
        return data
