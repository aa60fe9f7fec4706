"""Yearly requirements as data, and the CE records persons declare.

The requirement tables are the rows ``credits.selectors.records.rulebook_load`` turns into a
``credits.rules.RuleBook``.

Each model mirrors one dataclass of ``credits.rules.types`` (``Scheme``, ``YearSettings``,
``ActivityConversion``, ``DegreeStudyRule``), so an HRSS officer can add next year's scheme
or settings in the admin site instead of waiting for a release.  Hours are ``Decimal`` with
one decimal place (up to 99999.9), the precision the rules engine works in.

``Record`` and ``Evidence`` hold what persons declare; every write goes through
``credits.services``.
"""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.api import Decision, validate_visible_text
from credits.rules import types as rule_types
from credits.uploads import EVIDENCE_EXTENSIONS


class RequirementScheme(models.Model):
    """What a year demands for the series the scheme covers (``rules.Scheme``).

    No series means "every series no more specific scheme covers".  The scheme in force on
    31 December of a year applies to that year; a scheme naming the series beats a catch-all
    one, and among equals the latest ``valid_from`` wins.
    """

    class Policy(models.TextChoices):
        GENERAL = rule_types.POLICY_GENERAL, _("General")
        ACCOUNTING = rule_types.POLICY_ACCOUNTING, _("Accounting (starts after qualification)")
        ARCHIVES = rule_types.POLICY_ARCHIVES, _("Archives (new-in-post requirement)")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    policy = models.CharField(
        _("policy"), max_length=20, choices=Policy.choices, default=Policy.GENERAL
    )
    series = models.ManyToManyField(
        "accounts.ProfessionalSeries",
        blank=True,
        related_name="+",
        verbose_name=_("series"),
        help_text=_("Leave empty for a catch-all scheme covering every other series."),
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    total = models.DecimalField(_("total hours"), max_digits=6, decimal_places=1)
    public = models.DecimalField(_("public hours"), max_digits=6, decimal_places=1)
    professional = models.DecimalField(
        _("professional hours (per series)"), max_digits=6, decimal_places=1
    )
    elective = models.DecimalField(
        _("elective hours"), max_digits=6, decimal_places=1, null=True, blank=True
    )
    allows_elective = models.BooleanField(_("allows elective"), default=True)
    new_post_professional = models.DecimalField(
        _("professional hours in the first year in post without a degree"),
        max_digits=6,
        decimal_places=1,
        null=True,
        blank=True,
        help_text=_("Archives policy only."),
    )

    class Meta:
        ordering = ["valid_from", "code"]
        verbose_name = _("requirement scheme")
        verbose_name_plural = _("requirement schemes")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="credits_scheme_valid_to_after_from",
                violation_error_message=_("'Valid to' must not be before 'valid from'."),
            ),
            models.CheckConstraint(
                condition=Q(total__gt=0),
                name="credits_scheme_total_positive",
                violation_error_message=_("Total hours must be greater than 0."),
            ),
            models.CheckConstraint(
                condition=Q(public__gte=0) & Q(professional__gte=0),
                name="credits_scheme_hours_not_negative",
                violation_error_message=_("Hours cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(elective__isnull=True) | Q(elective__gte=0),
                name="credits_scheme_elective_not_negative",
                violation_error_message=_("Elective hours cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(allows_elective=False) | Q(elective__isnull=False),
                name="credits_scheme_elective_when_allowed",
                violation_error_message=_("A scheme that allows elective needs elective hours."),
            ),
            models.CheckConstraint(
                condition=Q(new_post_professional__isnull=True) | Q(new_post_professional__gt=0),
                name="credits_scheme_new_post_positive",
                violation_error_message=_("New-in-post hours must be greater than 0."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class YearSetting(models.Model):
    """Units and deadlines of one CE year (``rules.YearSettings``).

    A year without a row keeps the units of the latest earlier row; its public-subject study
    window ends on 31 December and its declarations close one year after the year's end
    (also when ``declaration_deadline`` is left blank).  See decision 0008.
    """

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    hours_per_day = models.DecimalField(_("hours per day"), max_digits=4, decimal_places=1)
    minutes_per_hour = models.PositiveSmallIntegerField(_("minutes per hour"))
    declaration_deadline = models.DateField(
        _("declaration deadline"),
        null=True,
        blank=True,
        help_text=_(
            "Last day records of the year can be declared (employer-reviewed and pushed "
            "records). Blank: 31 December of the next year."
        ),
    )
    public_catch_up_deadline = models.DateField(
        _("public subjects catch-up deadline"),
        help_text=_("Last day of the year's public-subject study window."),
    )

    class Meta:
        ordering = ["year"]
        verbose_name = _("year setting")
        verbose_name_plural = _("year settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(hours_per_day__gt=0) & Q(hours_per_day__lte=24),
                name="credits_yearsetting_hours_per_day_range",
                violation_error_message=_("Hours per day must be greater than 0 and at most 24."),
            ),
            models.CheckConstraint(
                condition=Q(minutes_per_hour__gt=0) & Q(minutes_per_hour__lte=60),
                name="credits_yearsetting_minutes_per_hour_range",
                violation_error_message=_(
                    "Minutes per hour must be greater than 0 and at most 60."
                ),
            ),
        ]

    def __str__(self) -> str:
        return str(self.year)

    def clean(self) -> None:
        super().clean()
        errors: dict[str, Any] = {}
        for name in ("declaration_deadline", "public_catch_up_deadline"):
            deadline = getattr(self, name)
            if self.year and deadline and deadline.year < self.year:
                errors[name] = _("The deadline cannot be before the year it belongs to.")
        if errors:
            raise ValidationError(errors)


class SeriesDeadline(models.Model):
    """A series' own declaration deadline for one year (``rules.SeriesDeadline``): it replaces
    the year's declaration deadline for that series' records, not for public ones (accounting
    补登 of 2018 and 2019 until 2020-09-30, seed 004)."""

    year = models.PositiveSmallIntegerField(_("year"))
    series = models.ForeignKey(
        "accounts.ProfessionalSeries",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("series"),
    )
    declaration_deadline = models.DateField(_("declaration deadline"))

    class Meta:
        ordering = ["year", "series"]
        verbose_name = _("series deadline")
        verbose_name_plural = _("series deadlines")
        constraints = [
            models.UniqueConstraint(fields=["year", "series"], name="credits_seriesdeadline_once"),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.series_id}: {self.declaration_deadline}"

    def clean(self) -> None:
        super().clean()
        if self.year and self.declaration_deadline and self.declaration_deadline.year < self.year:
            raise ValidationError(
                {"declaration_deadline": _("The deadline cannot be before the year it belongs to.")}
            )


class ActivityConversion(models.Model):
    """How one kind of activity converts to hours (``rules.ActivityConversion``)."""

    class Target(models.TextChoices):
        WHOLE_YEAR = rule_types.TARGET_WHOLE_YEAR, _("Whole year (public and professional)")
        PROFESSIONAL = rule_types.TARGET_PROFESSIONAL, _("Professional hours")

    class Unit(models.TextChoices):
        ITEM = "item", _("per item")
        DAY = "day", _("per day")
        HOUR = "hour", _("per hour")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(
        _("name"),
        max_length=100,
        blank=True,
        help_text=_("What persons see in the declaration form."),
    )
    series = models.ForeignKey(
        "accounts.ProfessionalSeries",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("series"),
    )
    target = models.CharField(_("target"), max_length=20, choices=Target.choices)
    hours = models.DecimalField(_("hours per unit"), max_digits=6, decimal_places=1)
    unit = models.CharField(_("unit"), max_length=10, choices=Unit.choices, default=Unit.ITEM)

    class Meta:
        ordering = ["series", "code"]
        verbose_name = _("activity conversion")
        verbose_name_plural = _("activity conversions")
        constraints = [
            models.CheckConstraint(
                condition=Q(hours__gt=0),
                name="credits_activity_hours_positive",
                violation_error_message=_("Hours must be greater than 0."),
            ),
        ]

    def __str__(self) -> str:
        return self.code


class ActivityCondition(models.Model):
    """A condition one year's table sets on an activity in one region
    (``rules.ActivityCondition``; the 2023 Guangzhou accounting table).  No region: every
    region; a person's most specific region (district, city, province) wins."""

    activity = models.ForeignKey(
        ActivityConversion,
        on_delete=models.CASCADE,
        related_name="conditions",
        verbose_name=_("activity"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    region = models.ForeignKey(
        "accounts.Region",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("region"),
        help_text=_("Leave empty for every region."),
    )
    min_quantity = models.DecimalField(
        _("minimum quantity in the year"),
        max_digits=6,
        decimal_places=1,
        null=True,
        blank=True,
        help_text=_("Days or hours, as the activity's unit; below it the activity counts 0."),
    )
    results_from = models.DateField(_("results published from"), null=True, blank=True)
    results_to = models.DateField(_("results published until"), null=True, blank=True)

    class Meta:
        ordering = ["year", "activity", "region"]
        verbose_name = _("activity condition")
        verbose_name_plural = _("activity conditions")
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "year", "region"],
                name="credits_activitycondition_unique",
                nulls_distinct=False,
                violation_error_message=_(
                    "This activity already has a condition for this year and region."
                ),
            ),
            models.CheckConstraint(
                condition=Q(min_quantity__isnull=True) | Q(min_quantity__gt=0),
                name="credits_activitycondition_min_positive",
                violation_error_message=_("The minimum must be greater than 0."),
            ),
            models.CheckConstraint(
                condition=Q(results_from__isnull=True)
                | Q(results_to__isnull=True)
                | Q(results_to__gte=F("results_from")),
                name="credits_activitycondition_window_order",
                violation_error_message=_("The window cannot end before it starts."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.activity} {self.year}"


class GeneralKnowledgeRule(models.Model):
    """At least ``minimum`` of a series' professional hours must be professional general
    knowledge (专业通识知识) in a year and region (``rules.GeneralKnowledgeRule``).  No
    region: every region; a person's most specific region wins."""

    series = models.ForeignKey(
        "accounts.ProfessionalSeries",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("series"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    region = models.ForeignKey(
        "accounts.Region",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("region"),
        help_text=_("Leave empty for every region."),
    )
    minimum = models.DecimalField(_("minimum hours"), max_digits=6, decimal_places=1)

    class Meta:
        ordering = ["year", "series", "region"]
        verbose_name = _("general knowledge minimum")
        verbose_name_plural = _("general knowledge minimums")
        constraints = [
            models.UniqueConstraint(
                fields=["series", "year", "region"],
                name="credits_generalknowledge_unique",
                nulls_distinct=False,
                violation_error_message=_(
                    "This series already has a minimum for this year and region."
                ),
            ),
            models.CheckConstraint(
                condition=Q(minimum__gt=0),
                name="credits_generalknowledge_minimum_positive",
                violation_error_message=_("The minimum must be greater than 0."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.series} {self.year}"


class DegreeStudyRule(models.Model):
    """Degree study counts as elective up to a yearly cap, not for some series
    (``rules.DegreeStudyRule``).  A single row: ``singleton`` is always ``True`` and unique."""

    singleton = models.BooleanField(default=True, editable=False, unique=True)
    cap_hours = models.DecimalField(_("cap (hours per year)"), max_digits=6, decimal_places=1)
    excluded_series = models.ManyToManyField(
        "accounts.ProfessionalSeries",
        blank=True,
        related_name="+",
        verbose_name=_("excluded series"),
    )

    class Meta:
        verbose_name = _("degree study rule")
        verbose_name_plural = _("degree study rule")
        constraints = [
            models.CheckConstraint(condition=Q(singleton=True), name="credits_degreestudy_single"),
            models.CheckConstraint(
                condition=Q(cap_hours__gte=0),
                name="credits_degreestudy_cap_not_negative",
                violation_error_message=_("The cap cannot be negative."),
            ),
        ]

    def __str__(self) -> str:
        return str(_("Degree study rule"))


# ---------------------------------------------------------------------------------------------
# CE records and their evidence
# ---------------------------------------------------------------------------------------------


def evidence_upload_to(instance: Evidence, filename: str) -> str:
    """A random storage name: ``evidence/<yyyy>/<uuid4 hex>.<ext>``.

    The extension comes from the type detected from the file's content
    (``credits.uploads.validate_evidence`` sets ``content_type``), never from the name the
    user gave; the user's name is kept in ``original_name`` for display only.
    """
    extension = EVIDENCE_EXTENSIONS.get(instance.content_type, "bin")
    return f"evidence/{timezone.now():%Y}/{uuid.uuid4().hex}.{extension}"


class Record(models.Model):
    """继续教育记录: one CE entry a person declares (or an institution, employer or sync
    partner sends) for a declared year, reviewed by the person's employer."""

    class Category(models.TextChoices):
        PUBLIC = rule_types.PUBLIC, _("Public subjects")
        PROFESSIONAL = rule_types.PROFESSIONAL, _("Professional subjects")
        ELECTIVE = rule_types.ELECTIVE, _("Elective subjects")

    class Unit(models.TextChoices):
        HOURS = "hours", _("hours")
        DAYS = "days", _("days")
        MINUTES = "minutes", _("minutes")
        ACTIVITY = "activity", _("activity")

    class Form(models.TextChoices):
        CLASS = "class", _("Classroom training")
        ONLINE = "online", _("Online study")
        CONFERENCE = "conference", _("Conference or seminar")
        PRACTICE = "practice", _("Practice")
        SELF_STUDY = "self_study", _("Self-study")
        OTHER = "other", _("Other")

    class Assessment(models.TextChoices):
        PASS = "pass", _("Passed")
        FAIL = "fail", pgettext_lazy("assessment result", "Failed")
        NONE = "none", _("No assessment")

    class Source(models.TextChoices):
        SELF_DECLARED = "self_declared", _("Declared by the person")
        INSTITUTION_CLASS = "institution_class", _("Institution class")
        EMPLOYER = "employer", _("Employer")
        SYNC_PARTNER = "sync_partner", _("Sync partner")
        PUBLIC_COURSE = "public_course", _("Public online course")

    class Kind(models.TextChoices):
        """Special kinds the rules treat differently (credits.rules: degree study cap, and
        in-house training that counts as elective without an approved plan)."""

        ORDINARY = "", _("Ordinary")
        DEGREE_STUDY = "degree_study", _("Degree study")
        INHOUSE_TRAINING = "inhouse_training", _("Employer in-house training")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Under review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        RETURNED = "returned", _("Returned for changes")
        # Only an HRSS recheck revokes a record (credits.services.recheck).
        REVOKED = "revoked", _("Revoked by HRSS")
        # A sync partner withdrew the record it had pushed (credits.services.partner_sync);
        # it no longer counts. Pushing it again (same external id) restores it.
        WITHDRAWN = "withdrawn", _("Withdrawn by the platform")

    EDITABLE_STATUSES: ClassVar[tuple[str, ...]] = (Status.DRAFT, Status.RETURNED)
    # A rejected, revoked or withdrawn record does not block declaring the same activity again.
    CLOSED_STATUSES: ClassVar[tuple[str, ...]] = (
        Status.REJECTED,
        Status.REVOKED,
        Status.WITHDRAWN,
    )

    person = models.ForeignKey(
        "accounts.Person",
        on_delete=models.PROTECT,
        related_name="ce_records",
        verbose_name=_("person"),
    )
    year = models.PositiveSmallIntegerField(_("declared year"))
    category = models.CharField(_("category"), max_length=12, choices=Category.choices)
    series = models.ForeignKey(
        "accounts.ProfessionalSeries",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("series"),
    )
    hours = models.DecimalField(_("hours"), max_digits=6, decimal_places=1)
    # ``hours`` in whole tenths, kept by PostgreSQL itself: the whole-year validation sums
    # integers (one decimal place: exact) without converting a million numerics each run
    # (docs/decisions/0020-validation-speed.md).
    hours_tenths = models.GeneratedField(
        expression=Cast(F("hours") * 10, models.IntegerField()),
        output_field=models.IntegerField(),
        db_persist=True,
    )
    original_amount = models.DecimalField(_("amount declared"), max_digits=8, decimal_places=1)
    original_unit = models.CharField(
        _("unit declared"), max_length=10, choices=Unit.choices, default=Unit.HOURS
    )
    activity_code = models.SlugField(_("activity code"), max_length=40, blank=True)
    # 专业通识知识 (Guangzhou 2023: at least 20 of an accountant's professional credits).
    general_knowledge = models.BooleanField(_("professional general knowledge"), default=False)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, blank=True, default="")
    # In-house training only: was the course plan approved by an authority?
    approved_plan = models.BooleanField(_("approved course plan"), null=True, blank=True)
    title = models.CharField(_("content"), max_length=200, validators=[validate_visible_text])
    form = models.CharField(_("form"), max_length=12, choices=Form.choices)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    assessment_result = models.CharField(
        _("assessment result"), max_length=6, choices=Assessment.choices, default=Assessment.NONE
    )
    institution_name = models.CharField(
        _("institution"), max_length=120, blank=True, validators=[validate_visible_text]
    )
    source = models.CharField(
        _("source"), max_length=20, choices=Source.choices, default=Source.SELF_DECLARED
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    reviewer_reason = models.TextField(_("reviewer's reason"), blank=True)
    # The employer that reviews the record: the person's confirmed employer at submission.
    employer = models.ForeignKey(
        "accounts.Employer",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ce_records",
        verbose_name=_("reviewing employer"),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    # Entered by an employer for its staff (source "employer"): who entered it, for which
    # organisation, and the sheet it came from when it was uploaded (credits.services.entry).
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("entered by"),
    )
    entered_by_organisation = models.ForeignKey(
        "accounts.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("entered by organisation"),
    )
    import_job = models.ForeignKey(
        "credits.ImportJob",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="records",
        verbose_name=_("import"),
    )
    # The HRSS office whose recheck revoked the record (set with status "revoked").
    revoked_by_office = models.ForeignKey(
        "accounts.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("revoked by office"),
    )
    # Pushed by a sync partner (source "sync_partner"): which sender (``external_source``,
    # e.g. "partner:7", set by the partners app) and the sender's own id for the record.
    # Unique together where set: pushing the same id again updates the record.
    # db_default: set-based INSERTs (credits.services.entry, the benchmarks) name neither.
    external_source = models.CharField(
        _("external source"), max_length=40, blank=True, default="", db_default=""
    )
    external_id = models.CharField(
        _("external id"), max_length=100, blank=True, default="", db_default=""
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The partners' changes feed (credits.selectors.changes, decision 0017): written by a
    # database trigger on every insert and update of a record with an external source (also
    # by QuerySet.update()), never by Django. On PostgreSQL ``change_xid`` is the writing
    # transaction's id and ``change_seq`` a sequence value; on SQLite ``change_xid`` is 0.
    change_xid = models.BigIntegerField(null=True, blank=True, editable=False)
    change_seq = models.BigIntegerField(null=True, blank=True, editable=False)
    changed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-year", "-start_date", "-pk"]
        verbose_name = _("CE record")
        verbose_name_plural = _("CE records")
        constraints = [
            models.CheckConstraint(
                condition=~Q(category="professional") | Q(series__isnull=False),
                name="credits_record_professional_has_series",
                violation_error_message=_("A professional record needs a series."),
            ),
            models.CheckConstraint(
                condition=Q(hours__gt=0),
                name="credits_record_hours_positive",
                violation_error_message=_("Hours must be greater than 0."),
            ),
            models.CheckConstraint(
                condition=Q(original_amount__gt=0),
                name="credits_record_amount_positive",
                violation_error_message=_("The amount must be greater than 0."),
            ),
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")),
                name="credits_record_end_after_start",
                violation_error_message=_("The end date cannot be before the start date."),
            ),
            models.UniqueConstraint(
                fields=["person", "title", "year", "start_date", "end_date"],
                condition=~Q(status__in=["rejected", "revoked", "withdrawn"]),
                name="credits_record_no_duplicate",
                violation_error_message=_(
                    "You already declared a record with this content and these dates."
                ),
            ),
            models.CheckConstraint(
                condition=Q(source="employer", entered_by_organisation__isnull=False)
                | (~Q(source="employer") & Q(entered_by_organisation__isnull=True)),
                name="credits_record_employer_entry_has_organisation",
                violation_error_message=_("A record entered by an employer names the employer."),
            ),
            models.UniqueConstraint(
                fields=["external_source", "external_id"],
                condition=~Q(external_id=""),
                name="credits_record_external_unique",
                violation_error_message=_("This sender already pushed a record with this id."),
            ),
            models.CheckConstraint(
                condition=Q(external_source="", external_id="")
                | (~Q(external_source="") & ~Q(external_id="")),
                name="credits_record_external_pair",
                violation_error_message=_("An external id names its sender."),
            ),
        ]
        # The review queue: every sort it offers has an index with the employer first, per
        # status and (by submission time) over every status; see
        # docs/decisions/0006-fast-under-load.md and credits.selectors.review.
        indexes = [
            models.Index(
                fields=["employer", "status", "created_at", "id"], name="credits_rec_q_status_sub"
            ),
            models.Index(fields=["employer", "created_at", "id"], name="credits_rec_q_submitted"),
            models.Index(
                fields=["employer", "status", "year", "id"], name="credits_rec_q_status_year"
            ),
            models.Index(
                fields=["employer", "status", "hours", "id"], name="credits_rec_q_status_hours"
            ),
            models.Index(
                fields=["employer", "status", "start_date", "id"], name="credits_rec_q_status_start"
            ),
            models.Index(fields=["person", "year"], name="credits_rec_person_year"),
            # The few records of a kind other than ordinary (degree study, in-house training,
            # accounting activities): the whole-year validation finds their persons here
            # instead of flagging every group of its one pass over the year
            # (docs/decisions/0020-validation-speed.md).
            models.Index(
                fields=["year", "person"],
                condition=~Q(kind="") | ~Q(activity_code=""),
                name="credits_rec_special",
            ),
            # A sync partner's records by change (the partners app's changes feed).
            models.Index(
                fields=["external_source", "updated_at", "id"],
                name="credits_rec_external_changes",
                condition=~Q(external_source=""),
            ),
            # The changes feed's order (decision 0017).
            models.Index(
                fields=["external_source", "change_xid", "change_seq"],
                name="credits_rec_change_feed",
                condition=~Q(external_source=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.title} ({self.hours} h)"

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE_STATUSES

    @property
    def is_employer_entered(self) -> bool:
        return self.source == self.Source.EMPLOYER


class CertificationRoute(models.Model):
    """Who certifies records of a series, category and source in a range of declared years
    (``rules.CertificationRoute``); the most specific matching row wins, and without one the
    employer reviews.  See decision 0008."""

    class Certifier(models.TextChoices):
        EMPLOYER = rule_types.CERTIFIER_EMPLOYER, _("The employer's review")
        AUTOMATIC = rule_types.CERTIFIER_AUTOMATIC, _("Automatically by the online platform")
        PLATFORM = rule_types.CERTIFIER_PLATFORM, _("Another platform, which pushes it in")

    series = models.ForeignKey(
        "accounts.ProfessionalSeries",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("series"),
        help_text=_("Blank: any series."),
    )
    category = models.CharField(
        _("category"),
        max_length=12,
        blank=True,
        choices=Record.Category.choices,
        help_text=_("Blank: any category."),
    )
    source = models.CharField(
        _("source"),
        max_length=20,
        blank=True,
        choices=Record.Source.choices,
        help_text=_("Blank: any source."),
    )
    year_from = models.PositiveSmallIntegerField(_("from year"), null=True, blank=True)
    year_to = models.PositiveSmallIntegerField(_("to year"), null=True, blank=True)
    certifier = models.CharField(_("certified by"), max_length=12, choices=Certifier.choices)
    platform_name = models.CharField(_("platform name"), max_length=100, blank=True)
    platform_url = models.URLField(_("platform address"), blank=True)

    class Meta:
        ordering = ["series", "category", "source", "year_from", "pk"]
        verbose_name = _("certification route")
        verbose_name_plural = _("certification routes")
        constraints = [
            models.CheckConstraint(
                condition=Q(year_to__isnull=True)
                | Q(year_from__isnull=True)
                | Q(year_to__gte=F("year_from")),
                name="credits_route_years_ordered",
                violation_error_message=_("'To year' must not be before 'from year'."),
            ),
            models.CheckConstraint(
                condition=~Q(certifier=rule_types.CERTIFIER_PLATFORM) | ~Q(platform_name=""),
                name="credits_route_platform_named",
                violation_error_message=_("Name the platform that certifies these records."),
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.series_id or '*'}/{self.category or '*'}/{self.source or '*'}: {self.certifier}"
        )


class Evidence(models.Model):
    """Proof uploaded for a record (certificate, attendance list…): a PDF, JPEG or PNG file
    stored under a random name."""

    record = models.ForeignKey(
        Record, on_delete=models.CASCADE, related_name="evidence", verbose_name=_("record")
    )
    file = models.FileField(_("file"), upload_to=evidence_upload_to, max_length=200)
    original_name = models.CharField(_("original file name"), max_length=255, blank=True)
    content_type = models.CharField(_("content type"), max_length=50)
    size = models.PositiveIntegerField(_("size in bytes"))
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")

    def __str__(self) -> str:
        return self.original_name or str(self.file.name)

    @property
    def is_pdf(self) -> bool:
        return self.content_type == "application/pdf"

    @property
    def is_image(self) -> bool:
        return self.content_type in ("image/jpeg", "image/png")


# ---------------------------------------------------------------------------------------------
# Batch reviews
# ---------------------------------------------------------------------------------------------


class ReviewJob(models.Model):
    """One employer decision over many records, run in the background in chunks.

    ``record_ids`` is a JSON list (not an ``ArrayField``) so the job also runs on SQLite;
    ``done`` counts the ids already processed, so a re-run continues where it stopped.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        FINISHED = "finished", _("Finished")
        FAILED = "failed", pgettext_lazy("job status", "Failed")

    employer = models.ForeignKey(
        "accounts.Employer",
        on_delete=models.PROTECT,
        related_name="review_jobs",
        verbose_name=_("employer"),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("requested by"),
    )
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices)
    reason = models.TextField(_("reason"), blank=True)
    record_ids = models.JSONField(_("record ids"), default=list)
    total = models.PositiveIntegerField(_("total"), default=0)
    done = models.PositiveIntegerField(_("processed"), default=0)
    decided = models.PositiveIntegerField(_("decided"), default=0)
    skipped = models.PositiveIntegerField(_("skipped"), default=0)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("review job")
        verbose_name_plural = _("review jobs")
        constraints = [
            models.CheckConstraint(
                condition=Q(done__lte=F("total")),
                name="credits_reviewjob_done_not_over_total",
            ),
            models.CheckConstraint(
                condition=Q(decided__lte=F("done")) & Q(skipped__lte=F("done")),
                name="credits_reviewjob_counts_not_over_done",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} × {self.total} ({self.get_status_display()})"

    @property
    def percent(self) -> int:
        """Progress for the progress bar, 0–100."""
        if not self.total:
            return 100 if self.status == self.Status.FINISHED else 0
        return self.done * 100 // self.total


class YearSummary(models.Model):
    """年度验证: one person's year as annual validation last computed it.

    Written in bulk by ``credits.services.validation``; refreshed after commit whenever one
    of the person's records changes state. Professional figures per series are in
    ``YearSeriesSummary``; ``compliant`` is true when every category and series is met.
    """

    # Derived data, rewritten in bulk by annual validation, keyed by what it is about: the
    # primary key is (year, person), year first because every bulk reader and writer works
    # a year at a time (a range of the key) while a person's own pages ask for one year
    # (a probe). No surrogate id, no other index, no database-level foreign keys: each
    # cost a whole-year first fill a write per row (docs/decisions/0006-fast-under-load.md,
    # 0020-validation-speed.md); the ORM's CASCADE and PROTECT still apply.
    pk = models.CompositePrimaryKey("year", "person")
    person = models.ForeignKey(
        "accounts.Person",
        on_delete=models.CASCADE,
        related_name="year_summaries",
        db_constraint=False,
        db_index=False,  # the primary key serves look-ups of a person's year
    )
    year = models.PositiveSmallIntegerField(_("year"))
    public_required = models.DecimalField(max_digits=6, decimal_places=1, default=0)
    public_earned = models.DecimalField(max_digits=7, decimal_places=1, default=0)
    elective_required = models.DecimalField(max_digits=6, decimal_places=1, default=0)
    elective_earned = models.DecimalField(max_digits=7, decimal_places=1, default=0)
    professional_required = models.DecimalField(max_digits=7, decimal_places=1, default=0)
    professional_earned = models.DecimalField(max_digits=8, decimal_places=1, default=0)
    compliant = models.BooleanField(_("quota met"), default=False)
    computed_at = models.DateTimeField(_("computed at"), default=timezone.now)

    class Meta:
        ordering = ["-year", "person_id"]
        verbose_name = _("year summary")
        verbose_name_plural = _("year summaries")

    def __str__(self) -> str:
        return f"{self.person_id} {self.year} {'ok' if self.compliant else 'short'}"


class YearSeriesSummary(models.Model):
    """Professional hours of one person, year and series (part of ``YearSummary``)."""

    # Keyed and indexed as ``YearSummary``: the primary key (year, person, series) and nothing
    # else. Nothing reads these rows by series but the ORM's PROTECT check when a series is
    # deleted (an administrator's rare act, a scan then), while every whole-year first fill
    # paid for an index on each of its ~120,000 inserts
    # (docs/decisions/0020-validation-speed.md).
    pk = models.CompositePrimaryKey("year", "person", "series")
    person = models.ForeignKey(
        "accounts.Person",
        on_delete=models.CASCADE,
        related_name="year_series_summaries",
        db_constraint=False,
        db_index=False,  # the primary key serves look-ups of a person's year
    )
    year = models.PositiveSmallIntegerField(_("year"))
    series = models.ForeignKey(
        "accounts.ProfessionalSeries",
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    required = models.DecimalField(max_digits=6, decimal_places=1, default=0)
    earned = models.DecimalField(max_digits=7, decimal_places=1, default=0)

    class Meta:
        ordering = ["year", "person_id", "series_id"]

    def __str__(self) -> str:
        return f"{self.person_id} {self.year} {self.series_id}: {self.earned}/{self.required}"


class RecheckSample(models.Model):
    """复核: a random sample of approved records an HRSS office draws to check again."""

    office = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="recheck_samples"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # The filters the sample was drawn with (region, series, year, employer), for the record.
    filters = models.JSONField(_("filters"), default=dict)
    size = models.PositiveIntegerField(_("sample size"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("recheck sample")
        verbose_name_plural = _("recheck samples")

    def __str__(self) -> str:
        return f"{self.office_id} {self.created_at:%Y-%m-%d} ({self.size})"


class RecheckItem(models.Model):
    """One sampled record and the HRSS outcome: confirmed, or revoked with a reason."""

    class Outcome(models.TextChoices):
        PENDING = "pending", _("To recheck")
        CONFIRMED = "confirmed", _("Confirmed")
        REVOKED = "revoked", _("Revoked")

    sample = models.ForeignKey(RecheckSample, on_delete=models.CASCADE, related_name="items")
    record = models.ForeignKey(Record, on_delete=models.PROTECT, related_name="rechecks")
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.PENDING
    )
    reason = models.TextField(_("reason"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["sample_id", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["sample", "record"], name="credits_recheck_once"),
        ]

    def __str__(self) -> str:
        return f"{self.sample_id}/{self.record_id} {self.outcome}"


# ---------------------------------------------------------------------------------------------
# Employer imports (credits.services.entry)
# ---------------------------------------------------------------------------------------------


class ImportJob(models.Model):
    """One CSV or XLSX sheet of records an employer uploaded for its staff.

    The file is kept in the row (``content``) so any worker can read it. The worker checks
    every row first (``done`` counts the rows checked, for the progress bar), then creates
    every record in one transaction together with the status ``finished``: a sheet with one
    bad row saves nothing, and ``errors`` lists each bad row's line, column and message.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        FINISHED = "finished", _("Finished")
        REJECTED = "rejected", pgettext_lazy("import status", "Rows with errors")
        FAILED = "failed", pgettext_lazy("job status", "Failed")

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "XLSX"

    employer = models.ForeignKey(
        "accounts.Employer",
        on_delete=models.PROTECT,
        related_name="import_jobs",
        verbose_name=_("employer"),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    original_name = models.CharField(_("file name"), max_length=255, blank=True)
    format = models.CharField(_("format"), max_length=4, choices=Format.choices)
    content = models.BinaryField(_("content"), editable=False)
    total = models.PositiveIntegerField(_("rows"), default=0)
    done = models.PositiveIntegerField(_("rows checked"), default=0)
    created = models.PositiveIntegerField(_("records created"), default=0)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    # [{"line": 12, "column": "学时", "message": "..."}], at most ERRORS_KEPT of them.
    errors = models.JSONField(_("errors"), default=list, blank=True)
    error_count = models.PositiveIntegerField(_("errors found"), default=0)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("record import")
        verbose_name_plural = _("record imports")
        constraints = [
            models.CheckConstraint(
                condition=Q(done__lte=F("total")), name="credits_importjob_done_not_over_total"
            ),
        ]
        indexes = [
            models.Index(fields=["employer", "-created_at", "-id"], name="credits_import_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_status_display()})"

    @property
    def percent(self) -> int:
        """Progress for the progress bar, 0–100."""
        if self.status in (self.Status.FINISHED, self.Status.REJECTED):
            return 100
        if not self.total:
            return 0
        return self.done * 100 // self.total

    @property
    def is_running(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)
