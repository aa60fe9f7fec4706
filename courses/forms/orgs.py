"""Forms of the institution, qualification, instructor and integrity pages (s4-orgs)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.api import (
    Decision,
    Organisation,
    ProfessionalSeries,
    normalise_id_number,
    validate_id_number,
    validate_visible_text,
)
from portal.widgets import IsoDateInput

FILE_HELP = _("PDF, JPEG or PNG, at most 10 MB each; the content is checked, not the name.")
SEARCH_MAX_LENGTH = 50


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one ``<input type=file multiple>``; their content is checked by
    ``portal.uploads.validate_evidence`` in the service."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}))
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        if not data:
            return []
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=SEARCH_MAX_LENGTH)

    def search(self) -> str:
        if not self.is_valid():
            return ""
        return str(self.cleaned_data.get("q") or "").strip()


# --- Qualifications ----------------------------------------------------------------------------


class QualificationApplyForm(forms.Form):
    series = forms.ModelChoiceField(
        queryset=ProfessionalSeries.objects.none(),
        label=_("Professional series"),
        to_field_name="code",
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Teaching staff, premises and courses you offer in this series."),
    )
    attachments = MultipleFileField(label=_("Attachments"), help_text=FILE_HELP)

    def __init__(self, *args: Any, series: QuerySet[ProfessionalSeries], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["series"].queryset = series  # type: ignore[attr-defined]


class QualificationResubmitForm(forms.Form):
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    attachments = MultipleFileField(label=_("More attachments"), help_text=FILE_HELP)


class IdListField(forms.Field):
    """Repeated ``name=<id>`` values (checkboxes) as a list of ints."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[int]:
        if not value:
            return []
        try:
            ids = [int(v) for v in value]
        except (TypeError, ValueError):
            raise forms.ValidationError(_("Invalid selection.")) from None
        if not all(1 <= i <= 2**63 - 1 for i in ids):
            raise forms.ValidationError(_("Invalid selection."))
        return ids


class QualificationBatchForm(forms.Form):
    """One decision over the ticked applications (the three outcomes)."""

    decision = forms.ChoiceField(
        choices=Decision.choices, widget=forms.RadioSelect, label=_("Decision")
    )
    reason = forms.CharField(label=_("Reason"), required=False, max_length=1000)
    qualification_ids = IdListField(required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            data.get("decision") in (Decision.REJECT, Decision.RETURN)
            and not (data.get("reason") or "").strip()
        ):
            self.add_error("reason", _("Give a reason when you reject or return."))
        if not data.get("qualification_ids"):
            self.add_error(None, _("Select at least one application."))
        return data


# --- Instructors -------------------------------------------------------------------------------


class InstructorForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=50, validators=[validate_visible_text])
    title = forms.CharField(
        label=_("Professional title"),
        max_length=50,
        required=False,
        validators=[validate_visible_text],
    )
    specialty = forms.CharField(
        label=_("Specialty"), max_length=100, required=False, validators=[validate_visible_text]
    )
    phone = forms.RegexField(
        label=_("Phone"),
        regex=r"^[0-9]{7,11}$",
        max_length=11,
        required=False,
        error_messages={"invalid": _("Enter 7 to 11 digits.")},
    )


# --- Integrity ---------------------------------------------------------------------------------


class ViolationForm(forms.Form):
    PARTY_CHOICES = [
        ("institution", _("Institution")),
        ("employer", _("Employer")),
        ("person", _("Professional")),
    ]

    party = forms.ChoiceField(
        label=_("Against"), choices=PARTY_CHOICES, widget=forms.RadioSelect, initial="institution"
    )
    institution = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        required=False,
        label=_("Institution"),
    )
    uscc = forms.CharField(
        label=_("Employer's unified social credit code"), max_length=18, required=False
    )
    id_number = forms.CharField(label=_("Professional's ID number"), max_length=18, required=False)
    series = forms.ModelChoiceField(
        queryset=ProfessionalSeries.objects.none(),
        required=False,
        label=_("Series"),
        to_field_name="code",
    )
    reason = forms.CharField(
        label=_("Violation"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[validate_visible_text],
        help_text=_("Shown on the public list for institutions: state the facts only."),
    )
    occurred_on = forms.DateField(label=_("Occurred on"), widget=IsoDateInput)
    clears_on = forms.DateField(label=_("Clears on"), widget=IsoDateInput)
    evidence = forms.FileField(
        label=_("Evidence"),
        help_text=FILE_HELP,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )

    def __init__(
        self,
        *args: Any,
        institutions: QuerySet[Organisation],
        series: QuerySet[ProfessionalSeries],
        series_required: bool,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = institutions  # type: ignore[attr-defined]
        self.fields["series"].queryset = series  # type: ignore[attr-defined]
        self.fields["series"].required = series_required

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        party = data.get("party")
        if party == "institution" and not data.get("institution"):
            self.add_error("institution", _("Choose the institution."))
        elif party == "employer" and not (data.get("uscc") or "").strip():
            self.add_error("uscc", _("Enter the employer's credit code."))
        elif party == "person":
            id_number = normalise_id_number(data.get("id_number") or "")
            try:
                validate_id_number(id_number)
            except forms.ValidationError as exc:
                self.add_error("id_number", exc)
            else:
                data["id_number"] = id_number
        occurred, clears = data.get("occurred_on"), data.get("clears_on")
        if occurred and clears and clears < occurred:
            self.add_error("clears_on", _("The clearing date must be on or after the violation."))
        return data


class ViolationClearForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for clearing early"),
        max_length=1000,
        validators=[validate_visible_text],
    )
