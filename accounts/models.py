"""Users, the five roles' organisations, memberships, persons, employment and the audit log."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.validators import (
    mask_id_number,
    validate_id_number,
    validate_phone,
    validate_uscc,
    validate_visible_text,
)
from portal.uploads import EVIDENCE_EXTENSIONS

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise as StrOrPromise


class User(AbstractUser):
    """A login. What it may do comes from its Person profile and its Memberships."""

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"


class Decision(models.TextChoices):
    """The three outcomes of every review in the system (同意 / 不同意并结案 / 不同意并退案)."""

    APPROVE = "approve", _("Approve")
    REJECT = "reject", _("Reject and close")
    RETURN = "return", _("Return for changes")


class Level(models.TextChoices):
    PROVINCE = "province", _("Province")
    CITY = "city", _("City")
    DISTRICT = "district", _("District")


class Region(models.Model):
    code = models.CharField(_("code"), max_length=6, unique=True)
    name = models.CharField(_("name"), max_length=50)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self) -> str:
        return self.name


class ProfessionalSeries(models.Model):
    """A professional series (专业系列); `code` is stable and used by the API and the rules."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=50)
    name_en = models.CharField(_("English name"), max_length=80)
    sort_order = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("professional series")
        verbose_name_plural = _("professional series")

    def __str__(self) -> str:
        return self.name


class Organisation(models.Model):
    """Every organisation of the four kinds lives in this one table.

    `Employer`, `Institution`, `Authority` and `HrssOffice` are proxies with their own
    managers, so memberships, review queues and guardian object permissions work the same
    for all kinds (guardian resolves a proxy to this concrete content type).
    """

    class Kind(models.TextChoices):
        EMPLOYER = "employer", _("Employer")
        INSTITUTION = "institution", _("Institution")
        AUTHORITY = "authority", _("Authority")
        HRSS = "hrss", _("HRSS office")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        RETURNED = "returned", _("Returned for changes")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=120, validators=[validate_visible_text])
    region = models.ForeignKey(Region, on_delete=models.PROTECT, verbose_name=_("region"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    status_reason = models.TextField(_("reviewer's reason"), blank=True)
    # Employer only: the unified social credit code.
    uscc = models.CharField(
        _("unified social credit code"),
        max_length=18,
        null=True,
        blank=True,
        unique=True,
        validators=[validate_uscc],
    )
    # Institution, authority and HRSS office: the administrative level.
    level = models.CharField(_("level"), max_length=10, choices=Level.choices, blank=True)
    # Authority only: the parent that reviews its application (province → city → district).
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent authority"),
    )
    # Authority only: the series it governs.
    series = models.ManyToManyField(
        ProfessionalSeries, blank=True, related_name="authorities", verbose_name=_("series")
    )
    contact_name = models.CharField(
        _("contact person"), max_length=50, blank=True, validators=[validate_visible_text]
    )
    contact_phone = models.CharField(
        _("contact phone"), max_length=11, blank=True, validators=[validate_phone]
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="employer") | Q(uscc__isnull=False),
                name="employer_has_uscc",
            ),
            models.CheckConstraint(
                condition=Q(kind="employer") | ~Q(level=""),
                name="non_employer_has_level",
            ),
            models.CheckConstraint(
                condition=Q(kind="authority") | Q(parent__isnull=True),
                name="only_authority_has_parent",
            ),
        ]
        indexes = [models.Index(fields=["kind", "status"])]
        # Object permissions granted to per-organisation groups (see accounts.permissions).
        permissions = [
            ("act_for_organisation", "Can act for the organisation"),
            ("edit_organisation", "Can edit and resubmit the organisation"),
            ("manage_members", "Can manage the organisation's members"),
            ("view_audit", "Can read the organisation's audit log"),
            ("review_bindings", "Can confirm or refuse staff bindings"),
            ("manage_staff", "Can add and unbind staff"),
            ("review_organisations", "Can review organisation applications"),
            ("review_records", "Can review CE records"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_approved(self) -> bool:
        return self.status == self.Status.APPROVED


class _KindManager(models.Manager["Organisation"]):
    def __init__(self, kind: str) -> None:
        super().__init__()
        self.kind = kind

    def get_queryset(self) -> models.QuerySet[Organisation]:
        return super().get_queryset().filter(kind=self.kind)


class Employer(Organisation):
    """用人单位: registers with a USCC and is approved by HRSS."""

    objects: ClassVar[_KindManager] = _KindManager(Organisation.Kind.EMPLOYER)  # type: ignore[assignment]

    class Meta:
        proxy = True
        verbose_name = _("employer")
        verbose_name_plural = _("employers")


class Institution(Organisation):
    """施教机构: a teaching institution at province, city or district level."""

    objects: ClassVar[_KindManager] = _KindManager(Organisation.Kind.INSTITUTION)  # type: ignore[assignment]

    class Meta:
        proxy = True
        verbose_name = _("institution")
        verbose_name_plural = _("institutions")


class Authority(Organisation):
    """行业主管部门: approved by HRSS (province) or by its parent authority (city, district)."""

    objects: ClassVar[_KindManager] = _KindManager(Organisation.Kind.AUTHORITY)  # type: ignore[assignment]

    class Meta:
        proxy = True
        verbose_name = _("authority")
        verbose_name_plural = _("authorities")


class HrssOffice(Organisation):
    """人社部门: the regulator at province, city or district level."""

    objects: ClassVar[_KindManager] = _KindManager(Organisation.Kind.HRSS)  # type: ignore[assignment]

    class Meta:
        proxy = True
        verbose_name = _("HRSS office")
        verbose_name_plural = _("HRSS offices")


class Membership(models.Model):
    """A user's role in an organisation. Mirrored into the organisation's guardian groups."""

    class Role(models.TextChoices):
        ADMIN = "admin", _("Administrator")
        REVIEWER = "reviewer", _("Reviewer")
        STAFF = "staff", pgettext_lazy("membership role", "Staff")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organisation_id", "user__username"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="one_role_per_org"),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation} ({self.role})"


class MembershipInvitation(models.Model):
    """An organisation's offer of a role to an existing login; only the invited user's
    acceptance creates the Membership (004 employer #1: "被绑定人…点击通过")."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        CANCELLED = "cancelled", _("Cancelled")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="invitations"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="invitations"
    )
    role = models.CharField(_("role"), max_length=10, choices=Membership.Role.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("membership invitation")
        verbose_name_plural = _("membership invitations")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"],
                condition=Q(status="pending"),
                name="one_pending_invitation_per_org",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.organisation} ({self.role}, {self.status})"


class Person(models.Model):
    """专业技术人员: the professional who must earn CE hours."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="person"
    )
    real_name = models.CharField(_("real name"), max_length=50, validators=[validate_visible_text])
    id_number = models.CharField(
        _("ID number"), max_length=18, unique=True, validators=[validate_id_number]
    )
    phone = models.CharField(_("mobile phone"), max_length=11, validators=[validate_phone])
    series = models.ManyToManyField(
        ProfessionalSeries, related_name="persons", verbose_name=_("professional series")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["real_name", "pk"]
        verbose_name = _("person")
        verbose_name_plural = _("persons")

    def __str__(self) -> str:
        return self.real_name

    @property
    def masked_id_number(self) -> str:
        """The ID number as anyone but the person sees it (``440105********0010``)."""
        return mask_id_number(self.id_number)


class Employment(models.Model):
    """A person's binding to an employer: requested by the person, confirmed by the employer."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Awaiting confirmation")
        CONFIRMED = "confirmed", _("Confirmed")
        REJECTED = "rejected", _("Rejected")
        RETURNED = "returned", _("Returned for changes")
        ENDED = "ended", _("Ended")
        # Added by the employer; only the person's confirmation makes it a binding. Not open:
        # an invitation never blocks the person from binding elsewhere.
        INVITED = "invited", _("Invited by the employer")
        DECLINED = "declined", _("Declined")

    OPEN_STATUSES: ClassVar[tuple[str, ...]] = (
        Status.REQUESTED,
        Status.CONFIRMED,
        Status.RETURNED,
    )

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="employments")
    employer = models.ForeignKey(
        Employer, on_delete=models.PROTECT, related_name="employments", verbose_name=_("employer")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.REQUESTED
    )
    reason = models.TextField(_("reason"), blank=True)
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("employment")
        verbose_name_plural = _("employments")
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(status__in=["requested", "confirmed", "returned"]),
                name="one_open_employment_per_person",
            ),
        ]
        indexes = [models.Index(fields=["employer", "status"])]

    def __str__(self) -> str:
        return f"{self.person} → {self.employer} ({self.status})"


def proof_upload_to(instance: ProfileFact, filename: str) -> str:
    """A random storage name ``proof/<yyyy>/<uuid4 hex>.<ext>``: the extension comes from the
    type detected from the content (``portal.uploads``), never from the name the user gave."""
    extension = EVIDENCE_EXTENSIONS.get(instance.proof_content_type, "bin")
    return f"proof/{timezone.now():%Y}/{uuid.uuid4().hex}.{extension}"


class ProfileFact(models.Model):
    """A fact about a person that changes what a year requires, confirmed by the person's
    employer like a binding (docs/decisions/0007-profile-facts.md):

    - ``accounting_start``: the day the accounting qualification was obtained (``basis``
      ``qualification``) or accounting work began (``work``); accounting CE starts the year
      after (004 accounting art. 6).
    - ``archives_post``: the day the person took up an archives post and their highest
      archives-related education; without 大专 or above, the first year in post requires
      80 h professional (004 archives art. 9).

    Only a confirmed fact counts; changing one puts it back to pending.
    """

    class Kind(models.TextChoices):
        ACCOUNTING_START = "accounting_start", _("Accounting qualification or work")
        ARCHIVES_POST = "archives_post", _("Archives post and education")

    class Basis(models.TextChoices):
        QUALIFICATION = "qualification", _("Accounting qualification obtained")
        WORK = "work", _("Accounting work begun (no qualification)")

    class Education(models.TextChoices):
        NONE = "none", _("No archives-related education")
        SECONDARY = "secondary", _("Secondary vocational school or below")
        JUNIOR_COLLEGE = "junior_college", _("Junior college")
        BACHELOR = "bachelor", _("Bachelor's degree")
        POSTGRADUATE = "postgraduate", _("Postgraduate degree")

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting confirmation")
        CONFIRMED = "confirmed", _("Confirmed")
        REJECTED = "rejected", _("Rejected")

    # 大专 or above counts as an archives degree (004 archives art. 9: "档案专业大专以上学历").
    DEGREE_EDUCATION: ClassVar[frozenset[str]] = frozenset(
        {Education.JUNIOR_COLLEGE, Education.BACHELOR, Education.POSTGRADUATE}
    )

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="profile_facts")
    kind = models.CharField(_("fact"), max_length=20, choices=Kind.choices)
    on = models.DateField(_("date"))
    basis = models.CharField(_("basis"), max_length=15, choices=Basis.choices, blank=True)
    education = models.CharField(
        _("highest archives-related education"),
        max_length=15,
        choices=Education.choices,
        blank=True,
    )
    proof = models.FileField(_("proof"), upload_to=proof_upload_to, max_length=200, blank=True)
    proof_name = models.CharField(_("original file name"), max_length=255, blank=True)
    proof_content_type = models.CharField(_("content type"), max_length=50, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    reason = models.TextField(_("reason"), blank=True)
    # The employer whose reviewer decided, and who (empty while pending).
    decided_by_employer = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["person_id", "kind"]
        verbose_name = _("profile fact")
        verbose_name_plural = _("profile facts")
        constraints = [
            models.UniqueConstraint(fields=["person", "kind"], name="one_fact_per_kind"),
            models.CheckConstraint(
                condition=(Q(kind="accounting_start") & ~Q(basis="") & Q(education=""))
                | (Q(kind="archives_post") & Q(basis="") & ~Q(education="")),
                name="profile_fact_fields_match_kind",
            ),
        ]
        indexes = [
            models.Index(
                fields=["person"], condition=Q(status="confirmed"), name="profile_fact_confirmed"
            ),
            models.Index(fields=["status", "updated_at"], name="profile_fact_status"),
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.kind} {self.on} ({self.status})"

    @property
    def needs_proof(self) -> bool:
        return fact_needs_proof(self.kind, self.basis, self.education)

    @property
    def archives_degree(self) -> bool:
        return self.education in self.DEGREE_EDUCATION


def fact_needs_proof(kind: str, basis: str, education: str) -> bool:
    """The seeds' proof: the qualification certificate when the accounting start is the
    qualification, the diploma when the archives education is 大专 or above (the facts that
    an employer cannot know from its own staff files; docs/decisions/0007)."""
    if kind == ProfileFact.Kind.ACCOUNTING_START:
        return basis == ProfileFact.Basis.QUALIFICATION
    return education in ProfileFact.DEGREE_EDUCATION


class SecurityEvent(models.TextChoices):
    """Audit actions about logins and refused access (no organisation; `ip` and `path` set)."""

    LOGIN = "security.login", _("Logged in")
    LOGIN_FAILED = "security.login_failed", _("Failed log-in")
    LOGOUT = "security.logout", _("Logged out")
    LOCKED_OUT = "security.locked_out", _("Locked out after failed log-ins")
    PASSWORD_CHANGED = "security.password_changed", _("Password changed")
    PASSWORD_RESET_REQUESTED = "security.password_reset_requested", _("Password reset requested")
    PASSWORD_RESET_DONE = "security.password_reset_done", _("Password reset by e-mail link")
    FORBIDDEN = "security.forbidden", _("Access refused")


class AuditEntry(models.Model):
    """One state change: who, when, what, from which state to which, and why.

    Rows are written by services in the same transaction as the change and are never
    updated or deleted through the application (see `save`/`delete`, the read-only admin and,
    on PostgreSQL, a trigger that refuses UPDATE and DELETE).
    """

    # PROTECT: the log outlives nothing it names; deactivate users instead of deleting them.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    action = models.CharField(_("action"), max_length=60)
    target_type = models.CharField(max_length=60)
    target_id = models.CharField(max_length=40)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    from_state = models.CharField(_("from"), max_length=20, blank=True)
    to_state = models.CharField(_("to"), max_length=20, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    # Security events only: where the request came from (portal.client_ip) and what it asked for.
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    # db_default: bulk writers that INSERT rows in SQL (credits.services.reviews) name no path.
    path = models.CharField(_("path"), max_length=200, blank=True, default="", db_default="")
    # Field edits: {"field": [old value, new value]}, whole values (from/to hold short states).
    changes = models.JSONField(_("changes"), null=True, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        indexes = [
            models.Index(fields=["target_type", "target_id"]),
            models.Index(fields=["organisation", "-at"]),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.target_type}#{self.target_id}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise PermissionError("Audit entries cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise PermissionError("Audit entries cannot be deleted.")


class Notice(models.Model):
    """A message to one user (the small message centre), written by the services in the same
    transaction as the change it reports.

    The text is not stored: ``kind`` picks an English template (translated when it is shown)
    and ``params`` holds the data it names (a record's title, the reviewer's reason…), so each
    reader sees the message in their own language.  ``link`` is a site path to the object.
    """

    class Kind(models.TextChoices):
        RECORD_RETURNED = "record_returned", _("Record returned")
        RECORD_REJECTED = "record_rejected", _("Record rejected")
        RECORD_DECISION_CHANGED = "record_decision_changed", _("Decision changed")
        RECORD_REVOKED = "record_revoked", _("Record revoked")
        RECORD_ENTERED = "record_entered", _("Record entered by your employer")
        BINDING_CONFIRMED = "binding_confirmed", _("Binding confirmed")
        BINDING_REJECTED = "binding_rejected", _("Binding refused")
        BINDING_RETURNED = "binding_returned", _("Binding returned")
        FACT_CONFIRMED = "fact_confirmed", _("Profile fact confirmed")
        FACT_REJECTED = "fact_rejected", _("Profile fact rejected")
        CLASS_CANCELLED = "class_cancelled", _("Class cancelled")
        ENROLMENT_CANCELLED = "enrolment_cancelled", _("Enrolment cancelled")
        PLAN_APPROVED = "plan_approved", _("Course plan approved")
        PLAN_REJECTED = "plan_rejected", _("Course plan rejected")
        PLAN_RETURNED = "plan_returned", _("Course plan returned")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notices"
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    link = models.CharField(_("link"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="accounts_notice_inbox"),
            models.Index(
                fields=["recipient"],
                condition=Q(read_at__isnull=True),
                name="accounts_notice_unread",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recipient_id} {self.kind} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    @property
    def text(self) -> str:
        """The message in the active language, its parameters filled in."""
        template = NOTICE_TEXTS.get(self.kind)
        if template is None:
            return str(self.get_kind_display())
        params = self.params if isinstance(self.params, dict) else {}
        return str(template) % _Blank({k: str(v) for k, v in params.items()})


class _Blank(dict[str, str]):
    """Parameters for ``%`` formatting: a missing one renders empty instead of failing."""

    def __missing__(self, key: str) -> str:
        return ""


NOTICE_TEXTS: dict[str, StrOrPromise] = {
    Notice.Kind.RECORD_RETURNED: _(
        "Your record “%(title)s” was returned for changes by %(by)s. Reason: %(reason)s"
    ),
    Notice.Kind.RECORD_REJECTED: _(
        "Your record “%(title)s” was rejected by %(by)s. Reason: %(reason)s"
    ),
    Notice.Kind.RECORD_DECISION_CHANGED: _(
        "%(by)s changed its decision on your approved record “%(title)s” to rejected. "
        "Reason: %(reason)s"
    ),
    Notice.Kind.RECORD_REVOKED: _(
        "Your record “%(title)s” was revoked on recheck by %(by)s. Reason: %(reason)s"
    ),
    Notice.Kind.RECORD_ENTERED: _(
        "%(by)s entered the record “%(title)s” for you; it is now under its review."
    ),
    Notice.Kind.BINDING_CONFIRMED: _("%(by)s confirmed your binding."),
    Notice.Kind.BINDING_REJECTED: _("%(by)s refused your binding. Reason: %(reason)s"),
    Notice.Kind.BINDING_RETURNED: _("%(by)s returned your binding for changes. Reason: %(reason)s"),
    Notice.Kind.FACT_CONFIRMED: _("%(by)s confirmed your profile fact dated %(on)s."),
    Notice.Kind.FACT_REJECTED: _(
        "%(by)s rejected your profile fact dated %(on)s. Reason: %(reason)s"
    ),
    Notice.Kind.CLASS_CANCELLED: _(
        "%(by)s cancelled the class “%(title)s” you enrolled in. Reason: %(reason)s"
    ),
    Notice.Kind.ENROLMENT_CANCELLED: _("%(by)s cancelled your enrolment in the class “%(title)s”."),
    Notice.Kind.PLAN_APPROVED: _(
        "%(by)s approved the course plan “%(title)s”; it is filed with %(office)s."
    ),
    Notice.Kind.PLAN_REJECTED: _("%(by)s rejected the course plan “%(title)s”. Reason: %(reason)s"),
    Notice.Kind.PLAN_RETURNED: _(
        "%(by)s returned the course plan “%(title)s” for changes. Reason: %(reason)s"
    ),
}
