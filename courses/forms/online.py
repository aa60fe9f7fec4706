"""Forms of online public-subject study."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from courses.models_online import Question


class YearForm(forms.Form):
    """The course year, among the years the course counts for."""

    year = forms.TypedChoiceField(label=_("Course year"), coerce=int)

    def __init__(self, *args: Any, years: Iterable[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, str(y)) for y in years]  # type: ignore[attr-defined]


class SubjectForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2010, max_value=2100)
    title = forms.CharField(label=_("Topic"), max_length=120)
    hours = forms.DecimalField(
        label=_("Hours"), min_value=Decimal("0.5"), max_digits=4, decimal_places=1
    )
    published = forms.BooleanField(label=_("Publish now"), required=False)


class AnswersForm(forms.Form):
    """One radio group per question (``q<id>``); unanswered questions count as wrong."""

    def __init__(self, *args: Any, questions: Iterable[Question], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for question in questions:
            self.fields[f"q{question.pk}"] = forms.TypedChoiceField(
                label=question.text,
                choices=[(i, text) for i, text in enumerate(question.choices)],
                coerce=int,
                widget=forms.RadioSelect,
                required=False,
            )

    def answers(self) -> Mapping[int, int]:
        return {
            int(name[1:]): value
            for name, value in self.cleaned_data.items()
            if value not in (None, "")
        }
