from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from certificates.models import BulkPrintJob

FIRST_PROVINCIAL_YEAR = 2019


class BulkPrintForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Year"), coerce=int, choices=())
    format = forms.ChoiceField(
        label=_("Format"),
        choices=BulkPrintJob.Format.choices,
        initial=BulkPrintJob.Format.PDF,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        this_year = timezone.localdate().year
        years = range(this_year, FIRST_PROVINCIAL_YEAR - 1, -1)
        self.fields["year"].choices = [(y, str(y)) for y in years]  # type: ignore[attr-defined]
        self.fields["year"].initial = this_year - 1


class HistoryKindForm(forms.Form):
    kind = forms.ChoiceField(
        choices=[("certificates", _("Certificates")), ("records", _("Records"))],
        required=False,
    )
