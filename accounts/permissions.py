"""The one permission module.

- Roles are Membership rows; each organisation has one guardian group per role, and object
  permissions are granted to those groups on the organisation (never one row per record).
- Every view declares an access policy with `@access(...)` or `@org_access(...)`; a test walks
  the URL resolver and fails on any pattern without one.
- Every "get this object for this user" helper lives here: a missing object and an object
  the user may not see both end in 404; a member without the needed permission gets 403.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.contrib.auth.models import AnonymousUser, Group, Permission
from django.contrib.auth.views import redirect_to_login
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404
from guardian.models import GroupObjectPermission
from guardian.shortcuts import get_perms

from accounts.models import (
    Employment,
    Membership,
    MembershipInvitation,
    Notice,
    Organisation,
    Person,
    ProfileFact,
    User,
)

# ---------------------------------------------------------------------------------------------
# Roles and their object permissions
# ---------------------------------------------------------------------------------------------

ROLE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    Membership.Role.ADMIN: (
        "act_for_organisation",
        "edit_organisation",
        "manage_members",
        "view_audit",
        "review_bindings",
        "manage_staff",
        "review_organisations",
        "review_records",
    ),
    Membership.Role.REVIEWER: (
        "act_for_organisation",
        "review_bindings",
        "review_organisations",
        "review_records",
    ),
    Membership.Role.STAFF: ("act_for_organisation",),
}


def role_group_name(organisation_id: int, role: str) -> str:
    return f"org:{organisation_id}:{role}"


def organisation_groups_ensure(organisation: Organisation) -> dict[str, Group]:
    """Create the organisation's role groups and grant their object permissions (idempotent).

    The permissions of newly created groups are written in one bulk insert (what guardian's
    ``assign_perm`` would write row by row, two or three queries per permission).
    """
    groups: dict[str, Group] = {}
    created_roles: list[str] = []
    for role in ROLE_PERMISSIONS:
        group, created = Group.objects.get_or_create(name=role_group_name(organisation.pk, role))
        groups[role] = group
        if created:
            created_roles.append(role)
    if created_roles:
        _group_permissions_grant(organisation, {role: groups[role] for role in created_roles})
    return groups


def _group_permissions_grant(organisation: Organisation, groups: dict[str, Group]) -> None:
    content_type = ContentType.objects.get_for_model(organisation)
    codenames = {perm for role in groups for perm in ROLE_PERMISSIONS[role]}
    permissions = {
        permission.codename: permission
        for permission in Permission.objects.filter(
            content_type=content_type, codename__in=codenames
        )
    }
    missing = codenames - permissions.keys()
    if missing:
        raise Permission.DoesNotExist(f"Unknown organisation permissions: {sorted(missing)}")
    GroupObjectPermission.objects.bulk_create(
        [
            GroupObjectPermission(
                group=group,
                permission=permissions[perm],
                content_type=content_type,
                object_pk=str(organisation.pk),
            )
            for role, group in groups.items()
            for perm in ROLE_PERMISSIONS[role]
        ],
        ignore_conflicts=True,
    )


def role_group(organisation: Organisation, role: str) -> Group:
    return organisation_groups_ensure(organisation)[role]


def can(user: User | AnonymousUser, perm: str, organisation: Organisation) -> bool:
    """May `user` do `perm` (a codename of Organisation's permissions) for `organisation`?"""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.has_perm(f"accounts.{perm}", organisation)


def organisation_perms(user: User, organisation: Organisation) -> frozenset[str]:
    """Every permission codename `user` holds on `organisation`, in one look-up."""
    if not user.is_active:
        return frozenset()
    return frozenset(get_perms(user, organisation))


# ---------------------------------------------------------------------------------------------
# Access policies, declared on every view
# ---------------------------------------------------------------------------------------------

ANONYMOUS = "anonymous"
PERSON = "person"
ORG_ROLES = tuple(Organisation.Kind.values)
ALL_ROLES = frozenset({ANONYMOUS, PERSON, *ORG_ROLES})


@dataclass(frozen=True)
class Policy:
    """Who may use a URL. `roles` are the role kinds let in; org policies add a permission."""

    name: str
    roles: frozenset[str]
    kinds: tuple[str, ...] = ()
    perm: str = ""
    require_approved: bool = False

    def describe(self) -> str:
        return self.name


PUBLIC = Policy("public", ALL_ROLES)
AUTHENTICATED = Policy("authenticated", ALL_ROLES - {ANONYMOUS})
PERSON_ONLY = Policy("person", frozenset({PERSON}))
STAFF_SITE = Policy("django-admin staff", frozenset())  # declared on the admin namespace


def user_is_person(user: User | AnonymousUser) -> bool:
    return user.is_authenticated and hasattr(user, "person")


def access(
    policy: Policy,
) -> Callable[[Callable[..., HttpResponseBase]], Callable[..., HttpResponseBase]]:
    """Declare and enforce a non-organisation policy on a view function."""

    def decorator(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            user = request.user
            if ANONYMOUS not in policy.roles and not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if policy is PERSON_ONLY and not user_is_person(user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.access_policy = policy  # type: ignore[attr-defined]
        return wrapped

    return decorator


def org_access(
    *kinds: str, perm: str = "act_for_organisation", require_approved: bool = True
) -> Callable[[Callable[..., HttpResponseBase]], Callable[..., HttpResponseBase]]:
    """Declare and enforce an organisation policy.

    The URL carries `organisation_id`; the view receives `organisation` instead, already
    checked: a member of that organisation, of one of `kinds`, holding `perm`.
    """
    kinds = kinds or ORG_ROLES
    policy = Policy(
        name=f"{'/'.join(kinds)} member with {perm}",
        roles=frozenset(kinds),
        kinds=kinds,
        perm=perm,
        require_approved=require_approved,
    )

    def decorator(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        @wraps(view)
        def wrapped(
            request: HttpRequest, *args: Any, organisation_id: int, **kwargs: Any
        ) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            organisation, perms = _organisation_and_perms(
                request.user,
                organisation_id,
                kinds=kinds,
                perm=perm,
                require_approved=require_approved,
            )
            request.organisation_perms = perms  # type: ignore[attr-defined]
            return view(request, *args, organisation=organisation, **kwargs)

        wrapped.access_policy = policy  # type: ignore[attr-defined]
        return wrapped

    return decorator


# ---------------------------------------------------------------------------------------------
# "Get this object for this user" helpers
# ---------------------------------------------------------------------------------------------


def get_organisation_for_user(
    user: User,
    organisation_id: int,
    *,
    kinds: Iterable[str] = ORG_ROLES,
    perm: str = "act_for_organisation",
    require_approved: bool = False,
) -> Organisation:
    """The organisation, if `user` is its member; 404 otherwise, 403 without `perm`."""
    return _organisation_and_perms(
        user, organisation_id, kinds=kinds, perm=perm, require_approved=require_approved
    )[0]


def _organisation_and_perms(
    user: User,
    organisation_id: int,
    *,
    kinds: Iterable[str],
    perm: str,
    require_approved: bool,
) -> tuple[Organisation, frozenset[str]]:
    organisation = get_object_or_404(
        Organisation.objects.select_related("region"),
        pk=organisation_id,
        kind__in=list(kinds),
        memberships__user=user,
    )
    perms = organisation_perms(user, organisation)
    if perm not in perms:
        raise PermissionDenied
    if require_approved and not organisation.is_approved:
        raise PermissionDenied
    return organisation, perms


def get_person_for_user(user: User) -> Person:
    try:
        return Person.objects.select_related("user").get(user=user)
    except Person.DoesNotExist:
        raise PermissionDenied from None


def get_own_notice(user: User, notice_id: int) -> Notice:
    """One of `user`'s notices (someone else's, or a missing one: 404)."""
    return get_object_or_404(Notice.objects.all(), pk=notice_id, recipient_id=user.pk)


def get_own_employment(person: Person, employment_id: int) -> Employment:
    return get_object_or_404(
        Employment.objects.select_related("employer"), pk=employment_id, person=person
    )


def get_own_invitation(user: User, invitation_id: int) -> MembershipInvitation:
    """An invitation addressed to `user` (anyone else's, or a missing one: 404)."""
    return get_object_or_404(
        MembershipInvitation.objects.select_related("organisation"), pk=invitation_id, user=user
    )


def get_employment_for_employer(employer: Organisation, employment_id: int) -> Employment:
    return get_object_or_404(
        Employment.objects.select_related("person", "employer"),
        pk=employment_id,
        employer_id=employer.pk,
    )


def get_binding_request_for_employer(employer: Organisation, employment_id: int) -> Employment:
    """A binding waiting for `employer`'s decision (404 once decided, or for anyone else's)."""
    return get_object_or_404(
        Employment.objects.select_related("person", "employer"),
        pk=employment_id,
        employer_id=employer.pk,
        status=Employment.Status.REQUESTED,
    )


def get_own_fact(person: Person, fact_id: int) -> ProfileFact:
    """One of `person`'s profile facts (someone else's, or a missing one: 404)."""
    return get_object_or_404(ProfileFact.objects.all(), pk=fact_id, person=person)


def get_fact_for_employer(employer: Organisation, fact_id: int) -> ProfileFact:
    """A profile fact of a person `employer` employs now (confirmed binding); 404 for anyone
    else's, and for a former employee's."""
    return get_object_or_404(
        ProfileFact.objects.select_related("person").filter(bound_now(employer.pk)),
        pk=fact_id,
    )


def get_membership_in(organisation: Organisation, membership_id: int) -> Membership:
    return get_object_or_404(
        Membership.objects.select_related("user"), pk=membership_id, organisation=organisation
    )


def reviewable_organisations(reviewer: Organisation) -> QuerySet[Organisation]:
    """Organisations whose applications `reviewer` decides.

    - An HRSS office reviews employers in its region (its own region and the regions below),
      the filing of institutions of its own level in that region, and a provincial HRSS
      office also reviews provincial authorities.
    - An authority reviews the authorities that name it as parent (province → city → district).
    """
    if reviewer.kind == Organisation.Kind.HRSS:
        in_region = (
            Q(region_id=reviewer.region_id)
            | Q(region__parent_id=reviewer.region_id)
            | Q(region__parent__parent_id=reviewer.region_id)
        )
        scope = Q(kind=Organisation.Kind.EMPLOYER) & in_region
        # Institutions are filed with the HRSS office of their own level (art. 15).
        scope |= Q(kind=Organisation.Kind.INSTITUTION, level=reviewer.level) & in_region
        if reviewer.level == "province":
            scope |= Q(kind=Organisation.Kind.AUTHORITY, level="province")
        return Organisation.objects.filter(scope)
    if reviewer.kind == Organisation.Kind.AUTHORITY:
        return Organisation.objects.filter(kind=Organisation.Kind.AUTHORITY, parent=reviewer)
    return Organisation.objects.none()


def get_application_for_reviewer(reviewer: Organisation, application_id: int) -> Organisation:
    return get_object_or_404(
        reviewable_organisations(reviewer).select_related("region", "parent"), pk=application_id
    )


# --- Whether an employer employs a person now (the policies other apps build on) ----------


def bound_now(employer_id: int, person_ref: str = "person_id") -> Exists:
    """An `Exists` that is true when the row's person (`person_ref`) has a CONFIRMED binding
    with `employer_id` now: an employer acts on a person's records only while it employs them.
    """
    return Exists(
        Employment.objects.filter(
            person_id=OuterRef(person_ref),
            employer_id=employer_id,
            status=Employment.Status.CONFIRMED,
        )
    )


def employer_binds_person(employer_id: int, person_id: int) -> bool:
    return Employment.objects.filter(
        person_id=person_id, employer_id=employer_id, status=Employment.Status.CONFIRMED
    ).exists()
