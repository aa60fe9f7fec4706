"""Every read of the accounts app that is more than a `.get()`; each returns scoped querysets."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts import home, permissions
from accounts.home import Waiting
from accounts.models import (
    AuditEntry,
    Employment,
    Membership,
    MembershipInvitation,
    Notice,
    Organisation,
    Person,
    ProfileFact,
    User,
)


@dataclass(frozen=True)
class RoleOption:
    """One role a login can act in, as shown in the header's role switch."""

    key: str  # "person" or "org:<id>"
    kind: str  # "person" or an Organisation.Kind
    label: str
    url: str


def roles_for_user(user: User) -> list[RoleOption]:
    """The roles `user` can act in: their person profile first, then each membership (1 query)."""
    options: list[RoleOption] = []
    person = Person.objects.filter(user=user).only("pk", "real_name").first()
    if person is not None:
        options.append(
            RoleOption("person", permissions.PERSON, _("Professional"), reverse("accounts:me"))
        )
    memberships = (
        Membership.objects.filter(user=user)
        .select_related("organisation")
        .order_by("organisation__kind", "organisation__name")
    )
    for membership in memberships:
        org = membership.organisation
        options.append(
            RoleOption(
                key=f"org:{org.pk}",
                kind=org.kind,
                label=f"{org.get_kind_display()} · {org.name}",
                url=reverse("accounts:org_home", kwargs={"organisation_id": org.pk}),
            )
        )
    return options


def employer_choices() -> QuerySet[Organisation]:
    return Organisation.objects.filter(
        kind=Organisation.Kind.EMPLOYER, status=Organisation.Status.APPROVED
    ).order_by("name")


def authority_parent_choices() -> QuerySet[Organisation]:
    return Organisation.objects.filter(
        kind=Organisation.Kind.AUTHORITY,
        status=Organisation.Status.APPROVED,
        level__in=["province", "city"],
    ).order_by("level", "name")


def person_employments(person: Person) -> QuerySet[Employment]:
    return Employment.objects.filter(person=person).select_related("employer")


def person_open_employment(person: Person) -> Employment | None:
    return person_employments(person).filter(status__in=Employment.OPEN_STATUSES).first()


def person_employment_invitations(person: Person) -> QuerySet[Employment]:
    """Employers' invitations waiting for `person`'s answer."""
    return person_employments(person).filter(status=Employment.Status.INVITED)


def membership_invitations_for(user: User) -> QuerySet[MembershipInvitation]:
    """Organisations' invitations waiting for `user`'s answer."""
    return MembershipInvitation.objects.filter(
        user_id=user.pk, status=MembershipInvitation.Status.PENDING
    ).select_related("organisation")


def binding_queue(employer: Organisation) -> QuerySet[Employment]:
    return (
        Employment.objects.filter(employer_id=employer.pk, status=Employment.Status.REQUESTED)
        .select_related("person")
        .prefetch_related("person__series")
        .order_by("requested_at", "pk")
    )


# Columns other apps add to the staff list (certificates: the newest certificate's state),
# registered from their ready(): name → a function returning an expression on Employment.
# Each is a subquery of the one list query, so the page keeps its number of queries.
staff_list_annotations: dict[str, Callable[[], Any]] = {}


def staff_list(employer: Organisation, *, search: str = "") -> QuerySet[Employment]:
    qs = (
        Employment.objects.filter(employer_id=employer.pk, status=Employment.Status.CONFIRMED)
        .select_related("person")
        .annotate(**{name: build() for name, build in staff_list_annotations.items()})
    )
    if search:
        qs = qs.filter(Q(person__real_name__icontains=search) | Q(person__id_number=search.upper()))
    return qs.prefetch_related("person__series").order_by("person__real_name", "pk")


def members_of(organisation: Organisation) -> QuerySet[Membership]:
    return Membership.objects.filter(organisation=organisation).select_related("user")


def application_queue(
    reviewer: Organisation, *, status: str = Organisation.Status.PENDING, kind: str = ""
) -> QuerySet[Organisation]:
    qs = permissions.reviewable_organisations(reviewer).select_related("region", "parent")
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("created_at", "pk")


SECURITY_PREFIX = "security."


def audit_sees_security_events(organisation: Organisation) -> bool:
    """HRSS offices run the system, so their audit page also shows the security events
    (log-ins, lockouts, password resets, refused access), which belong to no organisation.
    Every other organisation sees only its own entries."""
    return organisation.kind == Organisation.Kind.HRSS


def audit_for_organisation(
    organisation: Organisation,
    *,
    kind: str = "",
    username: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[AuditEntry]:
    """The audit page of `organisation`, filtered by kind ("security", "other" or one action),
    actor's username and local dates (inclusive)."""
    scope = Q(organisation=organisation)
    if audit_sees_security_events(organisation):
        scope |= Q(organisation__isnull=True, action__startswith=SECURITY_PREFIX)
    qs = AuditEntry.objects.filter(scope)
    if kind == "security":
        qs = qs.filter(action__startswith=SECURITY_PREFIX)
    elif kind == "other":
        qs = qs.exclude(action__startswith=SECURITY_PREFIX)
    elif kind:
        qs = qs.filter(action=kind)
    if username:
        qs = qs.filter(actor__username__iexact=username)
    if date_from is not None:
        qs = qs.filter(at__date__gte=date_from)
    if date_to is not None:
        qs = qs.filter(at__date__lte=date_to)
    return qs.select_related("actor")


def audit_for_target(target_type: str, target_id: int) -> QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(
        target_type=target_type, target_id=str(target_id)
    ).select_related("actor")


def waiting_for_organisation(organisation: Organisation, perms: frozenset[str]) -> list[Waiting]:
    """The counts of pending items shown on an organisation's home page."""
    items: list[Waiting] = []
    org_kw = {"organisation_id": organisation.pk}
    if not organisation.is_approved:
        return items
    if organisation.kind == Organisation.Kind.EMPLOYER:
        counts = Employment.objects.filter(employer_id=organisation.pk).aggregate(
            requested=Count("pk", filter=Q(status=Employment.Status.REQUESTED)),
            confirmed=Count("pk", filter=Q(status=Employment.Status.CONFIRMED)),
        )
        if "review_bindings" in perms:
            items.append(
                Waiting(
                    _("Staff bindings awaiting confirmation"),
                    counts["requested"],
                    reverse("accounts:binding_queue", kwargs=org_kw),
                )
            )
            items.append(
                Waiting(
                    _("Profile facts awaiting confirmation"),
                    fact_queue(organisation).count(),
                    reverse("accounts:fact_queue", kwargs=org_kw),
                )
            )
        if "manage_staff" in perms:
            items.append(
                Waiting(
                    _("Confirmed staff"),
                    counts["confirmed"],
                    reverse("accounts:staff_list", kwargs=org_kw),
                )
            )
    items.extend(home.organisation_waiting(organisation, perms))
    if organisation.kind in (Organisation.Kind.HRSS, Organisation.Kind.AUTHORITY) and (
        "review_organisations" in perms
    ):
        pending = application_queue(organisation).aggregate(
            employers=Count("pk", filter=Q(kind=Organisation.Kind.EMPLOYER)),
            authorities=Count("pk", filter=Q(kind=Organisation.Kind.AUTHORITY)),
            institutions=Count("pk", filter=Q(kind=Organisation.Kind.INSTITUTION)),
        )
        url = reverse("accounts:application_queue", kwargs=org_kw)
        if organisation.kind == Organisation.Kind.HRSS:
            items.append(Waiting(_("Employer registrations to review"), pending["employers"], url))
            items.append(
                Waiting(
                    _("Institution filings to review"),
                    pending["institutions"],
                    f"{url}?kind={Organisation.Kind.INSTITUTION}",
                )
            )
        if organisation.kind == Organisation.Kind.AUTHORITY or organisation.level == "province":
            items.append(
                Waiting(_("Authority applications to review"), pending["authorities"], url)
            )
    return items


def notices_for(user: User) -> QuerySet[Notice]:
    """`user`'s notices, newest first (one query per page: nothing related is read)."""
    return Notice.objects.filter(recipient=user).order_by("-created_at", "-pk")


def unread_notice_count(user: User) -> int:
    return Notice.objects.filter(recipient=user, read_at__isnull=True).count()


# --- Profile facts -----------------------------------------------------------------------------


def person_profile_facts(person: Person) -> dict[str, ProfileFact]:
    """The person's facts by kind (one query)."""
    facts = ProfileFact.objects.filter(person=person).select_related("decided_by_employer")
    return {fact.kind: fact for fact in facts}


def fact_queue(employer: Organisation) -> QuerySet[ProfileFact]:
    """Facts waiting for ``employer``'s confirmation: pending facts of the persons it employs
    now (a confirmed binding), oldest change first."""
    return (
        ProfileFact.objects.filter(status=ProfileFact.Status.PENDING)
        .filter(permissions.bound_now(employer.pk))
        .select_related("person")
        .order_by("updated_at", "pk")
    )
