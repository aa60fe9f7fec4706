"""Institutions' qualifications, instructors, subject guides, course plans, classes,
enrolments and integrity records (issue 9; seed 004's institution, authority and person
screens, and section 七 of the provincial opinions).

The parties are ``accounts.Organisation`` rows (institutions, employers, authorities, HRSS
offices) and ``accounts.Person``; they are referenced by their ``"accounts.Name"`` strings so
that this app imports accounts only through ``accounts.api``.  Every write goes through
``courses.services``; the records a closing class produces are written by ``credits.api``.

The way of a class:

    Qualification (institution × series, approved by the authority of its level)
        → SubjectGuide / GuideCourse (an authority's yearly professional subject guide)
        → CoursePlan (one course of a guide, a year and series; reviewed by the authority of
          the filer's level, filed with the HRSS office of the same level)
        → TrainingClass (planned → accepting enrolment → open → closed, or cancelled)
        → Enrolment (applied → accepted, or cancelled; a result while the class is open)
        → on close: one credits record per passed learner (``Enrolment.record``).
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.api import validate_visible_text


class ReviewStatus(models.TextChoices):
    """The state of anything reviewed with the three outcomes (同意 / 不同意并结案 / 退案)."""

    DRAFT = "draft", _("Draft")
    PENDING = "pending", _("Pending review")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    RETURNED = "returned", _("Returned for changes")


def attachment_upload_to(instance: models.Model, filename: str) -> str:
    """Uploads under ``courses/<model>/`` with a random name (the original is kept in
    ``name``): never a path a user chose."""
    import uuid
    from pathlib import PurePath

    suffix = PurePath(filename).suffix.lower()[:10]
    return f"courses/{instance._meta.model_name}/{uuid.uuid4().hex}{suffix}"


class Qualification(models.Model):
    """专业培训资格: an institution's right to teach one series, applied for to the authority
    of the institution's level and reviewed by it (004 institution #1/#2, authority #6).
    An institution may hold several, one per series; only an approved one lets it plan
    classes in that series."""

    institution = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="qualifications",
        verbose_name=_("institution"),
    )
    series = models.ForeignKey(
        "accounts.ProfessionalSeries",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("series"),
    )
    # The authority that reviews the application (governs the series, institution's level).
    authority = models.ForeignKey(
        "accounts.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="qualifications_to_review",
        verbose_name=_("reviewing authority"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.PENDING
    )
    description = models.TextField(_("description"), blank=True)
    reviewer_reason = models.TextField(_("reviewer's reason"), blank=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("applied by"),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("decided by"),
    )
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["institution", "series"]
        verbose_name = _("teaching qualification")
        verbose_name_plural = _("teaching qualifications")
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "series"], name="courses_one_qualification_per_series"
            ),
        ]
        indexes = [models.Index(fields=["authority", "status"], name="courses_qual_queue")]

    def __str__(self) -> str:
        return f"{self.institution_id}/{self.series_id} ({self.status})"


class QualificationAttachment(models.Model):
    """A file attached to a qualification application (checked by content on upload)."""

    qualification = models.ForeignKey(
        Qualification, on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to=attachment_upload_to, max_length=200)
    name = models.CharField(_("file name"), max_length=120)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("qualification attachment")
        verbose_name_plural = _("qualification attachments")

    def __str__(self) -> str:
        return self.name


class Instructor(models.Model):
    """师资: a teacher kept by an institution or an employer (004 institution #7, employer
    #6).  Only enabled instructors can be put on a class; an instructor who ever taught a
    class can be disabled but not deleted (the classes keep them: ``PROTECT``)."""

    owner = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="instructors",
        verbose_name=_("organisation"),
    )
    name = models.CharField(_("name"), max_length=50, validators=[validate_visible_text])
    title = models.CharField(
        _("professional title"), max_length=50, blank=True, validators=[validate_visible_text]
    )
    specialty = models.CharField(
        _("specialty"), max_length=100, blank=True, validators=[validate_visible_text]
    )
    phone = models.CharField(_("phone"), max_length=11, blank=True)
    enabled = models.BooleanField(_("enabled"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["owner", "name", "pk"]
        verbose_name = _("instructor")
        verbose_name_plural = _("instructors")

    def __str__(self) -> str:
        return self.name


class SubjectGuide(models.Model):
    """专业科目指南: an authority's yearly guide of professional courses for one series,
    published in the first quarter (001 #1); plans pick their course from a published guide."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    authority = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="subject_guides",
        verbose_name=_("authority"),
    )
    series = models.ForeignKey(
        "accounts.ProfessionalSeries",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("series"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-year", "series", "authority"]
        verbose_name = _("subject guide")
        verbose_name_plural = _("subject guides")
        constraints = [
            models.UniqueConstraint(
                fields=["authority", "series", "year"], name="courses_one_guide_per_year"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.series_id} ({self.authority_id})"


class GuideCourse(models.Model):
    """One course of a subject guide (its name, type and hours)."""

    class CourseType(models.TextChoices):
        PROFESSIONAL = "professional", _("Professional course")
        GENERAL_KNOWLEDGE = "general_knowledge", _("Professional general knowledge")

    guide = models.ForeignKey(SubjectGuide, on_delete=models.CASCADE, related_name="courses")
    name = models.CharField(_("course name"), max_length=120, validators=[validate_visible_text])
    course_type = models.CharField(
        _("course type"),
        max_length=20,
        choices=CourseType.choices,
        default=CourseType.PROFESSIONAL,
    )
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=1)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["guide", "name", "pk"]
        verbose_name = _("guide course")
        verbose_name_plural = _("guide courses")
        constraints = [
            models.UniqueConstraint(fields=["guide", "name"], name="courses_guide_course_once"),
            models.CheckConstraint(condition=Q(hours__gt=0), name="courses_guide_hours_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class CoursePlan(models.Model):
    """专业课计划 / 办班计划: a filer's plan for one course of a guide in a year and series,
    holding one or more classes.  Sent to the authority of the filer's level, reviewed
    singly or in batch (004 authority #3), and once approved filed with the HRSS office of
    the same level (provincial opinions, section 七).  Filers: qualified institutions,
    employers (in-house training, policy #16) and authorities themselves (authority #4)."""

    filer = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="course_plans",
        verbose_name=_("filed by"),
    )
    course = models.ForeignKey(
        GuideCourse, on_delete=models.PROTECT, related_name="plans", verbose_name=_("course")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    series = models.ForeignKey(
        "accounts.ProfessionalSeries",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("series"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.DRAFT
    )
    # The reviewing authority (set on submission) and the HRSS office the approved plan is
    # filed with (set on approval).
    authority = models.ForeignKey(
        "accounts.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="plans_to_review",
        verbose_name=_("reviewing authority"),
    )
    hrss_office = models.ForeignKey(
        "accounts.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="filed_plans",
        verbose_name=_("filed with HRSS office"),
    )
    description = models.TextField(_("description"), blank=True)
    reviewer_reason = models.TextField(_("reviewer's reason"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("decided by"),
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    EDITABLE_STATUSES: ClassVar[tuple[str, ...]] = (ReviewStatus.DRAFT, ReviewStatus.RETURNED)

    class Meta:
        ordering = ["-year", "-created_at", "-pk"]
        verbose_name = _("course plan")
        verbose_name_plural = _("course plans")
        indexes = [
            models.Index(fields=["authority", "status", "submitted_at"], name="courses_plan_queue"),
            models.Index(fields=["filer", "year"], name="courses_plan_filer"),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.course_id} ({self.status})"

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE_STATUSES

    @property
    def is_approved(self) -> bool:
        return self.status == ReviewStatus.APPROVED


class TrainingClass(models.Model):
    """培训班: one run of a planned course (004 institution #4).

    planned → accepting enrolment → open → closed, or cancelled from any state before
    closed; only a class of an approved plan accepts enrolment.  ``enrolled`` counts the
    applied and accepted enrolments and is kept by the enrolment services under a row
    lock; the check constraint is the last guard of the capacity."""

    class Mode(models.TextChoices):
        FACE_TO_FACE = "face_to_face", _("Face to face")
        ONLINE = "online", _("Online")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        ACCEPTING = "accepting", _("Accepting enrolment")
        OPEN = "open", pgettext_lazy("class status", "Open")
        CLOSED = "closed", pgettext_lazy("class status", "Closed")
        CANCELLED = "cancelled", _("Cancelled")

    TRANSITIONS: ClassVar[dict[str, tuple[str, ...]]] = {
        Status.PLANNED: (Status.ACCEPTING, Status.CANCELLED),
        Status.ACCEPTING: (Status.OPEN, Status.CANCELLED),
        Status.OPEN: (Status.CLOSED, Status.CANCELLED),
        Status.CLOSED: (),
        Status.CANCELLED: (),
    }

    plan = models.ForeignKey(
        CoursePlan, on_delete=models.PROTECT, related_name="classes", verbose_name=_("plan")
    )
    name = models.CharField(_("class name"), max_length=120, validators=[validate_visible_text])
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=1)
    capacity = models.PositiveIntegerField(_("planned places"))
    enrolled = models.PositiveIntegerField(_("enrolled"), default=0)
    mode = models.CharField(
        _("mode"), max_length=12, choices=Mode.choices, default=Mode.FACE_TO_FACE
    )
    location = models.CharField(
        _("location"), max_length=200, blank=True, validators=[validate_visible_text]
    )
    head_teacher = models.CharField(
        _("head teacher"), max_length=50, blank=True, validators=[validate_visible_text]
    )
    instructors = models.ManyToManyField(
        Instructor, blank=True, related_name="classes", verbose_name=_("instructors")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PLANNED
    )
    status_changed_at = models.DateTimeField(_("status changed at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-start_date", "-pk"]
        verbose_name = _("training class")
        verbose_name_plural = _("training classes")
        constraints = [
            models.CheckConstraint(
                condition=Q(enrolled__lte=F("capacity")), name="courses_class_within_capacity"
            ),
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="courses_class_end_after_start"
            ),
            models.CheckConstraint(condition=Q(hours__gt=0), name="courses_class_hours_positive"),
            models.CheckConstraint(
                condition=~Q(mode="face_to_face") | ~Q(location=""),
                name="courses_class_face_to_face_has_location",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "start_date"], name="courses_class_search"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def places_left(self) -> int:
        return max(self.capacity - self.enrolled, 0)

    def can_become(self, status: str) -> bool:
        return status in self.TRANSITIONS[self.status]


class CourseAttachment(models.Model):
    """A file attached to a plan, or to one of its classes (checked by content on upload)."""

    plan = models.ForeignKey(CoursePlan, on_delete=models.CASCADE, related_name="attachments")
    training_class = models.ForeignKey(
        TrainingClass,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    file = models.FileField(_("file"), upload_to=attachment_upload_to, max_length=200)
    name = models.CharField(_("file name"), max_length=120)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("plan attachment")
        verbose_name_plural = _("plan attachments")

    def __str__(self) -> str:
        return self.name


class Enrolment(models.Model):
    """A person's place in a class (004 person #7, institution #5), and their result.

    On close, a passed learner's hours become a credits record (``record``): a new one, or
    hours added to the learner's record with the same course name (institution #6).
    ``record`` set means that learner is done, so a repeated or resumed close skips them."""

    class Status(models.TextChoices):
        APPLIED = "applied", _("Applied")
        ACCEPTED = "accepted", _("Accepted")
        CANCELLED = "cancelled", _("Cancelled")

    class Result(models.TextChoices):
        NONE = "", _("No result yet")
        PASS = "pass", _("Passed")
        FAIL = "fail", pgettext_lazy("assessment result", "Failed")

    # Applied and accepted enrolments hold a place in the class.
    HOLDING_STATUSES: ClassVar[tuple[str, ...]] = (Status.APPLIED, Status.ACCEPTED)

    training_class = models.ForeignKey(
        TrainingClass, on_delete=models.PROTECT, related_name="enrolments", verbose_name=_("class")
    )
    person = models.ForeignKey(
        "accounts.Person",
        on_delete=models.PROTECT,
        related_name="enrolments",
        verbose_name=_("person"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.APPLIED
    )
    result = models.CharField(
        _("result"), max_length=4, choices=Result.choices, blank=True, default=Result.NONE
    )
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=1, null=True, blank=True)
    record = models.ForeignKey(
        "credits.Record",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("CE record"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    # Why closing the class wrote no record for this passed learner (a declaration rule
    # refused it: no employer, series not held, window closed…); a later run tries again.
    close_error = models.TextField(_("closing problem"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["training_class", "created_at", "pk"]
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [
            models.UniqueConstraint(
                fields=["training_class", "person"], name="courses_enrol_once_per_class"
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=0, score__lte=100),
                name="courses_enrolment_score_range",
            ),
        ]
        indexes = [models.Index(fields=["person", "status"], name="courses_enrol_person")]

    def __str__(self) -> str:
        return f"{self.person_id} in {self.training_class_id} ({self.status})"


class Violation(models.Model):
    """信用管理: an integrity violation recorded by HRSS (or an authority, for its series)
    against an institution, an employer or a person, with evidence and a clearing date
    (policy #16; provincial regulation art. 29).  Active until ``clears_on`` has passed or
    it is cleared early (``cleared_at``); an institution with an active violation files no
    new plans."""

    party_organisation = models.ForeignKey(
        "accounts.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="violations",
        verbose_name=_("organisation"),
    )
    party_person = models.ForeignKey(
        "accounts.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="violations",
        verbose_name=_("person"),
    )
    recorded_by = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="violations_recorded",
        verbose_name=_("recorded by"),
    )
    series = models.ForeignKey(
        "accounts.ProfessionalSeries",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("series"),
    )
    reason = models.TextField(_("violation"), validators=[validate_visible_text])
    evidence = models.FileField(
        _("evidence"), upload_to=attachment_upload_to, max_length=200, blank=True
    )
    occurred_on = models.DateField(_("occurred on"))
    clears_on = models.DateField(_("clears on"))
    cleared_at = models.DateTimeField(_("cleared at"), null=True, blank=True)
    cleared_reason = models.TextField(_("reason for clearing"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by user"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_on", "-pk"]
        verbose_name = _("integrity violation")
        verbose_name_plural = _("integrity violations")
        constraints = [
            models.CheckConstraint(
                condition=Q(party_organisation__isnull=False, party_person__isnull=True)
                | Q(party_organisation__isnull=True, party_person__isnull=False),
                name="courses_violation_one_party",
            ),
            models.CheckConstraint(
                condition=Q(clears_on__gte=F("occurred_on")),
                name="courses_violation_clears_after",
            ),
        ]
        indexes = [
            models.Index(fields=["party_organisation", "clears_on"], name="courses_viol_org"),
        ]

    def __str__(self) -> str:
        return f"{self.party_organisation_id or self.party_person_id}: {self.occurred_on}"


# Online public-subject study (issue 9, person #8): kept in its own module.
from courses.models_online import (  # noqa: E402, F401
    ExamAttempt,
    Lesson,
    LessonProgress,
    OnlineCourse,
    OnlineEnrolment,
    PublicSubject,
    Question,
    StudySession,
)
