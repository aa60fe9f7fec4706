"""Forms of the subject guide pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.api import Organisation, ProfessionalSeries, validate_visible_text
from courses.models import GuideCourse


class GuideForm(forms.Form):
    series = forms.ModelChoiceField(label=_("Series"), queryset=ProfessionalSeries.objects.none())
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)

    def __init__(self, *args: Any, authority: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["series"].queryset = authority.series.all()  # type: ignore[attr-defined]
        self.fields["year"].initial = timezone.localdate().year


class GuideCourseForm(forms.Form):
    name = forms.CharField(
        label=_("Course name"), max_length=120, validators=[validate_visible_text]
    )
    course_type = forms.ChoiceField(
        label=_("Course type"),
        choices=GuideCourse.CourseType.choices,
        initial=GuideCourse.CourseType.PROFESSIONAL,
    )
    hours = forms.DecimalField(label=_("Hours"), min_value=0.5, max_digits=5, decimal_places=1)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class GuideFilterForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)
    series = forms.ModelChoiceField(
        label=_("Series"),
        required=False,
        queryset=ProfessionalSeries.objects.filter(is_active=True),
        to_field_name="code",
        empty_label=_("Any"),
    )

    def filters(self) -> dict[str, Any]:
        if not self.is_bound or not self.is_valid():
            return {}
        series = self.cleaned_data.get("series")
        return {"year": self.cleaned_data.get("year"), "series_code": series.code if series else ""}
