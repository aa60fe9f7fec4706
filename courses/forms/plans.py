"""Forms of the course plan pages (filer, reviewer, HRSS)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.api import Decision, Organisation, validate_visible_text
from courses.models import GuideCourse, Instructor, ReviewStatus, TrainingClass
from courses.selectors.guides import published_courses
from portal.widgets import IsoDateInput

MAX_ID = 2**63 - 1


class CourseChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: GuideCourse) -> str:
        guide = obj.guide
        return (
            f"{guide.year} · {guide.series.name} · {obj.name} ({obj.hours} h)"
            f" · {guide.authority.name}"
        )


class PlanForm(forms.Form):
    course = CourseChoiceField(
        label=_("Course (from a published subject guide)"), queryset=GuideCourse.objects.none()
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, filer: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["course"].queryset = published_courses(filer)  # type: ignore[attr-defined]


class ClassForm(forms.Form):
    name = forms.CharField(
        label=_("Class name"), max_length=120, validators=[validate_visible_text]
    )
    start_date = forms.DateField(label=_("Start date"), widget=IsoDateInput())
    end_date = forms.DateField(label=_("End date"), widget=IsoDateInput())
    hours = forms.DecimalField(label=_("Hours"), min_value=0.5, max_digits=5, decimal_places=1)
    capacity = forms.IntegerField(label=_("Planned places"), min_value=1, max_value=100_000)
    mode = forms.ChoiceField(
        label=_("Mode"), choices=TrainingClass.Mode.choices, widget=forms.RadioSelect
    )
    location = forms.CharField(
        label=_("Location"),
        required=False,
        max_length=200,
        validators=[validate_visible_text],
        help_text=_("Required for a face-to-face class."),
    )
    instructors = forms.ModelMultipleChoiceField(
        label=_("Instructors"),
        required=False,
        queryset=Instructor.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only your organisation's enabled instructors are listed."),
    )
    head_teacher = forms.ModelChoiceField(
        label=_("Head teacher"),
        required=False,
        queryset=Instructor.objects.none(),
        empty_label=_("None"),
    )

    def __init__(self, *args: Any, filer: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        enabled = Instructor.objects.filter(owner=filer, enabled=True).order_by("name", "pk")
        self.fields["instructors"].queryset = enabled  # type: ignore[attr-defined]
        self.fields["head_teacher"].queryset = enabled  # type: ignore[attr-defined]
        self.fields["mode"].initial = TrainingClass.Mode.FACE_TO_FACE

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The class cannot end before it starts."))
        if data.get("mode") == TrainingClass.Mode.FACE_TO_FACE and not data.get("location"):
            self.add_error("location", _("Give the location of a face-to-face class."))
        return data

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        head = data.pop("head_teacher", None)
        data["head_teacher"] = head.name if head else ""
        data["instructors"] = list(data.get("instructors") or [])
        return data

    @staticmethod
    def initial_for(training_class: TrainingClass) -> dict[str, Any]:
        head = (
            Instructor.objects.filter(
                owner_id=training_class.plan.filer_id, name=training_class.head_teacher
            ).first()
            if training_class.head_teacher
            else None
        )
        return {
            "name": training_class.name,
            "start_date": training_class.start_date,
            "end_date": training_class.end_date,
            "hours": training_class.hours,
            "capacity": training_class.capacity,
            "mode": training_class.mode,
            "location": training_class.location,
            "instructors": list(training_class.instructors.all()),
            "head_teacher": head,
        }


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("Attachment"), help_text=_("A PDF, JPEG or PNG file of at most 10 MB.")
    )


class PlanStatusFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), *ReviewStatus.choices],
    )

    def status_value(self, default: str = "") -> str:
        if not self.is_bound:
            return default
        if not self.is_valid():
            return default
        return str(self.cleaned_data.get("status") or "")


class IdListField(forms.Field):
    """Repeated `name=<id>` values (checkboxes) as a list of ints."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[int]:
        if not value:
            return []
        try:
            ids = [int(v) for v in value]
        except (TypeError, ValueError):
            raise ValidationError(_("Invalid plan selection.")) from None
        if not all(1 <= i <= MAX_ID for i in ids):
            raise ValidationError(_("Invalid plan selection."))
        return ids


class PlanReviewForm(forms.Form):
    """One decision over the ticked plans (the queue's batch review, 004 authority #3)."""

    decision = forms.ChoiceField(
        choices=Decision.choices, widget=forms.RadioSelect, label=_("Decision")
    )
    reason = forms.CharField(label=_("Reason"), required=False, max_length=1000)
    plan_ids = IdListField(required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            data.get("decision") in (Decision.REJECT, Decision.RETURN)
            and not (data.get("reason") or "").strip()
        ):
            self.add_error("reason", _("Give a reason when you reject or return."))
        if not data.get("plan_ids"):
            self.add_error(None, _("Select at least one plan."))
        return data
