"""Forms of the employer's record entry pages: they parse input; the services check the rules."""

from __future__ import annotations

import dataclasses
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.api import normalise_id_number, validate_id_number
from credits.forms.person import RecordForm
from credits.sheets import SHEET_MAX_BYTES
from portal.forms import percent_lazy


class RecordEntryForm(RecordForm):
    """A record an employer enters for one of its staff, named by ID number and name; the
    rest is the person's declaration form."""

    id_number = forms.CharField(
        label=_("ID number"),
        max_length=18,
        validators=[validate_id_number],
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
    )
    real_name = forms.CharField(label=_("Name"), max_length=50)

    field_order = ["id_number", "real_name"]

    def clean_id_number(self) -> str:
        return normalise_id_number(self.cleaned_data["id_number"])

    def clean_real_name(self) -> str:
        return str(self.cleaned_data["real_name"]).strip()

    def declaration(self) -> dict[str, Any]:
        """The fields of ``record_create``'s ``RecordDraft`` (the evidence files apart)."""
        return dataclasses.asdict(self.draft())


class SheetUploadForm(forms.Form):
    sheet = forms.FileField(
        label=_("Sheet"),
        help_text=percent_lazy(
            _(
                "An Excel workbook (.xlsx) or a CSV file laid out as the template, at most "
                "%(max)d MB and %(rows)s rows."
            ),
            {"max": SHEET_MAX_BYTES // (1024 * 1024), "rows": "10,000"},
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )

    def clean_sheet(self) -> Any:
        sheet = self.cleaned_data["sheet"]
        if sheet.size > SHEET_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is %(size).1f MB; a sheet may be at most %(max)d MB.")
                % {"size": sheet.size / (1024 * 1024), "max": SHEET_MAX_BYTES // (1024 * 1024)}
            )
        return sheet
