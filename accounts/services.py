"""Every write of the accounts app. Keyword-only, one transaction, one audit entry per change."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import permissions
from accounts.models import (
    AuditEntry,
    Authority,
    Decision,
    Employer,
    Employment,
    Level,
    Membership,
    MembershipInvitation,
    Notice,
    Organisation,
    Person,
    ProfessionalSeries,
    ProfileFact,
    Region,
    SecurityEvent,
    User,
)
from accounts.signals import employment_ended, profile_facts_changed
from accounts.validators import normalise_id_number, normalise_uscc
from portal.uploads import EVIDENCE_CONTENT_TYPES, validate_evidence

# ---------------------------------------------------------------------------------------------
# Audit
# ---------------------------------------------------------------------------------------------


def _target_type(target: Model) -> str:
    # The concrete model, so an Employer proxy and its Organisation share one target type.
    meta = target._meta.concrete_model._meta  # type: ignore[union-attr]
    return f"{meta.app_label}.{meta.model_name}"


def audit_log(
    *,
    actor: User | None,
    action: str,
    target: Model,
    from_state: str = "",
    to_state: str = "",
    reason: str = "",
    organisation: Organisation | None = None,
    changes: Mapping[str, tuple[object, object]] | None = None,
) -> AuditEntry:
    """Write one audit entry. Call inside the transaction of the change it records.

    Caller checks: the service making the change has authorised it.

    `changes` maps each edited field to its whole old and new value."""
    return AuditEntry.objects.create(
        actor=actor,
        action=action,
        target_type=_target_type(target),
        target_id=str(target.pk),
        organisation=organisation,
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        changes={field: list(pair) for field, pair in changes.items()} if changes else None,
    )


def audit_log_many(
    *,
    actor: User | None,
    action: str,
    target_type: str,
    target_ids: Iterable[int],
    organisation: Organisation | None = None,
    from_state: str = "",
    to_state: str = "",
    reason: str = "",
    batch_size: int = 2_000,
) -> None:
    """The bulk form of ``audit_log``: one entry per target of `target_type` (an
    ``app_label.model_name``), written in batches. Call inside the transaction of the change.

    Caller checks: the service making the change has authorised it."""
    AuditEntry.objects.bulk_create(
        (
            AuditEntry(
                actor=actor,
                action=action,
                target_type=target_type,
                target_id=str(pk),
                organisation=organisation,
                from_state=from_state,
                to_state=to_state,
                reason=reason,
            )
            for pk in target_ids
        ),
        batch_size=batch_size,
    )


@transaction.atomic
def security_event_log(
    *,
    action: SecurityEvent,
    user: User | None,
    ip: str | None,
    path: str,
    reason: str = "",
) -> AuditEntry:
    """Write one security event (log-in, log-out, lockout, password, refused access).

    The target is the user concerned (none for a failed log-in with an unknown username, whose
    typed username goes into `reason`); security events belong to no organisation.

    Caller checks: nothing to authorise (the log-in machinery reports what happened).
    """
    return AuditEntry.objects.create(
        actor=user,
        action=action.value,
        target_type="accounts.user",
        target_id=str(user.pk) if user is not None else "",
        ip=ip or None,
        path=path[:200],
        reason=reason[:500],
    )


# ---------------------------------------------------------------------------------------------
# Notices (the message centre)
# ---------------------------------------------------------------------------------------------


def notice_send(
    *, recipient_id: int, kind: str, params: dict[str, str] | None = None, link: str = ""
) -> Notice:
    """Write one notice. Call inside the transaction of the change it reports.

    Caller checks: the service making the change has authorised it."""
    return Notice.objects.create(
        recipient_id=recipient_id, kind=kind, params=params or {}, link=link
    )


def notices_send(notices: Iterable[Notice]) -> int:
    """Write many unsaved notices in bulk (one INSERT per 1,000); the number written.

    Caller checks: the service making the change has authorised it."""
    return len(Notice.objects.bulk_create(notices, batch_size=1_000))


@transaction.atomic
def notice_mark_read(*, user: User, notice: Notice) -> Notice:
    """Mark one of `user`'s notices read (already read: unchanged). Checks the notice is
    `user`'s."""
    if notice.recipient_id != user.pk:
        raise ValidationError(_("This notice is not yours."))
    if notice.read_at is None:
        notice.read_at = timezone.now()
        Notice.objects.filter(pk=notice.pk, read_at__isnull=True).update(read_at=notice.read_at)
    return notice


@transaction.atomic
def notices_mark_all_read(*, user: User) -> int:
    """Mark every unread notice of `user` read; how many were unread.

    Caller checks: `user` is the logged-in user (only their own notices are touched)."""
    return Notice.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


# ---------------------------------------------------------------------------------------------
# Users and persons
# ---------------------------------------------------------------------------------------------


def _user_create(*, username: str, password: str, email: str = "") -> User:
    try:
        User._meta.get_field("username").run_validators(username)
    except ValidationError as exc:
        raise ValidationError({"username": exc.messages}) from None
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("This username is already taken.")})
    user = User(username=username, email=email)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from None
    user.set_password(password)
    user.save()
    return user


def _series_by_codes(codes: Iterable[str]) -> list[ProfessionalSeries]:
    codes = list(dict.fromkeys(codes))
    found = list(ProfessionalSeries.objects.filter(code__in=codes, is_active=True))
    if not codes or len(found) != len(codes):
        raise ValidationError({"series": _("Choose at least one valid professional series.")})
    return found


REGISTRATION_FAILED = gettext_lazy(
    "Registration could not be completed. If you already have an account, log in or reset "
    "your password."
)


@transaction.atomic
def person_register(
    *,
    username: str,
    password: str,
    real_name: str,
    id_number: str,
    phone: str,
    series_codes: Sequence[str],
) -> Person:
    """Register a professional.

    The username (and password) are checked first; an ID number that already has an account
    ends in the same generic answer as any other failure that must not leak, so the form
    never tells whether an ID number is registered (docs/decisions/0004).

    Caller checks: nothing to authorise (public registration, throttled by the view).
    """
    id_number = normalise_id_number(id_number)
    series = _series_by_codes(series_codes)
    user = _user_create(username=username, password=password)
    person = Person(user=user, real_name=real_name.strip(), id_number=id_number, phone=phone)
    person.full_clean(exclude=["user"], validate_unique=False)
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError:
        raise ValidationError(REGISTRATION_FAILED, code="registration_failed") from None
    person.series.set(series)
    audit_log(actor=user, action="person.register", target=person, to_state="registered")
    return person


@transaction.atomic
def person_id_number_view(*, actor: User, organisation: Organisation, person: Person) -> str:
    """The full ID number, for a reviewer who asked to see it; every view is audited.

    Checks that `actor` reviews `organisation`'s bindings (``review_bindings``). Caller checks
    that `person` asked `organisation` for a binding."""
    if not permissions.can(actor, "review_bindings", organisation):
        raise PermissionDenied(_("You may not see ID numbers for this organisation."))
    audit_log(
        actor=actor,
        action="person.id_number_viewed",
        target=person,
        organisation=organisation,
        reason=_("Viewed the ID number of %(name)s.") % {"name": person.real_name},
    )
    return person.id_number


# Each hook returns the years of a person whose series are locked (a valid certificate
# exists); registered from other apps' ready() so accounts imports none of them.
series_lock_hooks: list[Callable[[int], Iterable[int]]] = []


def series_locked_year(person: Person) -> int | None:
    """The current year, when one of ``series_lock_hooks`` says it is locked for ``person``."""
    year = timezone.localdate().year
    for hook in series_lock_hooks:
        if year in set(hook(person.pk)):
            return year
    return None


def series_locked_message(year: int) -> str:
    return _(
        "Your professional series cannot change: your certificate for %(year)s has been "
        "issued. Ask your employer if a series is wrong."
    ) % {"year": year}


@transaction.atomic
def person_update(
    *, person: Person, phone: str, series_codes: Sequence[str], email: str | None = None
) -> Person:
    """Change contact details (mobile phone, and the login's e-mail when given) and series.

    Every changed value is audited with its old and new value.

    The series cannot change while the current year has a valid certificate (004 Q&A
    person #14): apps that know (certificates) register in ``series_lock_hooks``.

    Caller checks: `person` is the logged-in user's own.
    """
    series = _series_by_codes(series_codes)
    locked = series_locked_year(person)
    if locked is not None and sorted(s.code for s in series) != sorted(
        person.series.values_list("code", flat=True)
    ):
        raise ValidationError({"series": series_locked_message(locked)})
    old_phone = person.phone
    person.phone = phone
    person.full_clean(exclude=["user"])
    person.save(update_fields=["phone"])
    if old_phone != phone:
        audit_log(
            actor=person.user,
            action="person.phone",
            target=person,
            changes={"phone": (old_phone, phone)},
        )
    if email is not None:
        _user_email_set(user=person.user, email=email)
    before = sorted(person.series.values_list("code", flat=True))
    person.series.set(series)
    after = sorted(s.code for s in series)
    if before != after:
        audit_log(
            actor=person.user,
            action="person.series",
            target=person,
            changes={"series": (before, after)},
        )
    return person


def _user_email_set(*, user: User, email: str) -> None:
    email = User.objects.normalize_email(email.strip())
    old = user.email
    if email == old:
        return
    if email and User.objects.filter(email__iexact=email).exclude(pk=user.pk).exists():
        # One address, one login: a password-reset link must reach exactly one account.
        raise ValidationError({"email": _("Another account already uses this e-mail address.")})
    user.email = email
    user.full_clean(exclude=["password", "username"])
    user.save(update_fields=["email"])
    audit_log(
        actor=user,
        action="user.email",
        target=user,
        changes={"email": (old, email)},
    )


# ---------------------------------------------------------------------------------------------
# Organisations: registration, review, resubmission
# ---------------------------------------------------------------------------------------------


def _organisation_save(organisation: Organisation) -> Organisation:
    organisation.full_clean()
    organisation.save()
    permissions.organisation_groups_ensure(organisation)
    return organisation


def _membership_create(*, user: User, organisation: Organisation, role: str) -> Membership:
    membership = Membership.objects.create(user=user, organisation=organisation, role=role)
    user.groups.add(permissions.role_group(organisation, role))
    return membership


@transaction.atomic
def organisation_create(
    *,
    kind: str,
    name: str,
    region: Region,
    level: str = "",
    status: str = Organisation.Status.APPROVED,
    actor: User | None = None,
) -> Organisation:
    """An institution or HRSS office set up by an administrator (no public registration).

    Caller checks: only the Django admin, management commands and demo data call this."""
    organisation = _organisation_save(
        Organisation(kind=kind, name=name, region=region, level=level, status=status)
    )
    audit_log(
        actor=actor,
        action="organisation.create",
        target=organisation,
        organisation=organisation,
        to_state=status,
    )
    return organisation


@transaction.atomic
def employer_register(
    *,
    username: str,
    password: str,
    name: str,
    uscc: str,
    region: Region,
    contact_name: str = "",
    contact_phone: str = "",
) -> Employer:
    """Register an employer and its first administrator; HRSS reviews it.

    Caller checks: nothing to authorise (public registration, throttled by the view)."""
    uscc = normalise_uscc(uscc)
    if Organisation.objects.filter(uscc=uscc).exists():
        raise ValidationError(
            {"uscc": _("An employer with this credit code is already registered.")}
        )
    user = _user_create(username=username, password=password)
    employer = Employer(
        kind=Organisation.Kind.EMPLOYER,
        name=name.strip(),
        uscc=uscc,
        region=region,
        contact_name=contact_name,
        contact_phone=contact_phone,
    )
    _organisation_save(employer)
    _membership_create(user=user, organisation=employer, role=Membership.Role.ADMIN)
    audit_log(
        actor=user,
        action="organisation.register",
        target=employer,
        organisation=employer,
        to_state=employer.status,
    )
    return employer


def _check_authority_parent(level: str, parent: Organisation | None) -> None:
    expected_parent_level = {Level.CITY: Level.PROVINCE, Level.DISTRICT: Level.CITY}.get(
        Level(level)
    )
    if expected_parent_level is None:
        if parent is not None:
            raise ValidationError(
                {"parent": _("A provincial authority is reviewed by HRSS and has no parent.")}
            )
        return
    if parent is None or parent.kind != Organisation.Kind.AUTHORITY:
        raise ValidationError({"parent": _("Choose the parent authority that will review you.")})
    if parent.level != expected_parent_level:
        raise ValidationError({"parent": _("The parent authority must be one level above yours.")})
    if not parent.is_approved:
        raise ValidationError({"parent": _("The parent authority is not approved yet.")})


@transaction.atomic
def authority_register(
    *,
    username: str,
    password: str,
    name: str,
    level: str,
    region: Region,
    parent: Organisation | None,
    series_codes: Sequence[str],
    contact_name: str = "",
    contact_phone: str = "",
) -> Authority:
    """Apply as an industry authority with its first administrator; the parent authority
    (or provincial HRSS) reviews it.

    Caller checks: nothing to authorise (public registration, throttled by the view)."""
    _check_authority_parent(level, parent)
    series = _series_by_codes(series_codes)
    user = _user_create(username=username, password=password)
    authority = Authority(
        kind=Organisation.Kind.AUTHORITY,
        name=name.strip(),
        level=level,
        region=region,
        parent=parent,
        contact_name=contact_name,
        contact_phone=contact_phone,
    )
    _organisation_save(authority)
    authority.series.set(series)
    _membership_create(user=user, organisation=authority, role=Membership.Role.ADMIN)
    audit_log(
        actor=user,
        action="organisation.register",
        target=authority,
        organisation=authority,
        to_state=authority.status,
    )
    return authority


INSTITUTION_LEVELS = (Level.PROVINCE, Level.CITY)


@transaction.atomic
def institution_register(
    *,
    username: str,
    password: str,
    name: str,
    level: str,
    region: Region,
    contact_name: str = "",
    contact_phone: str = "",
) -> Organisation:
    """Register a teaching institution and its first administrator (004 institution #2: its
    level is city or above); it is filed with the HRSS office of its level and region
    (provincial regulation art. 15), which accepts or returns it like any application.

    Caller checks: nothing to authorise (public registration, throttled by the view)."""
    if level not in INSTITUTION_LEVELS:
        raise ValidationError({"level": _("An institution's level is city or province.")})
    user = _user_create(username=username, password=password)
    institution = Organisation(
        kind=Organisation.Kind.INSTITUTION,
        name=name.strip(),
        level=level,
        region=region,
        contact_name=contact_name,
        contact_phone=contact_phone,
    )
    _organisation_save(institution)
    _membership_create(user=user, organisation=institution, role=Membership.Role.ADMIN)
    audit_log(
        actor=user,
        action="organisation.register",
        target=institution,
        organisation=institution,
        to_state=institution.status,
    )
    return institution


_DECISION_TO_STATUS = {
    Decision.APPROVE: Organisation.Status.APPROVED,
    Decision.REJECT: Organisation.Status.REJECTED,
    Decision.RETURN: Organisation.Status.RETURNED,
}


def _check_decision(decision: str, reason: str) -> Decision:
    """The decision as a ``Decision``; an unknown one is a ValidationError (not a 500)."""
    if decision not in Decision.values:
        raise ValidationError({"decision": _("Choose approve, reject or return.")})
    if decision != Decision.APPROVE and not reason.strip():
        raise ValidationError({"reason": _("Give a reason when you reject or return.")})
    return Decision(decision)


@transaction.atomic
def organisation_review(
    *,
    reviewer: User,
    reviewer_organisation: Organisation,
    organisation: Organisation,
    decision: str,
    reason: str = "",
) -> Organisation:
    """Decide a pending employer registration or authority application.

    Checks that `reviewer` may review applications for `reviewer_organisation` and that the
    application is one that organisation decides."""
    if not permissions.can(reviewer, "review_organisations", reviewer_organisation):
        raise PermissionDenied(_("You may not review applications for this organisation."))
    checked = _check_decision(decision, reason)
    locked = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if locked.status != Organisation.Status.PENDING:
        raise ValidationError(_("This application has already been decided."))
    if (
        not permissions.reviewable_organisations(reviewer_organisation)
        .filter(pk=locked.pk)
        .exists()
    ):
        raise ValidationError(_("Your organisation does not review this application."))
    before = locked.status
    locked.status = _DECISION_TO_STATUS[checked]
    locked.status_reason = reason.strip()
    locked.save(update_fields=["status", "status_reason", "updated_at"])
    audit_log(
        actor=reviewer,
        action=f"organisation.{decision}",
        target=locked,
        organisation=locked,
        from_state=before,
        to_state=locked.status,
        reason=reason.strip(),
    )
    return locked


@transaction.atomic
def organisation_resubmit(
    *,
    actor: User,
    organisation: Organisation,
    name: str,
    region: Region,
    contact_name: str,
    contact_phone: str,
    uscc: str | None = None,
) -> Organisation:
    """Edit a returned application and send it back to the reviewer's queue.

    Checks that `actor` may edit `organisation` (``edit_organisation``)."""
    if not permissions.can(actor, "edit_organisation", organisation):
        raise PermissionDenied(_("You may not edit this organisation."))
    locked = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if locked.status != Organisation.Status.RETURNED:
        raise ValidationError(_("Only an application returned for changes can be resubmitted."))
    locked.name = name.strip()
    locked.region = region
    locked.contact_name = contact_name
    locked.contact_phone = contact_phone
    if locked.kind == Organisation.Kind.EMPLOYER and uscc:
        uscc = normalise_uscc(uscc)
        if Organisation.objects.filter(uscc=uscc).exclude(pk=locked.pk).exists():
            raise ValidationError(
                {"uscc": _("An employer with this credit code is already registered.")}
            )
        locked.uscc = uscc
    locked.status = Organisation.Status.PENDING
    locked.full_clean()
    locked.save()
    audit_log(
        actor=actor,
        action="organisation.resubmit",
        target=locked,
        organisation=locked,
        from_state=Organisation.Status.RETURNED,
        to_state=locked.status,
    )
    return locked


# ---------------------------------------------------------------------------------------------
# Memberships (sub-accounts)
# ---------------------------------------------------------------------------------------------


@transaction.atomic
def membership_add(
    *,
    actor: User | None,
    organisation: Organisation,
    username: str,
    role: str = Membership.Role.STAFF,
    password: str = "",
) -> Membership | MembershipInvitation | None:
    """Create a sub-account (given a password), or invite an existing login.

    An existing login becomes a member only when it accepts the invitation on its own home
    page. The caller's answer must not depend on the result: ``None`` (no such login, already
    a member, already invited) and an invitation look the same to the organisation.

    Caller checks that `actor` manages `organisation`'s members (``manage_members``); `actor`
    is ``None`` for the administrator's set-up and demo data.
    """
    if role not in Membership.Role.values:
        raise ValidationError({"role": _("Unknown role.")})
    if not organisation.is_approved:
        raise ValidationError(_("Your organisation must be approved before it adds members."))
    if password:
        user = _user_create(username=username, password=password)
        membership = _membership_create(user=user, organisation=organisation, role=role)
        audit_log(
            actor=actor,
            action="membership.add",
            target=membership,
            organisation=organisation,
            to_state=role,
            reason=user.username,
        )
        return membership
    existing = User.objects.filter(username__iexact=username, is_active=True).first()
    if (
        existing is None
        or Membership.objects.filter(user=existing, organisation=organisation).exists()
        or MembershipInvitation.objects.filter(
            user=existing, organisation=organisation, status=MembershipInvitation.Status.PENDING
        ).exists()
    ):
        return None
    invitation = MembershipInvitation.objects.create(
        user=existing, organisation=organisation, role=role, invited_by=actor
    )
    audit_log(
        actor=actor,
        action="membership.invite",
        target=invitation,
        organisation=organisation,
        to_state=invitation.status,
        reason=f"{existing.username} ({role})",
    )
    return invitation


@transaction.atomic
def membership_invitation_answer(
    *, user: User, invitation: MembershipInvitation, accept: bool
) -> MembershipInvitation:
    """The invited user accepts (the membership and its guardian group appear now) or
    declines an invitation. Checks the invitation is addressed to `user`."""
    locked = (
        MembershipInvitation.objects.select_for_update()
        .select_related("organisation")
        .get(pk=invitation.pk, user=user)
    )
    if locked.status != MembershipInvitation.Status.PENDING:
        raise ValidationError(_("This invitation has already been answered."))
    organisation = locked.organisation
    locked.status = (
        MembershipInvitation.Status.ACCEPTED if accept else MembershipInvitation.Status.DECLINED
    )
    locked.decided_at = timezone.now()
    locked.save(update_fields=["status", "decided_at"])
    audit_log(
        actor=user,
        action=f"membership.invitation_{'accept' if accept else 'decline'}",
        target=locked,
        organisation=organisation,
        from_state=MembershipInvitation.Status.PENDING,
        to_state=locked.status,
        reason=f"{user.username} ({locked.role})",
    )
    if accept and not Membership.objects.filter(user=user, organisation=organisation).exists():
        membership = _membership_create(user=user, organisation=organisation, role=locked.role)
        audit_log(
            actor=user,
            action="membership.add",
            target=membership,
            organisation=organisation,
            to_state=locked.role,
            reason=user.username,
        )
    return locked


def _lock_admins(organisation: Organisation) -> list[Membership]:
    return list(
        Membership.objects.select_for_update()
        .filter(organisation=organisation, role=Membership.Role.ADMIN)
        .order_by("pk")
    )


def _ensure_not_last_admin(organisation: Organisation, membership: Membership) -> None:
    admins = _lock_admins(organisation)
    if membership.role == Membership.Role.ADMIN and [a.pk for a in admins] == [membership.pk]:
        raise ValidationError({"role": _("An organisation must keep at least one administrator.")})


def _check_manages_members(actor: User, organisation: Organisation) -> None:
    if not permissions.can(actor, "manage_members", organisation):
        raise PermissionDenied(_("You may not manage this organisation's members."))


@transaction.atomic
def membership_change_role(*, actor: User, membership: Membership, role: str) -> Membership:
    """Give a member another role (an organisation keeps at least one administrator).

    Checks that `actor` manages the organisation's members (``manage_members``)."""
    _check_manages_members(actor, membership.organisation)
    membership = (
        Membership.objects.select_for_update()
        .select_related("organisation", "user")
        .get(pk=membership.pk)
    )
    if role == membership.role:
        return membership
    if role not in Membership.Role.values:
        raise ValidationError({"role": _("Unknown role.")})
    organisation = membership.organisation
    _ensure_not_last_admin(organisation, membership)
    before = membership.role
    membership.user.groups.remove(permissions.role_group(organisation, before))
    membership.role = role
    membership.save(update_fields=["role"])
    membership.user.groups.add(permissions.role_group(organisation, role))
    audit_log(
        actor=actor,
        action="membership.role",
        target=membership,
        organisation=organisation,
        from_state=before,
        to_state=role,
        reason=membership.user.username,
    )
    return membership


@transaction.atomic
def membership_remove(*, actor: User, membership: Membership) -> None:
    """Remove a member (an organisation keeps at least one administrator).

    Checks that `actor` manages the organisation's members (``manage_members``)."""
    _check_manages_members(actor, membership.organisation)
    membership = (
        Membership.objects.select_for_update()
        .select_related("organisation", "user")
        .get(pk=membership.pk)
    )
    organisation = membership.organisation
    _ensure_not_last_admin(organisation, membership)
    membership.user.groups.remove(permissions.role_group(organisation, membership.role))
    audit_log(
        actor=actor,
        action="membership.remove",
        target=membership,
        organisation=organisation,
        from_state=membership.role,
        to_state="removed",
        reason=membership.user.username,
    )
    membership.delete()


# ---------------------------------------------------------------------------------------------
# Employment binding
# ---------------------------------------------------------------------------------------------


def _check_no_open_employment(person: Person) -> None:
    if Employment.objects.filter(person=person, status__in=Employment.OPEN_STATUSES).exists():
        raise ValidationError(
            {"employer": _("You are already bound to an employer (or waiting); unbind first.")}
        )


@transaction.atomic
def employment_request(*, person: Person, employer: Organisation) -> Employment:
    """The person asks `employer` to confirm them as staff.

    Caller checks: `person` is the logged-in user's own."""
    if employer.kind != Organisation.Kind.EMPLOYER or not employer.is_approved:
        raise ValidationError({"employer": _("This employer is not approved yet.")})
    Person.objects.select_for_update().filter(pk=person.pk).first()
    _check_no_open_employment(person)
    try:
        with transaction.atomic():
            employment = Employment.objects.create(person=person, employer_id=employer.pk)
    except IntegrityError:
        raise ValidationError({"employer": _("You already have an open binding.")}) from None
    audit_log(
        actor=person.user,
        action="employment.request",
        target=employment,
        organisation=employer,
        to_state=employment.status,
    )
    return employment


def _employment_lock(employment: Employment, person: Person | None = None) -> Employment:
    """The employment row, locked; DoesNotExist when it is not `person`'s."""
    locked = Employment.objects.select_for_update().select_related("employer", "person")
    if person is not None:
        locked = locked.filter(person=person)
    return locked.get(pk=employment.pk)


def _employment_move(
    *,
    actor: User,
    employment: Employment,
    to_state: str,
    action: str,
    reason: str | None = None,
    **timestamps: object,
) -> Employment:
    """Move a locked employment to `to_state` and audit it (reason kept when None)."""
    before = employment.status
    employment.status = to_state
    fields = ["status", *timestamps]
    if reason is not None:
        employment.reason = reason.strip()
        fields.append("reason")
    for name, value in timestamps.items():
        setattr(employment, name, value)
    employment.save(update_fields=fields)
    audit_log(
        actor=actor,
        action=action,
        target=employment,
        organisation=employment.employer,
        from_state=before,
        to_state=to_state,
        reason=employment.reason if reason is not None else "",
    )
    return employment


@transaction.atomic
def employment_resubmit(*, person: Person, employment: Employment) -> Employment:
    """Send a returned binding request to the employer again. Checks the binding is
    `person`'s; caller checks `person` is the logged-in user's own."""
    employment = _employment_lock(employment, person=person)
    if employment.status != Employment.Status.RETURNED:
        raise ValidationError(_("Only a returned binding can be resubmitted."))
    return _employment_move(
        actor=person.user,
        employment=employment,
        to_state=Employment.Status.REQUESTED,
        action="employment.resubmit",
    )


_BINDING_NOTICE = {
    Decision.APPROVE: Notice.Kind.BINDING_CONFIRMED,
    Decision.REJECT: Notice.Kind.BINDING_REJECTED,
    Decision.RETURN: Notice.Kind.BINDING_RETURNED,
}

_BINDING_DECISION = {
    Decision.APPROVE: Employment.Status.CONFIRMED,
    Decision.REJECT: Employment.Status.REJECTED,
    Decision.RETURN: Employment.Status.RETURNED,
}


@transaction.atomic
def employment_review(
    *, reviewer: User, employment: Employment, decision: str, reason: str = ""
) -> Employment:
    """Confirm, refuse or return a person's binding request.

    Checks that `reviewer` reviews bindings for the employer asked, and is not the person."""
    if not permissions.can(reviewer, "review_bindings", employment.employer):
        raise PermissionDenied(_("You may not review this employer's bindings."))
    checked = _check_decision(decision, reason)
    employment = _employment_lock(employment)
    if employment.status != Employment.Status.REQUESTED:
        raise ValidationError(_("This binding has already been decided."))
    if employment.person.user_id == reviewer.pk:
        raise ValidationError(_("You cannot decide your own binding; ask another reviewer."))
    moved = _employment_move(
        actor=reviewer,
        employment=employment,
        to_state=_BINDING_DECISION[checked],
        action=f"employment.{decision}",
        reason=reason,
        decided_at=timezone.now(),
    )
    notice_send(
        recipient_id=moved.person.user_id,
        kind=_BINDING_NOTICE[Decision(decision)],
        params={"by": moved.employer.name, "reason": moved.reason},
        link=reverse("accounts:me"),
    )
    return moved


@transaction.atomic
def employment_end(*, actor: User, employment: Employment, reason: str = "") -> Employment:
    """Unbind (by the employer or the person) or withdraw a pending request.

    Checks that `actor` is the person bound or manages the employer's staff
    (``manage_staff``)."""
    employment = _employment_lock(employment)
    if employment.person.user_id != actor.pk and not permissions.can(
        actor, "manage_staff", employment.employer
    ):
        raise PermissionDenied(_("You may not end this binding."))
    if employment.status not in Employment.OPEN_STATUSES:
        raise ValidationError(_("This binding has already ended."))
    employment = _employment_move(
        actor=actor,
        employment=employment,
        to_state=Employment.Status.ENDED,
        action="employment.end",
        reason=reason,
        ended_at=timezone.now(),
    )
    # Receivers run in this transaction: the records under review go back to the person.
    employment_ended.send(sender=Employment, actor=actor, employment=employment)
    return employment


@transaction.atomic
def employment_add_by_employer(
    *, actor: User, employer: Organisation, id_number: str
) -> Employment | None:
    """The employer invites a registered person as staff; the person confirms or declines on
    their home page. ``None`` when nobody can be invited (no such person, already bound or
    invited): the employer's answer must be the same either way (docs/decisions/0004).

    Checks that `actor` manages `employer`'s staff (``manage_staff``)."""
    if not permissions.can(actor, "manage_staff", employer):
        raise PermissionDenied(_("You may not add staff to this employer."))
    if not employer.is_approved:
        raise ValidationError(_("Your organisation is not approved yet."))
    person = (
        Person.objects.select_for_update().filter(id_number=normalise_id_number(id_number)).first()
    )
    if (
        person is None
        or Employment.objects.filter(person=person, status__in=Employment.OPEN_STATUSES).exists()
        or Employment.objects.filter(
            person=person, employer_id=employer.pk, status=Employment.Status.INVITED
        ).exists()
    ):
        return None
    employment = Employment.objects.create(
        person=person, employer_id=employer.pk, status=Employment.Status.INVITED
    )
    audit_log(
        actor=actor,
        action="employment.invite",
        target=employment,
        organisation=employer,
        to_state=employment.status,
    )
    return employment


@transaction.atomic
def employment_invitation_answer(
    *, person: Person, employment: Employment, accept: bool
) -> Employment:
    """The person confirms (the binding is confirmed now) or declines an employer's
    invitation. Checks the invitation is `person`'s; caller checks `person` is the logged-in
    user's own."""
    Person.objects.select_for_update().filter(pk=person.pk).first()
    employment = _employment_lock(employment, person=person)
    if employment.status != Employment.Status.INVITED:
        raise ValidationError(_("This invitation has already been answered."))
    if accept:
        if not employment.employer.is_approved:
            raise ValidationError(_("This employer is not approved yet."))
        _check_no_open_employment(person)
        return _employment_move(
            actor=person.user,
            employment=employment,
            to_state=Employment.Status.CONFIRMED,
            action="employment.invitation_accept",
            decided_at=timezone.now(),
        )
    return _employment_move(
        actor=person.user,
        employment=employment,
        to_state=Employment.Status.DECLINED,
        action="employment.invitation_decline",
        decided_at=timezone.now(),
    )


# ---------------------------------------------------------------------------------------------
# Profile facts (accounting art. 6, archives art. 9), confirmed by the employer like a binding
# ---------------------------------------------------------------------------------------------

# The earliest date a fact may carry (a career's start; anything earlier is a typing slip).
FACT_EARLIEST = date(1950, 1, 1)


def _fact_values(fact: ProfileFact) -> dict[str, object]:
    return {"on": fact.on.isoformat(), "basis": fact.basis, "education": fact.education}


@transaction.atomic
def profile_fact_set(
    *,
    person: Person,
    kind: str,
    on: date,
    basis: str = "",
    education: str = "",
    proof: UploadedFile | None = None,
    today: date | None = None,
) -> ProfileFact:
    """Record (or change) one of the person's profile facts; it waits for the employer's
    confirmation. A changed fact goes back to pending, so a confirmed one stops counting until
    it is confirmed again; an unchanged one (same values, no new file) is left as it is.

    The proof file is checked by its content (``portal.uploads``); it is required where
    ``accounts.models.fact_needs_proof`` says, and an earlier file is kept when none is given.
    The caller checks that ``person`` is the user's own."""
    if kind not in ProfileFact.Kind.values:
        raise ValidationError({"kind": _("Unknown profile fact.")})
    accounting = kind == ProfileFact.Kind.ACCOUNTING_START
    if accounting:
        education = ""
        if basis not in ProfileFact.Basis.values:
            raise ValidationError({"basis": _("Choose what the date is.")})
    else:
        basis = ""
        if education not in ProfileFact.Education.values:
            raise ValidationError({"education": _("Choose your highest archives education.")})
    today = today if today is not None else timezone.localdate()
    if on > today:
        raise ValidationError({"on": _("The date cannot be in the future.")})
    if on < FACT_EARLIEST:
        raise ValidationError({"on": _("Check the date: it is before 1950.")})
    Person.objects.select_for_update().filter(pk=person.pk).first()
    fact = ProfileFact.objects.filter(person=person, kind=kind).first()
    if fact is None:
        fact = ProfileFact(person=person, kind=kind)
        before: dict[str, object] = {}
        before_state = ""
    else:
        before = _fact_values(fact)
        before_state = fact.status
    fact.on, fact.basis, fact.education = on, basis, education
    after = _fact_values(fact)
    try:
        detected = validate_evidence(proof) if proof is not None else None
    except ValidationError as exc:
        raise ValidationError({"proof": exc.messages}) from exc
    if detected is None and fact.needs_proof and not fact.proof:
        raise ValidationError(
            {"proof": _("Upload the proof: a scan or photo of the certificate or diploma.")}
        )
    if fact.pk is not None and before == after and proof is None:
        return fact
    if proof is not None and detected is not None:
        fact.proof_content_type = EVIDENCE_CONTENT_TYPES[detected]
        fact.proof_name = (proof.name or "")[:255]
        fact.proof.save(proof.name or "proof", proof, save=False)
    fact.status = ProfileFact.Status.PENDING
    fact.reason = ""
    fact.decided_by_employer = None
    fact.decided_by = None
    fact.decided_at = None
    fact.save()
    changes = {
        name: (before.get(name, ""), value)
        for name, value in after.items()
        if before.get(name, "") != value
    }
    if proof is not None:
        changes["proof"] = ("", fact.proof_name)
    audit_log(
        actor=person.user,
        action="profile_fact.submit",
        target=fact,
        from_state=before_state,
        to_state=fact.status,
        changes=changes,
    )
    if before_state == ProfileFact.Status.CONFIRMED:
        # The confirmed value stops counting: the years it touched are computed again.
        old_on = date.fromisoformat(str(before["on"]))
        profile_facts_changed.send(sender=ProfileFact, person_id=person.pk, dates=(old_on, fact.on))
    return fact


_FACT_DECISION = {
    Decision.APPROVE: (ProfileFact.Status.CONFIRMED, "profile_fact.confirm"),
    Decision.REJECT: (ProfileFact.Status.REJECTED, "profile_fact.reject"),
}
_FACT_NOTICE = {
    Decision.APPROVE: Notice.Kind.FACT_CONFIRMED,
    Decision.REJECT: Notice.Kind.FACT_REJECTED,
}


@transaction.atomic
def profile_fact_review(
    *,
    reviewer: User,
    employer: Organisation,
    fact: ProfileFact,
    decision: str,
    reason: str = "",
) -> ProfileFact:
    """Confirm or reject a person's pending profile fact for ``employer``.

    Checks that ``reviewer`` reviews bindings for ``employer``, that ``employer`` is the
    person's confirmed employer now, and that the reviewer is not the person. A confirmed
    fact counts from now on: the person's affected years are computed again after commit."""
    if not permissions.can(reviewer, "review_bindings", employer):
        raise PermissionDenied(_("You may not confirm this employer's staff facts."))
    if decision not in _FACT_DECISION:
        raise ValidationError(_("Choose confirm or reject."))
    checked = _check_decision(decision, reason)
    fact = ProfileFact.objects.select_for_update().select_related("person").get(pk=fact.pk)
    if not permissions.employer_binds_person(employer.pk, fact.person_id):
        raise PermissionDenied(_("This person is not on your staff."))
    if fact.status != ProfileFact.Status.PENDING:
        raise ValidationError(_("This fact has already been decided."))
    if fact.person.user_id == reviewer.pk:
        raise ValidationError(_("You cannot confirm your own facts; ask another reviewer."))
    to_state, action = _FACT_DECISION[checked]
    before = fact.status
    fact.status = to_state
    fact.reason = reason.strip()
    fact.decided_by_employer = employer
    fact.decided_by = reviewer
    fact.decided_at = timezone.now()
    fact.save(
        update_fields=[
            "status",
            "reason",
            "decided_by_employer",
            "decided_by",
            "decided_at",
            "updated_at",
        ]
    )
    audit_log(
        actor=reviewer,
        action=action,
        target=fact,
        organisation=employer,
        from_state=before,
        to_state=to_state,
        reason=fact.reason,
    )
    notice_send(
        recipient_id=fact.person.user_id,
        kind=_FACT_NOTICE[checked],
        params={
            "by": employer.name,
            "on": fact.on.isoformat(),
            "reason": fact.reason,
        },
        link=reverse("accounts:me_facts"),
    )
    if to_state == ProfileFact.Status.CONFIRMED:
        profile_facts_changed.send(sender=ProfileFact, person_id=fact.person_id, dates=(fact.on,))
    return fact
