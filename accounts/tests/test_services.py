"""Every write of the accounts app, its invariants, and the audit entry each state change leaves."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.db.models import Max
from django.utils import translation

from accounts import permissions, services
from accounts.demo import demo_id_number, demo_uscc
from accounts.models import (
    AuditEntry,
    Decision,
    Employment,
    Level,
    Membership,
    MembershipInvitation,
    Organisation,
    Person,
    Region,
    User,
)
from tests.factories import (
    PASSWORD,
    World,
    admin_of,
    authority_create,
    bind,
    member_create,
    member_link,
    next_serial,
    person_create,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


# --- Helpers -------------------------------------------------------------------------------------


def region(code: str) -> Region:
    return Region.objects.get(code=code)


def province_hrss() -> Organisation:
    return Organisation.objects.get(kind=Organisation.Kind.HRSS, level=Level.PROVINCE)


def audit_mark() -> int:
    return AuditEntry.objects.aggregate(m=Max("pk"))["m"] or 0


def new_audit_entries(mark: int) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(pk__gt=mark).order_by("pk"))


def the_new_audit_entry(mark: int) -> AuditEntry:
    entries = new_audit_entries(mark)
    assert len(entries) == 1, [(e.action, e.from_state, e.to_state) for e in entries]
    return entries[0]


def with_wrong_check_char(code: str) -> str:
    return code[:17] + ("0" if code[17] != "0" else "1")


def row_counts() -> dict[str, int]:
    return {
        "users": User.objects.count(),
        "persons": Person.objects.count(),
        "organisations": Organisation.objects.count(),
        "memberships": Membership.objects.count(),
        "employments": Employment.objects.count(),
        "invitations": MembershipInvitation.objects.count(),
        "audit": AuditEntry.objects.count(),
    }


def error_fields(exc: pytest.ExceptionInfo[ValidationError]) -> set[str]:
    return set(exc.value.message_dict) if hasattr(exc.value, "error_dict") else set()


def has_perm(user: User, perm: str, organisation: Organisation) -> bool:
    return permissions.can(User.objects.get(pk=user.pk), perm, organisation)


def register_person(**overrides: object) -> Person:
    serial = next_serial()
    data: dict[str, object] = {
        "username": f"reg{serial}",
        "password": PASSWORD,
        "real_name": " 王小明 ",
        "id_number": demo_id_number("19850607", serial % 1000),
        "phone": "13812345678",
        "series_codes": ["engineering", "accounting"],
    }
    data.update(overrides)
    return services.person_register(**data)  # type: ignore[arg-type]


def register_employer(**overrides: object) -> Organisation:
    serial = next_serial()
    data: dict[str, object] = {
        "username": f"emp{serial}",
        "password": PASSWORD,
        "name": f" 测试单位{serial} ",
        "uscc": demo_uscc(serial),
        "region": region("440105"),
        "contact_name": "联系人",
        "contact_phone": "13800000000",
    }
    data.update(overrides)
    return services.employer_register(**data)  # type: ignore[arg-type]


# --- Persons -------------------------------------------------------------------------------------


def test_person_register_creates_login_profile_series_and_one_audit_entry(db: None) -> None:
    mark = audit_mark()
    person = register_person(id_number=demo_id_number("19850607", 1).lower())
    assert person.user.check_password(PASSWORD)
    assert person.real_name == "王小明"
    assert person.id_number == demo_id_number("19850607", 1)  # lower-case x normalised
    assert sorted(person.series.values_list("code", flat=True)) == ["accounting", "engineering"]
    entry = the_new_audit_entry(mark)
    assert (entry.action, entry.actor, entry.to_state) == (
        "person.register",
        person.user,
        "registered",
    )


def test_person_register_refuses_a_duplicate_id_number_and_saves_nothing(world: World) -> None:
    before = row_counts()
    with pytest.raises(ValidationError) as exc:
        register_person(id_number=world.person.id_number.lower())
    # A generic answer that does not say the ID number is registered (decision 0004).
    assert not hasattr(exc.value, "error_dict")
    assert exc.value.messages == [str(services.REGISTRATION_FAILED)]
    assert "ID number" not in exc.value.messages[0]
    assert row_counts() == before


def test_person_register_checks_the_username_before_the_id_number(world: World) -> None:
    with pytest.raises(ValidationError) as exc:
        register_person(username=world.person.user.username, id_number=world.person.id_number)
    assert exc.value.message_dict == {"username": ["This username is already taken."]}


def test_person_register_refuses_a_username_taken_in_another_case(world: World) -> None:
    before = row_counts()
    with pytest.raises(ValidationError) as exc:
        register_person(username=world.person.user.username.upper())
    assert exc.value.message_dict["username"] == ["This username is already taken."]
    assert row_counts() == before


def test_person_register_refuses_a_username_the_user_model_forbids(db: None) -> None:
    before = row_counts()
    with pytest.raises(ValidationError) as exc:
        register_person(username="bad name<>")
    assert "username" in error_fields(exc)
    assert row_counts() == before


@pytest.mark.parametrize("password", ["Short-1", "password123", "1234567890123"])
def test_person_register_refuses_a_weak_password(db: None, password: str) -> None:
    before = row_counts()
    with pytest.raises(ValidationError) as exc:
        register_person(password=password)
    assert error_fields(exc) == {"password"}
    assert row_counts() == before


@pytest.mark.parametrize("codes", [[], ["no-such-series"], ["engineering", "no-such-series"]])
def test_person_register_refuses_missing_or_unknown_series(db: None, codes: list[str]) -> None:
    before = row_counts()
    with pytest.raises(ValidationError) as exc:
        register_person(series_codes=codes)
    assert error_fields(exc) == {"series"}
    assert row_counts() == before


@pytest.mark.parametrize(
    ("field", "value"),
    [("phone", "12345"), ("id_number", demo_id_number("19991332", 5))],
)
def test_person_register_with_bad_identifier_rolls_back_the_login(
    db: None, field: str, value: str
) -> None:
    # The login is created before the profile is validated: the transaction must undo it.
    before = row_counts()
    with pytest.raises(ValidationError) as exc:
        register_person(**{field: value})
    assert field in error_fields(exc)
    assert row_counts() == before


def test_person_update_audits_phone_and_series_changes_with_old_and_new_values(
    world: World,
) -> None:
    person = world.person
    services.person_update(
        person=person, phone=person.phone, series_codes=["accounting", "engineering"]
    )
    old_phone = person.phone
    mark = audit_mark()
    services.person_update(person=person, phone="13999999999", series_codes=["archives"])
    person.refresh_from_db()
    assert person.phone == "13999999999"
    assert list(person.series.values_list("code", flat=True)) == ["archives"]
    entries = {e.action: e for e in new_audit_entries(mark)}
    assert set(entries) == {"person.phone", "person.series"}
    phone = entries["person.phone"]
    assert (phone.actor, phone.changes) == (person.user, {"phone": [old_phone, "13999999999"]})
    # Whole values, never cut to the 20 characters of from/to ("accounting,engineeri").
    series = entries["person.series"]
    assert (series.actor, series.changes) == (
        person.user,
        {"series": [["accounting", "engineering"], ["archives"]]},
    )


def test_person_update_changes_the_email_and_audits_old_and_new(world: World) -> None:
    person = world.person
    person.user.email = "old@example.com"
    person.user.save(update_fields=["email"])
    mark = audit_mark()
    services.person_update(
        person=person, phone=person.phone, series_codes=["engineering"], email="New@Example.com"
    )
    person.user.refresh_from_db()
    assert person.user.email == "New@example.com"
    entry = the_new_audit_entry(mark)
    assert (entry.action, entry.actor, entry.changes) == (
        "user.email",
        person.user,
        {"email": ["old@example.com", "New@example.com"]},
    )


def test_person_update_refuses_an_email_another_login_uses(world: World) -> None:
    other = world.user("employer")
    other.email = "taken@example.com"
    other.save(update_fields=["email"])
    mark = audit_mark()
    with pytest.raises(ValidationError) as exc:
        services.person_update(
            person=world.person,
            phone=world.person.phone,
            series_codes=["engineering"],
            email="TAKEN@example.com",
        )
    assert error_fields(exc) == {"email"}
    world.person.user.refresh_from_db()
    assert world.person.user.email == ""
    assert new_audit_entries(mark) == []


def test_person_update_refuses_a_bad_phone_and_keeps_the_series(world: World) -> None:
    with pytest.raises(ValidationError) as exc:
        services.person_update(person=world.person, phone="1234", series_codes=["archives"])
    assert error_fields(exc) == {"phone"}
    world.person.refresh_from_db()
    assert list(world.person.series.values_list("code", flat=True)) == ["engineering"]


# --- Organisation registration -------------------------------------------------------------------


def test_organisation_create_audits_the_creation(db: None) -> None:
    mark = audit_mark()
    office = services.organisation_create(
        kind=Organisation.Kind.HRSS, name="某市人社局", region=region("440100"), level=Level.CITY
    )
    assert office.is_approved
    entry = the_new_audit_entry(mark)
    assert (entry.action, entry.organisation, entry.to_state) == (
        "organisation.create",
        office,
        "approved",
    )


def test_employer_register_is_pending_with_an_admin_who_can_manage_it(db: None) -> None:
    mark = audit_mark()
    employer = register_employer(uscc=demo_uscc(4242).lower())
    assert employer.status == Organisation.Status.PENDING
    assert employer.uscc == demo_uscc(4242)
    assert employer.name.startswith("测试单位")
    admin = admin_of(employer)
    assert has_perm(admin, "manage_members", employer)
    assert has_perm(admin, "edit_organisation", employer)
    entry = the_new_audit_entry(mark)
    assert (entry.action, entry.actor, entry.organisation, entry.to_state) == (
        "organisation.register",
        admin,
        employer,
        "pending",
    )


def test_employer_register_refuses_a_duplicate_uscc_and_saves_nothing(world: World) -> None:
    before = row_counts()
    with pytest.raises(ValidationError) as exc:
        register_employer(uscc=str(world.employer.uscc).lower())
    assert exc.value.message_dict["uscc"] == [
        "An employer with this credit code is already registered."
    ]
    assert row_counts() == before


def test_employer_register_with_invalid_uscc_rolls_back_the_login(db: None) -> None:
    before = row_counts()
    with pytest.raises(ValidationError) as exc:
        register_employer(uscc=with_wrong_check_char(demo_uscc(next_serial())))
    assert "uscc" in error_fields(exc)
    assert row_counts() == before


def test_employer_register_refuses_a_taken_username(world: World) -> None:
    before = row_counts()
    with pytest.raises(ValidationError) as exc:
        register_employer(username=admin_of(world.employer).username)
    assert error_fields(exc) == {"username"}
    assert row_counts() == before


def test_provincial_authority_registers_without_parent(db: None) -> None:
    authority = authority_create(region=region("440000"), level=Level.PROVINCE, parent=None)
    assert authority.status == Organisation.Status.PENDING
    assert list(authority.series.values_list("code", flat=True)) == ["engineering"]


def test_city_authority_cannot_be_registered_under_a_pending_province_authority(
    db: None,
) -> None:
    pending_province = authority_create(region=region("440000"), level=Level.PROVINCE, parent=None)
    before = row_counts()
    with pytest.raises(ValidationError) as exc:
        authority_create(region=region("440100"), level=Level.CITY, parent=pending_province)
    assert exc.value.message_dict["parent"] == ["The parent authority is not approved yet."]
    assert row_counts() == before


def test_authority_parent_must_be_an_authority_one_level_up(world: World) -> None:
    province_authority = world.authority.parent
    assert province_authority is not None
    cases = [
        (Level.PROVINCE, province_authority, "has no parent"),
        (Level.CITY, None, "Choose the parent authority"),
        (Level.CITY, world.employer, "Choose the parent authority"),
        (Level.DISTRICT, province_authority, "one level above"),
        (Level.CITY, world.authority, "one level above"),
    ]
    for level, parent, message in cases:
        with pytest.raises(ValidationError) as exc:
            authority_create(region=region("440105"), level=level, parent=parent)
        assert message in exc.value.message_dict["parent"][0], (level, parent)


# --- Organisation review -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("decision", "reason", "status"),
    [
        (Decision.APPROVE, "", Organisation.Status.APPROVED),
        (Decision.REJECT, "Not an employer", Organisation.Status.REJECTED),
        (Decision.RETURN, "Wrong region", Organisation.Status.RETURNED),
    ],
)
def test_hrss_decides_an_employer_registration_with_one_audit_entry(
    world: World, decision: str, reason: str, status: str
) -> None:
    reviewer = admin_of(world.hrss)
    mark = audit_mark()
    decided = services.organisation_review(
        reviewer=reviewer,
        reviewer_organisation=world.hrss,
        organisation=world.pending_employer,
        decision=decision,
        reason=f"  {reason}  ",
    )
    world.pending_employer.refresh_from_db()
    assert world.pending_employer.status == decided.status == status
    assert world.pending_employer.status_reason == reason
    entry = the_new_audit_entry(mark)
    assert entry.actor == reviewer
    assert entry.action == f"organisation.{decision}"
    assert entry.organisation == world.pending_employer
    assert (entry.from_state, entry.to_state, entry.reason) == ("pending", status, reason)
    assert entry.at is not None


@pytest.mark.parametrize("decision", [Decision.REJECT, Decision.RETURN])
@pytest.mark.parametrize("reason", ["", "   "])
def test_reject_and_return_need_a_reason(world: World, decision: str, reason: str) -> None:
    mark = audit_mark()
    with pytest.raises(ValidationError) as exc:
        services.organisation_review(
            reviewer=admin_of(world.hrss),
            reviewer_organisation=world.hrss,
            organisation=world.pending_employer,
            decision=decision,
            reason=reason,
        )
    assert error_fields(exc) == {"reason"}
    world.pending_employer.refresh_from_db()
    assert world.pending_employer.status == Organisation.Status.PENDING
    assert new_audit_entries(mark) == []


def test_deciding_an_already_decided_application_raises(world: World) -> None:
    reviewer = admin_of(world.hrss)
    services.organisation_review(
        reviewer=reviewer,
        reviewer_organisation=world.hrss,
        organisation=world.pending_employer,
        decision=Decision.APPROVE,
    )
    mark = audit_mark()
    with pytest.raises(ValidationError, match="already been decided"):
        services.organisation_review(
            reviewer=reviewer,
            reviewer_organisation=world.hrss,
            organisation=world.pending_employer,  # a stale copy still saying "pending"
            decision=Decision.REJECT,
            reason="Changed my mind",
        )
    world.pending_employer.refresh_from_db()
    assert world.pending_employer.status == Organisation.Status.APPROVED
    assert new_audit_entries(mark) == []


def test_reviewer_from_the_wrong_hrss_region_cannot_decide(
    world: World, other_world: World
) -> None:
    with pytest.raises(ValidationError, match="does not review this application"):
        services.organisation_review(
            reviewer=admin_of(other_world.hrss),
            reviewer_organisation=other_world.hrss,
            organisation=world.pending_employer,
            decision=Decision.APPROVE,
        )
    world.pending_employer.refresh_from_db()
    assert world.pending_employer.status == Organisation.Status.PENDING


def test_provincial_hrss_reviews_employers_of_every_city(world: World, other_world: World) -> None:
    office = province_hrss()
    for employer in (world.pending_employer, other_world.pending_employer):
        decided = services.organisation_review(
            reviewer=admin_of(office),
            reviewer_organisation=office,
            organisation=employer,
            decision=Decision.APPROVE,
        )
        assert decided.is_approved


def test_only_provincial_hrss_reviews_provincial_authorities(world: World) -> None:
    application = authority_create(region=region("440000"), level=Level.PROVINCE, parent=None)
    with pytest.raises(ValidationError, match="does not review"):
        services.organisation_review(
            reviewer=admin_of(world.hrss),
            reviewer_organisation=world.hrss,
            organisation=application,
            decision=Decision.APPROVE,
        )
    office = province_hrss()
    decided = services.organisation_review(
        reviewer=admin_of(office),
        reviewer_organisation=office,
        organisation=application,
        decision=Decision.APPROVE,
    )
    assert decided.is_approved


def test_hrss_does_not_review_city_or_district_authorities(world: World) -> None:
    with pytest.raises(ValidationError, match="does not review"):
        services.organisation_review(
            reviewer=admin_of(province_hrss()),
            reviewer_organisation=province_hrss(),
            organisation=world.pending_authority,
            decision=Decision.APPROVE,
        )


def test_parent_authority_decides_its_child_and_no_other_authority_can(
    world: World, other_world: World
) -> None:
    for outsider in (other_world.authority, world.institution, world.employer):
        with pytest.raises(ValidationError, match="does not review"):
            services.organisation_review(
                reviewer=admin_of(outsider),
                reviewer_organisation=outsider,
                organisation=world.pending_authority,
                decision=Decision.APPROVE,
            )
    mark = audit_mark()
    decided = services.organisation_review(
        reviewer=admin_of(world.authority),
        reviewer_organisation=world.authority,
        organisation=world.pending_authority,
        decision=Decision.RETURN,
        reason="Attach the mandate",
    )
    assert decided.status == Organisation.Status.RETURNED
    entry = the_new_audit_entry(mark)
    assert (entry.actor, entry.from_state, entry.to_state, entry.reason) == (
        admin_of(world.authority),
        "pending",
        "returned",
        "Attach the mandate",
    )


def test_a_failing_audit_write_undoes_the_state_change(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(**kwargs: object) -> None:
        raise RuntimeError("audit storage is down")

    monkeypatch.setattr(services, "audit_log", broken)
    with pytest.raises(RuntimeError):
        services.organisation_review(
            reviewer=admin_of(world.hrss),
            reviewer_organisation=world.hrss,
            organisation=world.pending_employer,
            decision=Decision.APPROVE,
        )
    world.pending_employer.refresh_from_db()
    assert world.pending_employer.status == Organisation.Status.PENDING


# --- Resubmission --------------------------------------------------------------------------------


def _return(organisation: Organisation, reviewer_org: Organisation) -> None:
    services.organisation_review(
        reviewer=admin_of(reviewer_org),
        reviewer_organisation=reviewer_org,
        organisation=organisation,
        decision=Decision.RETURN,
        reason="Fix the name",
    )


def test_returned_employer_is_edited_and_resubmitted_then_approved(world: World) -> None:
    _return(world.pending_employer, world.hrss)
    admin = admin_of(world.pending_employer)
    uscc = demo_uscc(next_serial())  # a fixed serial may be an employer of the module's world
    mark = audit_mark()
    resubmitted = services.organisation_resubmit(
        actor=admin,
        organisation=world.pending_employer,
        name=" 改正后的单位 ",
        region=region("440106"),
        contact_name="新联系人",
        contact_phone="13700000000",
        uscc=uscc.lower(),
    )
    assert resubmitted.status == Organisation.Status.PENDING
    assert (resubmitted.name, resubmitted.uscc) == ("改正后的单位", uscc)
    assert resubmitted.region.code == "440106"
    entry = the_new_audit_entry(mark)
    assert (entry.action, entry.actor, entry.from_state, entry.to_state) == (
        "organisation.resubmit",
        admin,
        "returned",
        "pending",
    )
    approved = services.organisation_review(
        reviewer=admin_of(world.hrss),
        reviewer_organisation=world.hrss,
        organisation=resubmitted,
        decision=Decision.APPROVE,
    )
    assert approved.is_approved


def test_returned_authority_is_resubmitted(world: World) -> None:
    _return(world.pending_authority, world.authority)
    resubmitted = services.organisation_resubmit(
        actor=admin_of(world.pending_authority),
        organisation=world.pending_authority,
        name="海珠区住建局",
        region=region("440105"),
        contact_name="联系人",
        contact_phone="13700000000",
    )
    assert resubmitted.status == Organisation.Status.PENDING
    assert resubmitted.name == "海珠区住建局"


def test_resubmission_cannot_take_another_employers_uscc(world: World) -> None:
    _return(world.pending_employer, world.hrss)
    with pytest.raises(ValidationError) as exc:
        services.organisation_resubmit(
            actor=admin_of(world.pending_employer),
            organisation=world.pending_employer,
            name="x",
            region=region("440105"),
            contact_name="x",
            contact_phone="13700000000",
            uscc=world.employer.uscc,
        )
    assert error_fields(exc) == {"uscc"}
    world.pending_employer.refresh_from_db()
    assert world.pending_employer.status == Organisation.Status.RETURNED


@pytest.mark.parametrize("state", ["pending", "approved", "rejected"])
def test_only_a_returned_application_can_be_resubmitted(world: World, state: str) -> None:
    if state != "pending":
        services.organisation_review(
            reviewer=admin_of(world.hrss),
            reviewer_organisation=world.hrss,
            organisation=world.pending_employer,
            decision=Decision.APPROVE if state == "approved" else Decision.REJECT,
            reason="no",
        )
    mark = audit_mark()
    with pytest.raises(ValidationError, match="Only an application returned"):
        services.organisation_resubmit(
            actor=admin_of(world.pending_employer),
            organisation=world.pending_employer,
            name="x",
            region=region("440105"),
            contact_name="x",
            contact_phone="13700000000",
        )
    world.pending_employer.refresh_from_db()
    assert world.pending_employer.status == state
    assert new_audit_entries(mark) == []


# --- Memberships ---------------------------------------------------------------------------------


def test_membership_add_creates_a_sub_account_with_the_roles_permissions(world: World) -> None:
    actor = admin_of(world.employer)
    mark = audit_mark()
    membership = services.membership_add(
        actor=actor,
        organisation=world.employer,
        username="reviewer-new",
        role=Membership.Role.REVIEWER,
        password=PASSWORD,
    )
    assert isinstance(membership, Membership)
    user = membership.user
    assert user.check_password(PASSWORD)
    assert has_perm(user, "review_bindings", world.employer)
    assert not has_perm(user, "manage_members", world.employer)
    assert not has_perm(user, "review_bindings", world.hrss)
    entry = the_new_audit_entry(mark)
    assert (entry.action, entry.actor, entry.to_state, entry.reason) == (
        "membership.add",
        actor,
        "reviewer",
        "reviewer-new",
    )


def test_adding_an_existing_login_only_invites_until_the_user_accepts(world: World) -> None:
    person_user = world.person.user
    actor = admin_of(world.employer)
    mark = audit_mark()
    invitation = services.membership_add(
        actor=actor,
        organisation=world.employer,
        username=person_user.username.upper(),
        role=Membership.Role.REVIEWER,
    )
    assert isinstance(invitation, MembershipInvitation)
    assert not Membership.objects.filter(user=person_user, organisation=world.employer).exists()
    assert not has_perm(person_user, "review_bindings", world.employer)
    entry = the_new_audit_entry(mark)
    assert (entry.action, entry.actor, entry.to_state) == ("membership.invite", actor, "pending")

    mark = audit_mark()
    services.membership_invitation_answer(user=person_user, invitation=invitation, accept=True)

    membership = Membership.objects.get(user=person_user, organisation=world.employer)
    assert membership.role == Membership.Role.REVIEWER
    assert has_perm(person_user, "review_bindings", world.employer)
    assert sorted(e.action for e in new_audit_entries(mark)) == [
        "membership.add",
        "membership.invitation_accept",
    ]
    with pytest.raises(ValidationError, match="already been answered"):
        services.membership_invitation_answer(user=person_user, invitation=invitation, accept=False)


def test_a_declined_invitation_creates_no_membership(world: World) -> None:
    invitation = services.membership_add(
        actor=admin_of(world.employer),
        organisation=world.employer,
        username=world.hrss.memberships.get().user.username,
        role=Membership.Role.ADMIN,
    )
    assert isinstance(invitation, MembershipInvitation)
    user = invitation.user
    mark = audit_mark()

    services.membership_invitation_answer(user=user, invitation=invitation, accept=False)

    invitation.refresh_from_db()
    assert invitation.status == MembershipInvitation.Status.DECLINED
    assert not Membership.objects.filter(user=user, organisation=world.employer).exists()
    assert the_new_audit_entry(mark).action == "membership.invitation_decline"


def test_only_the_invited_user_answers(world: World) -> None:
    invitation = services.membership_add(
        actor=admin_of(world.employer),
        organisation=world.employer,
        username=world.person.user.username,
        role=Membership.Role.STAFF,
    )
    assert isinstance(invitation, MembershipInvitation)
    with pytest.raises(MembershipInvitation.DoesNotExist):
        services.membership_invitation_answer(
            user=admin_of(world.hrss), invitation=invitation, accept=True
        )


def test_an_unapproved_organisation_cannot_add_members(world: World) -> None:
    before = row_counts()
    for password in ("", PASSWORD):
        with pytest.raises(ValidationError, match="approved"):
            services.membership_add(
                actor=admin_of(world.pending_employer),
                organisation=world.pending_employer,
                username=admin_of(world.hrss).username if not password else "brand-new",
                role=Membership.Role.ADMIN,
                password=password,
            )
    assert row_counts() == before


def test_existing_member_and_unknown_login_get_no_invitation_and_no_error(world: World) -> None:
    before = row_counts()
    for username in (world.staff_membership.user.username, "nobody-yet"):
        assert (
            services.membership_add(
                actor=admin_of(world.employer),
                organisation=world.employer,
                username=username,
                role=Membership.Role.STAFF,
            )
            is None
        )
    assert row_counts() == before


def test_creating_a_sub_account_with_a_taken_username_is_refused(world: World) -> None:
    before = row_counts()
    with pytest.raises(ValidationError) as exc:
        services.membership_add(
            actor=admin_of(world.employer),
            organisation=world.employer,
            username=world.person.user.username,
            role=Membership.Role.ADMIN,
            password="Brand-new-pass-1",
        )
    assert exc.value.message_dict["username"] == ["This username is already taken."]
    assert row_counts() == before


def test_membership_add_refuses_an_unknown_role(world: World) -> None:
    before = row_counts()
    with pytest.raises(ValidationError) as exc:
        services.membership_add(
            actor=admin_of(world.employer),
            organisation=world.employer,
            username="new-owner",
            role="owner",
            password=PASSWORD,
        )
    assert error_fields(exc) == {"role"}
    assert row_counts() == before


def test_membership_change_role_swaps_permissions_and_audits(world: World) -> None:
    membership = world.staff_membership
    user = membership.user
    assert not has_perm(user, "review_bindings", world.employer)
    mark = audit_mark()
    services.membership_change_role(
        actor=admin_of(world.employer), membership=membership, role=Membership.Role.REVIEWER
    )
    assert has_perm(user, "review_bindings", world.employer)
    assert not has_perm(user, "manage_members", world.employer)
    entry = the_new_audit_entry(mark)
    assert (entry.action, entry.from_state, entry.to_state) == (
        "membership.role",
        "staff",
        "reviewer",
    )


def test_membership_change_to_the_same_role_changes_nothing(world: World) -> None:
    mark = audit_mark()
    services.membership_change_role(
        actor=admin_of(world.employer), membership=world.staff_membership, role="staff"
    )
    assert new_audit_entries(mark) == []


def test_membership_change_role_refuses_an_unknown_role(world: World) -> None:
    with pytest.raises(ValidationError) as exc:
        services.membership_change_role(
            actor=admin_of(world.employer), membership=world.staff_membership, role="owner"
        )
    assert error_fields(exc) == {"role"}


def _admin_membership(organisation: Organisation) -> Membership:
    return Membership.objects.get(organisation=organisation, role=Membership.Role.ADMIN)


def test_last_admin_cannot_be_demoted(world: World) -> None:
    membership = _admin_membership(world.employer)
    mark = audit_mark()
    with pytest.raises(ValidationError) as exc:
        services.membership_change_role(
            actor=membership.user, membership=membership, role=Membership.Role.STAFF
        )
    assert exc.value.message_dict["role"] == [
        "An organisation must keep at least one administrator."
    ]
    membership.refresh_from_db()
    assert membership.role == Membership.Role.ADMIN
    assert has_perm(membership.user, "manage_members", world.employer)
    assert new_audit_entries(mark) == []


def test_last_admin_cannot_be_removed(world: World) -> None:
    membership = _admin_membership(world.employer)
    mark = audit_mark()
    with pytest.raises(ValidationError, match="at least one administrator"):
        services.membership_remove(actor=membership.user, membership=membership)
    assert Membership.objects.filter(pk=membership.pk).exists()
    assert has_perm(membership.user, "manage_members", world.employer)
    assert new_audit_entries(mark) == []


def test_an_admin_can_step_down_once_another_admin_exists(world: World) -> None:
    first = _admin_membership(world.employer)
    services.membership_change_role(
        actor=first.user, membership=world.staff_membership, role=Membership.Role.ADMIN
    )
    services.membership_change_role(actor=first.user, membership=first, role=Membership.Role.STAFF)
    # The promoted one is now the last admin: not even they can remove themselves.
    promoted = world.staff_membership
    with pytest.raises(ValidationError):
        services.membership_remove(actor=promoted.user, membership=promoted)


def test_membership_remove_revokes_permissions_and_audits(world: World) -> None:
    membership = world.staff_membership
    user = membership.user
    assert has_perm(user, "act_for_organisation", world.employer)
    mark = audit_mark()
    services.membership_remove(actor=admin_of(world.employer), membership=membership)
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert not has_perm(user, "act_for_organisation", world.employer)
    entry = the_new_audit_entry(mark)
    assert (entry.action, entry.from_state, entry.to_state, entry.reason) == (
        "membership.remove",
        "staff",
        "removed",
        user.username,
    )
    assert entry.target_id == str(membership.pk)


# --- Employment binding --------------------------------------------------------------------------


def test_person_requests_a_binding_with_one_audit_entry(world: World) -> None:
    person = person_create()
    mark = audit_mark()
    employment = services.employment_request(person=person, employer=world.employer)
    assert employment.status == Employment.Status.REQUESTED
    entry = the_new_audit_entry(mark)
    assert (entry.action, entry.actor, entry.organisation, entry.to_state) == (
        "employment.request",
        person.user,
        world.employer,
        "requested",
    )


@pytest.mark.parametrize("which", ["pending_employer", "institution", "hrss"])
def test_binding_to_an_unapproved_or_non_employer_is_refused(world: World, which: str) -> None:
    person = person_create()
    before = row_counts()
    with pytest.raises(ValidationError) as exc:
        services.employment_request(person=person, employer=getattr(world, which))
    assert exc.value.message_dict["employer"] == ["This employer is not approved yet."]
    assert row_counts() == before


def test_binding_to_a_rejected_employer_is_refused(world: World) -> None:
    services.organisation_review(
        reviewer=admin_of(world.hrss),
        reviewer_organisation=world.hrss,
        organisation=world.pending_employer,
        decision=Decision.REJECT,
        reason="fake",
    )
    world.pending_employer.refresh_from_db()
    with pytest.raises(ValidationError):
        services.employment_request(person=person_create(), employer=world.pending_employer)


def test_a_person_has_at_most_one_open_binding(world: World, other_world: World) -> None:
    with pytest.raises(ValidationError) as exc:
        services.employment_request(person=world.person, employer=other_world.employer)
    assert error_fields(exc) == {"employer"}
    assert world.person.employments.count() == 1


@pytest.mark.parametrize(
    ("decision", "reason", "status"),
    [
        (Decision.APPROVE, "", Employment.Status.CONFIRMED),
        (Decision.REJECT, "Not our staff", Employment.Status.REJECTED),
        (Decision.RETURN, "Use your legal name", Employment.Status.RETURNED),
    ],
)
def test_employer_decides_a_binding_with_one_audit_entry(
    world: World, decision: str, reason: str, status: str
) -> None:
    employment = bind(person_create(), world.employer, confirm=False)
    reviewer = admin_of(world.employer)
    mark = audit_mark()
    decided = services.employment_review(
        reviewer=reviewer, employment=employment, decision=decision, reason=reason
    )
    assert (decided.status, decided.reason) == (status, reason)
    assert decided.decided_at is not None
    entry = the_new_audit_entry(mark)
    assert entry.actor == reviewer
    assert entry.organisation == world.employer
    assert (entry.action, entry.from_state, entry.to_state, entry.reason) == (
        f"employment.{decision}",
        "requested",
        status,
        reason,
    )


@pytest.mark.parametrize("decision", [Decision.REJECT, Decision.RETURN])
def test_binding_reject_and_return_need_a_reason(world: World, decision: str) -> None:
    employment = bind(person_create(), world.employer, confirm=False)
    with pytest.raises(ValidationError) as exc:
        services.employment_review(
            reviewer=admin_of(world.employer), employment=employment, decision=decision
        )
    assert error_fields(exc) == {"reason"}
    employment.refresh_from_db()
    assert employment.status == Employment.Status.REQUESTED


def test_deciding_an_already_decided_binding_raises(world: World) -> None:
    with pytest.raises(ValidationError, match="already been decided"):
        services.employment_review(
            reviewer=admin_of(world.employer),
            employment=world.employment,
            decision=Decision.REJECT,
            reason="late",
        )
    world.employment.refresh_from_db()
    assert world.employment.status == Employment.Status.CONFIRMED


def test_returned_binding_is_resubmitted_then_confirmed(world: World) -> None:
    person = person_create()
    employment = bind(person, world.employer, confirm=False)
    services.employment_review(
        reviewer=admin_of(world.employer),
        employment=employment,
        decision=Decision.RETURN,
        reason="Which department?",
    )
    mark = audit_mark()
    resubmitted = services.employment_resubmit(person=person, employment=employment)
    assert resubmitted.status == Employment.Status.REQUESTED
    entry = the_new_audit_entry(mark)
    assert (entry.action, entry.actor, entry.from_state, entry.to_state) == (
        "employment.resubmit",
        person.user,
        "returned",
        "requested",
    )
    confirmed = services.employment_review(
        reviewer=admin_of(world.employer), employment=resubmitted, decision=Decision.APPROVE
    )
    assert confirmed.status == Employment.Status.CONFIRMED


def test_only_a_returned_binding_can_be_resubmitted(world: World) -> None:
    with pytest.raises(ValidationError, match="Only a returned binding"):
        services.employment_resubmit(person=world.person, employment=world.employment)


def test_a_person_cannot_resubmit_someone_elses_binding(world: World) -> None:
    employment = bind(person_create(), world.employer, confirm=False)
    services.employment_review(
        reviewer=admin_of(world.employer),
        employment=employment,
        decision=Decision.RETURN,
        reason="Which department?",
    )
    mark = audit_mark()
    with pytest.raises((Employment.DoesNotExist, ValidationError)):
        services.employment_resubmit(person=world.person, employment=employment)
    employment.refresh_from_db()
    assert employment.status == Employment.Status.RETURNED
    assert new_audit_entries(mark) == []


def test_unbinding_ends_the_employment_and_frees_the_person(
    world: World, other_world: World
) -> None:
    actor = admin_of(world.employer)
    mark = audit_mark()
    ended = services.employment_end(actor=actor, employment=world.employment, reason="Left")
    assert ended.status == Employment.Status.ENDED
    assert ended.ended_at is not None
    # The world's submitted record goes back to the person (audited by credits).
    entries = [e for e in new_audit_entries(mark) if e.target_type == "accounts.employment"]
    assert len(entries) == 1
    entry = entries[0]
    assert (entry.action, entry.actor, entry.from_state, entry.to_state, entry.reason) == (
        "employment.end",
        actor,
        "confirmed",
        "ended",
        "Left",
    )
    with pytest.raises(ValidationError, match="already ended"):
        services.employment_end(actor=actor, employment=world.employment)
    again = services.employment_request(person=world.person, employer=other_world.employer)
    assert again.status == Employment.Status.REQUESTED


def test_a_person_withdraws_a_pending_request(world: World) -> None:
    person = person_create()
    employment = bind(person, world.employer, confirm=False)
    ended = services.employment_end(actor=person.user, employment=employment)
    assert ended.status == Employment.Status.ENDED


def test_employer_invites_a_registered_person_who_confirms(world: World) -> None:
    person = person_create()
    actor = admin_of(world.employer)
    mark = audit_mark()
    employment = services.employment_add_by_employer(
        actor=actor, employer=world.employer, id_number=person.id_number.lower()
    )
    assert employment is not None
    assert employment.status == Employment.Status.INVITED
    assert employment.person == person
    entry = the_new_audit_entry(mark)
    assert (entry.action, entry.actor, entry.to_state) == ("employment.invite", actor, "invited")
    # An invitation does not block the person from binding elsewhere, nor from accepting.
    mark = audit_mark()
    accepted = services.employment_invitation_answer(
        person=person, employment=employment, accept=True
    )
    assert accepted.status == Employment.Status.CONFIRMED
    entry = the_new_audit_entry(mark)
    assert (entry.action, entry.actor, entry.to_state) == (
        "employment.invitation_accept",
        person.user,
        "confirmed",
    )


def test_a_person_declines_an_employers_invitation(world: World) -> None:
    person = person_create()
    employment = services.employment_add_by_employer(
        actor=admin_of(world.employer), employer=world.employer, id_number=person.id_number
    )
    assert employment is not None
    declined = services.employment_invitation_answer(
        person=person, employment=employment, accept=False
    )
    assert declined.status == Employment.Status.DECLINED
    assert not Employment.objects.filter(
        person=person, status__in=Employment.OPEN_STATUSES
    ).exists()


def test_employer_gets_the_same_answer_for_unknown_and_already_bound_people(
    world: World,
) -> None:
    actor = admin_of(world.employer)
    before = row_counts()
    for id_number in (demo_id_number("19700101", 999), world.person.id_number):
        assert (
            services.employment_add_by_employer(
                actor=actor, employer=world.employer, id_number=id_number
            )
            is None
        )
    assert row_counts() == before


def test_pending_employer_cannot_add_staff(world: World) -> None:
    with pytest.raises(ValidationError, match="not approved"):
        services.employment_add_by_employer(
            actor=admin_of(world.pending_employer),
            employer=world.pending_employer,
            id_number=person_create().id_number,
        )


# --- The audit log itself ------------------------------------------------------------------------


def test_audit_entries_cannot_be_edited_or_deleted_through_the_model(world: World) -> None:
    entry = AuditEntry.objects.filter(organisation=world.employer).first()
    assert entry is not None
    entry.reason = "rewritten"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    entry.refresh_from_db()
    assert entry.reason != "rewritten"


def test_audited_organisations_and_actors_cannot_be_deleted(world: World) -> None:
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError), transaction.atomic():
        Organisation.objects.filter(pk=world.pending_employer.pk).delete()
    with pytest.raises(ProtectedError), transaction.atomic():
        admin_of(world.hrss).delete()
    assert Organisation.objects.filter(pk=world.pending_employer.pk).exists()


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the audit trigger exists on PostgreSQL only"
)
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE accounts_auditentry SET reason = 'rewritten' WHERE id = %s",
        "DELETE FROM accounts_auditentry WHERE id = %s",
    ],
    ids=["update", "delete"],
)
def test_database_refuses_to_update_or_delete_audit_entries(world: World, sql: str) -> None:
    entry = AuditEntry.objects.filter(organisation=world.employer).first()
    assert entry is not None
    with (
        pytest.raises(DatabaseError, match="cannot be changed or deleted"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, [entry.pk])
    assert AuditEntry.objects.get(pk=entry.pk).reason == entry.reason


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the audit trigger exists on PostgreSQL only"
)
def test_database_refuses_bulk_queryset_updates_of_audit_entries(world: World) -> None:
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(organisation=world.employer).update(reason="rewritten")
    assert not AuditEntry.objects.filter(reason="rewritten").exists()


def test_audit_entries_of_one_organisation_share_one_target_type(world: World) -> None:
    # Registered as an Employer proxy, reviewed as an Organisation: one target type for both.
    types = set(
        AuditEntry.objects.filter(
            target_id=str(world.employer.pk), organisation=world.employer
        ).values_list("target_type", flat=True)
    )
    assert types == {"accounts.organisation"}


def test_a_reviewer_cannot_confirm_their_own_binding(world: World) -> None:
    person = person_create()
    member_link(world.employer, person.user, "reviewer")
    employment = services.employment_request(person=person, employer=world.employer)
    with pytest.raises(ValidationError, match="your own binding"):
        services.employment_review(
            reviewer=person.user, employment=employment, decision=Decision.APPROVE
        )
    employment.refresh_from_db()
    assert employment.status == Employment.Status.REQUESTED


def test_an_invitation_never_blocks_the_person_from_binding_elsewhere(
    world: World, other_world: World
) -> None:
    person = person_create()
    invited = services.employment_add_by_employer(
        actor=admin_of(world.employer), employer=world.employer, id_number=person.id_number
    )
    assert invited is not None
    requested = services.employment_request(person=person, employer=other_world.employer)
    assert requested.status == Employment.Status.REQUESTED
    # Accepting the first invitation now would make two open bindings: refused.
    with pytest.raises(ValidationError, match="already bound"):
        services.employment_invitation_answer(person=person, employment=invited, accept=True)


# --- services check who may decide (not only the views) ---------------------------------------


def test_a_staff_member_without_review_rights_cannot_decide_a_binding(
    world: World, other_world: World
) -> None:
    from django.core.exceptions import PermissionDenied

    waiting = person_create()
    employment = bind(waiting, world.employer, confirm=False)
    staff = member_create(world.employer, "plain-staff", "staff").user
    with pytest.raises(PermissionDenied):
        services.employment_review(reviewer=staff, employment=employment, decision=Decision.APPROVE)
    with pytest.raises(PermissionDenied):  # an admin of another employer neither
        services.employment_review(
            reviewer=admin_of(other_world.employer),
            employment=employment,
            decision=Decision.APPROVE,
        )
    employment.refresh_from_db()
    assert employment.status == Employment.Status.REQUESTED


def test_only_a_reviewer_of_the_reviewing_office_decides_an_application(world: World) -> None:
    from django.core.exceptions import PermissionDenied

    staff = member_create(world.hrss, "hrss-staff", "staff").user
    with pytest.raises(PermissionDenied):
        services.organisation_review(
            reviewer=staff,
            reviewer_organisation=world.hrss,
            organisation=world.pending_employer,
            decision=Decision.APPROVE,
        )
    with pytest.raises(PermissionDenied):  # a login that is no member of the office at all
        services.organisation_review(
            reviewer=admin_of(world.employer),
            reviewer_organisation=world.hrss,
            organisation=world.pending_employer,
            decision=Decision.APPROVE,
        )
    world.pending_employer.refresh_from_db()
    assert world.pending_employer.status == Organisation.Status.PENDING
