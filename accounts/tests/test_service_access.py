"""The services that check who may act refuse everyone else, whatever view calls them: a
member without the permission, an administrator of another organisation, another person."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Max

from accounts import services
from accounts.models import AuditEntry, Decision, Employment, Membership, Notice, Organisation
from tests.factories import World, admin_of, bind, member_create, person_create

pytestmark = pytest.mark.django_db


def audit_mark() -> int:
    return AuditEntry.objects.aggregate(m=Max("pk"))["m"] or 0


def audited_since(mark: int) -> list[str]:
    return list(AuditEntry.objects.filter(pk__gt=mark).values_list("action", flat=True))


def test_only_an_editor_of_the_application_resubmits_it(world: World, other_world: World) -> None:
    application = world.pending_employer
    services.organisation_review(
        reviewer=admin_of(world.hrss),
        reviewer_organisation=world.hrss,
        organisation=application,
        decision=Decision.RETURN,
        reason="Fix the name",
    )
    mark = audit_mark()
    # The office that reviews it, another employer's administrator, a person.
    for outsider in (admin_of(world.hrss), admin_of(other_world.employer), world.person.user):
        with pytest.raises(PermissionDenied):
            services.organisation_resubmit(
                actor=outsider,
                organisation=application,
                name="Taken over",
                region=application.region,
                contact_name="x",
                contact_phone="13700000000",
            )
    application.refresh_from_db()
    assert application.status == Organisation.Status.RETURNED
    assert audited_since(mark) == []


def test_only_a_member_manager_changes_roles_or_removes_members(
    world: World, other_world: World
) -> None:
    target = world.staff_membership
    other_staff = member_create(world.employer, "second-staff", "staff").user
    mark = audit_mark()
    for outsider in (other_staff, admin_of(other_world.employer)):
        with pytest.raises(PermissionDenied):
            services.membership_change_role(
                actor=outsider, membership=target, role=Membership.Role.ADMIN
            )
        with pytest.raises(PermissionDenied):
            services.membership_remove(actor=outsider, membership=target)
    target.refresh_from_db()
    assert target.role == Membership.Role.STAFF
    assert audited_since(mark) == []


def test_only_a_staff_manager_invites_staff(world: World, other_world: World) -> None:
    newcomer = person_create()
    reviewer = member_create(world.employer, "binding-reviewer", "reviewer").user
    mark = audit_mark()
    for outsider in (reviewer, admin_of(other_world.employer), newcomer.user):
        with pytest.raises(PermissionDenied):
            services.employment_add_by_employer(
                actor=outsider, employer=world.employer, id_number=newcomer.id_number
            )
    assert not Employment.objects.filter(person=newcomer).exists()
    assert audited_since(mark) == []


def test_only_a_binding_reviewer_sees_a_full_id_number(world: World, other_world: World) -> None:
    waiting = person_create()
    bind(waiting, world.employer, confirm=False)
    staff = world.staff_membership.user
    mark = audit_mark()
    for outsider in (staff, admin_of(other_world.employer)):
        with pytest.raises(PermissionDenied):
            services.person_id_number_view(
                actor=outsider, organisation=world.employer, person=waiting
            )
    assert audited_since(mark) == []


def test_a_binding_is_ended_only_by_its_person_or_the_employers_staff_manager(
    world: World, other_world: World
) -> None:
    employment = world.employment
    mark = audit_mark()
    for outsider in (
        world.staff_membership.user,  # a member of the employer without manage_staff
        admin_of(other_world.employer),
        other_world.person.user,
    ):
        with pytest.raises(PermissionDenied):
            services.employment_end(actor=outsider, employment=employment, reason="x")
    employment.refresh_from_db()
    assert employment.status == Employment.Status.CONFIRMED
    assert audited_since(mark) == []


def test_only_the_invited_person_answers_an_employers_invitation(
    world: World, other_world: World
) -> None:
    newcomer = person_create()
    invited = services.employment_add_by_employer(
        actor=admin_of(world.employer), employer=world.employer, id_number=newcomer.id_number
    )
    assert invited is not None
    with pytest.raises(Employment.DoesNotExist):
        services.employment_invitation_answer(
            person=other_world.person, employment=invited, accept=True
        )
    invited.refresh_from_db()
    assert invited.status == Employment.Status.INVITED


def test_a_notice_is_marked_read_only_by_its_recipient(world: World) -> None:
    notice = services.notice_send(
        recipient_id=world.person.user.pk, kind=Notice.Kind.BINDING_CONFIRMED
    )
    with pytest.raises(ValidationError):
        services.notice_mark_read(user=admin_of(world.employer), notice=notice)
    notice.refresh_from_db()
    assert notice.read_at is None
