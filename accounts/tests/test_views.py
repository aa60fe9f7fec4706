"""The user-facing flows through the test client: registration, log-in, roles, binding, review,
sub-accounts and the audit log, including bad input, the messages it gets and that nothing
is half-saved."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from accounts import services
from accounts.demo import demo_id_number, demo_uscc
from accounts.middleware import ACTING_ROLE_SESSION_KEY
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
    employer_create,
    member_link,
    next_serial,
    person_create,
)

pytestmark = pytest.mark.django_db

LOGIN_URL = reverse("accounts:login")


# --- Helpers -------------------------------------------------------------------------------------


def url(name: str, **kwargs: Any) -> str:
    return reverse(f"accounts:{name}", kwargs=kwargs)


def org_url(name: str, organisation: Organisation, **kwargs: Any) -> str:
    return url(name, organisation_id=organisation.pk, **kwargs)


def text(response: Any) -> str:
    return response.content.decode()


def assert_field_error(response: Any, field: str, message: str, form: str = "form") -> None:
    """`message` is on `field` of the bound form and shown in the rendered page."""
    assert response.status_code == 200
    with translation.override("en"):
        errors = [str(e) for e in response.context[form].errors.get(field, [])]
    assert message in errors, errors
    assert escape(message) in text(response)


def assert_shows(response: Any, message: str) -> None:
    assert escape(message) in text(response), message


def row_counts() -> dict[str, int]:
    return {
        "users": User.objects.count(),
        "persons": Person.objects.count(),
        "organisations": Organisation.objects.count(),
        "memberships": Membership.objects.count(),
        "employments": Employment.objects.count(),
        # Refused requests write no state-change entry; log-ins are security events (not counted).
        "audit": AuditEntry.objects.exclude(action__startswith="security.").count(),
    }


def province_hrss() -> Organisation:
    return Organisation.objects.get(kind=Organisation.Kind.HRSS, level=Level.PROVINCE)


def logged_in(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def wrong_check_char(code: str) -> str:
    return code[:17] + ("0" if code[17] != "0" else "1")


def person_form(**overrides: Any) -> dict[str, Any]:
    serial = next_serial()
    data: dict[str, Any] = {
        "username": f"web{serial}",
        "password": PASSWORD,
        "password_again": PASSWORD,
        "real_name": "王小明",
        "id_number": demo_id_number("19850607", serial % 1000),
        "phone": "13812345678",
        "series": ["engineering", "accounting"],
    }
    data.update(overrides)
    return data


def employer_form(**overrides: Any) -> dict[str, Any]:
    serial = next_serial()
    data: dict[str, Any] = {
        "name": f"网上单位{serial}",
        "uscc": demo_uscc(serial),
        "region": 440105,
        "contact_name": "联系人",
        "contact_phone": "13800000000",
        "username": f"webemp{serial}",
        "password": PASSWORD,
        "password_again": PASSWORD,
    }
    data.update(overrides)
    return data


def authority_form(**overrides: Any) -> dict[str, Any]:
    serial = next_serial()
    data: dict[str, Any] = {
        "name": f"网上主管部门{serial}",
        "level": Level.CITY,
        "parent": "",
        "region": 440100,
        "series": ["engineering"],
        "contact_name": "联系人",
        "contact_phone": "13800000000",
        "username": f"webauth{serial}",
        "password": PASSWORD,
        "password_again": PASSWORD,
    }
    data.update(overrides)
    return data


# --- Person registration -------------------------------------------------------------------------


def test_person_registers_and_lands_on_their_home(en_client: Client) -> None:
    data = person_form(id_number=demo_id_number("19850607", 1).lower())
    response = en_client.post(url("register_person"), data, follow=True)
    assert response.redirect_chain[-1][0] == url("me")
    assert_shows(response, "Welcome. Your account is ready.")
    person = Person.objects.get(user__username=data["username"])
    assert person.id_number == demo_id_number("19850607", 1)
    assert response.context["user"] == person.user


@pytest.mark.parametrize(
    ("id_number", "message"),
    [
        (
            wrong_check_char(demo_id_number("19850607", 1)),
            "The check character of this ID number is wrong; please check for typos.",
        ),
        (
            demo_id_number("19991332", 1),
            "The birth date inside this ID number is not a real date.",
        ),
        (
            demo_id_number("29990101", 1),
            "The birth date inside this ID number is not plausible.",
        ),
        ("11010519491231002Y", "An ID number has 17 digits followed by a digit or X."),
    ],
    ids=["check-char", "month-13", "future", "format"],
)
def test_person_registration_shows_id_number_errors_on_the_field(
    db: None, en_client: Client, id_number: str, message: str
) -> None:
    before = row_counts()
    response = en_client.post(url("register_person"), person_form(id_number=id_number))
    assert_field_error(response, "id_number", message)
    assert row_counts() == before


def test_person_registration_shows_a_bad_phone_on_the_field(db: None, en_client: Client) -> None:
    before = row_counts()
    response = en_client.post(url("register_person"), person_form(phone="12812345678"))
    assert_field_error(response, "phone", "Enter an 11-digit mobile number starting with 13 to 19.")
    assert row_counts() == before


def test_person_registration_refuses_a_registered_id_number(
    world: World, en_client: Client
) -> None:
    before = row_counts()
    response = en_client.post(
        url("register_person"), person_form(id_number=world.person.id_number.lower())
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Registration could not be completed." in html
    assert "already registered" not in html
    assert not response.context["form"].errors.get("id_number")
    assert row_counts() == before


def test_registration_is_throttled_per_address(db: None, en_client: Client, settings: Any) -> None:
    settings.REGISTRATION_THROTTLE_LIMIT = 2
    bad = person_form(phone="12812345678")
    for _ in range(2):
        assert (
            en_client.post(url("register_person"), bad, REMOTE_ADDR="10.0.0.1").status_code == 200
        )
    before = row_counts()

    refused = en_client.post(url("register_person"), person_form(), REMOTE_ADDR="10.0.0.1")

    assert refused.status_code == 429
    assert "Too many attempts" in refused.content.decode()
    assert row_counts() == before
    assert en_client.get(url("register_person"), REMOTE_ADDR="10.0.0.1").status_code == 200
    other = en_client.post(url("register_person"), person_form(), REMOTE_ADDR="10.0.0.2")
    assert other.status_code == 302


def test_registration_throttle_counts_each_client_behind_the_proxy(
    db: None, en_client: Client, settings: Any
) -> None:
    """Behind the TLS proxy every request comes from the proxy's address: the throttle must key on
    the client that the proxy names, or one client would use up everybody's allowance."""
    settings.NUM_PROXIES = 1
    settings.REGISTRATION_THROTTLE_LIMIT = 1
    proxy = "10.9.9.9"
    bad = person_form(phone="12812345678")
    assert (
        en_client.post(
            url("register_person"), bad, REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="203.0.113.5"
        ).status_code
        == 200
    )
    refused = en_client.post(
        url("register_person"), bad, REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="203.0.113.5"
    )
    assert refused.status_code == 429
    other = en_client.post(
        url("register_person"),
        person_form(),
        REMOTE_ADDR=proxy,
        HTTP_X_FORWARDED_FOR="198.51.100.7",
    )
    assert other.status_code == 302


def test_person_registration_refuses_a_taken_username(world: World, en_client: Client) -> None:
    before = row_counts()
    response = en_client.post(
        url("register_person"), person_form(username=world.person.user.username.upper())
    )
    assert_field_error(response, "username", "This username is already taken.")
    assert row_counts() == before


def test_person_registration_refuses_a_username_with_spaces_on_the_field(
    db: None, en_client: Client
) -> None:
    before = row_counts()
    response = en_client.post(url("register_person"), person_form(username="bad name<>"))
    assert response.status_code == 200
    assert response.context["form"].errors.get("username")
    assert row_counts() == before


def test_person_registration_refuses_a_short_password(db: None, en_client: Client) -> None:
    before = row_counts()
    response = en_client.post(
        url("register_person"), person_form(password="Sh0rt-pw", password_again="Sh0rt-pw")
    )
    assert_field_error(
        response,
        "password",
        "This password is too short. It must contain at least 10 characters.",
    )
    assert row_counts() == before
    assert "_auth_user_id" not in en_client.session


def test_person_registration_refuses_differing_passwords(db: None, en_client: Client) -> None:
    before = row_counts()
    response = en_client.post(url("register_person"), person_form(password_again=PASSWORD + "x"))
    assert_field_error(response, "password_again", "The two passwords differ.")
    assert row_counts() == before


# --- Employer and authority registration ---------------------------------------------------------


def test_employer_registers_and_waits_for_review(db: None, en_client: Client) -> None:
    data = employer_form()
    response = en_client.post(url("register_employer"), data, follow=True)
    employer = Organisation.objects.get(uscc=data["uscc"])
    assert employer.status == Organisation.Status.PENDING
    assert response.redirect_chain[-1][0] == org_url("org_home", employer)
    assert_shows(response, "Registration sent to HRSS for review.")
    assert_shows(response, "Your application is waiting for review.")


@pytest.mark.parametrize(
    ("uscc", "message"),
    [
        (
            wrong_check_char(demo_uscc(31)),
            "The check character of this unified social credit code is wrong.",
        ),
        (
            demo_uscc(31)[:9] + "O" + demo_uscc(31)[10:],
            "A unified social credit code has 18 characters: digits and capital letters "
            "except I, O, Z, S and V.",
        ),
        (
            demo_uscc(31)[:17],
            "A unified social credit code has 18 characters: digits and capital letters "
            "except I, O, Z, S and V.",
        ),
    ],
    ids=["check-char", "forbidden-letter", "too-short"],
)
def test_employer_registration_shows_uscc_errors_on_the_field(
    db: None, en_client: Client, uscc: str, message: str
) -> None:
    before = row_counts()
    response = en_client.post(url("register_employer"), employer_form(uscc=uscc))
    assert_field_error(response, "uscc", message)
    assert row_counts() == before


def test_employer_registration_refuses_a_registered_uscc(world: World, en_client: Client) -> None:
    before = row_counts()
    response = en_client.post(
        url("register_employer"), employer_form(uscc=str(world.employer.uscc).lower())
    )
    assert_field_error(response, "uscc", "An employer with this credit code is already registered.")
    assert row_counts() == before


def test_employer_registration_refuses_a_taken_username(world: World, en_client: Client) -> None:
    before = row_counts()
    response = en_client.post(
        url("register_employer"), employer_form(username=admin_of(world.employer).username)
    )
    assert_field_error(response, "username", "This username is already taken.")
    assert row_counts() == before


def test_employer_registration_shows_a_bad_contact_phone_on_the_field(
    db: None, en_client: Client
) -> None:
    before = row_counts()
    response = en_client.post(url("register_employer"), employer_form(contact_phone="1380000"))
    assert_field_error(
        response, "contact_phone", "Enter an 11-digit mobile number starting with 13 to 19."
    )
    assert row_counts() == before


def test_city_authority_applies_to_its_approved_parent(world: World, en_client: Client) -> None:
    parent = world.authority.parent
    assert parent is not None
    data = authority_form(parent=parent.pk)
    response = en_client.post(url("register_authority"), data, follow=True)
    authority = Organisation.objects.get(name=data["name"])
    assert (authority.kind, authority.status, authority.parent) == ("authority", "pending", parent)
    assert_shows(response, "Application sent for review.")
    queue = logged_in(Client(), admin_of(parent)).get(org_url("application_queue", parent))
    assert authority in queue.context["page"].object_list


def test_city_authority_without_parent_is_told_on_the_field(
    world: World, en_client: Client
) -> None:
    before = row_counts()
    response = en_client.post(url("register_authority"), authority_form())
    assert_field_error(response, "parent", "Choose the parent authority that will review you.")
    assert row_counts() == before


def test_a_pending_authority_cannot_be_chosen_as_parent(db: None, en_client: Client) -> None:
    pending = authority_create(
        region=Region.objects.get(code="440000"), level=Level.PROVINCE, parent=None
    )
    before = row_counts()
    response = en_client.post(url("register_authority"), authority_form(parent=pending.pk))
    assert_field_error(
        response,
        "parent",
        "Select a valid choice. That choice is not one of the available choices.",
    )
    assert row_counts() == before


# --- Log-in and lock-out -------------------------------------------------------------------------


def _log_in(client: Client, username: str, password: str, ip: str = "127.0.0.1") -> Any:
    return client.post(LOGIN_URL, {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_login_with_the_right_password_succeeds(world: World, en_client: Client) -> None:
    response = _log_in(en_client, world.person.user.username, PASSWORD)
    assert response.status_code == 302
    assert en_client.session["_auth_user_id"] == str(world.person.user.pk)


def test_a_successful_login_resets_the_failure_count(world: World) -> None:
    username = world.person.user.username
    for _ in range(4):
        _log_in(Client(), username, "wrong-password")
    assert _log_in(Client(), username, PASSWORD).status_code == 302
    for _ in range(4):
        _log_in(Client(), username, "wrong-password")
    assert _log_in(Client(), username, PASSWORD).status_code == 302


def test_four_failed_logins_do_not_lock_the_account(world: World, en_client: Client) -> None:
    username = world.person.user.username
    for _ in range(4):
        assert _log_in(en_client, username, "wrong-password").status_code == 200
    assert _log_in(en_client, username, PASSWORD).status_code == 302


def test_five_failed_logins_lock_the_username_and_ip(world: World, en_client: Client) -> None:
    username = world.person.user.username
    for _ in range(5):
        _log_in(en_client, username, "wrong-password")
    response = _log_in(en_client, username, PASSWORD)  # the 6th, with the right password
    assert response.status_code == 429
    assert_shows(response, "Too many failed log-ins")
    assert "_auth_user_id" not in en_client.session


def test_lockout_is_for_the_username_and_ip_pair_only(world: World, other_world: World) -> None:
    username = world.person.user.username
    for _ in range(5):
        _log_in(Client(), username, "wrong-password", ip="10.0.0.1")
    assert _log_in(Client(), username, PASSWORD, ip="10.0.0.1").status_code == 429
    assert _log_in(Client(), username, PASSWORD, ip="10.0.0.2").status_code == 302
    other = other_world.person.user.username
    assert _log_in(Client(), other, PASSWORD, ip="10.0.0.1").status_code == 302


# --- Roles ---------------------------------------------------------------------------------------


def _person_and_reviewer(world: World) -> User:
    user = world.person.user
    member_link(world.employer, user, "reviewer")
    return user


def test_person_who_reviews_for_the_employer_sees_both_roles_and_switches(
    world: World, en_client: Client
) -> None:
    logged_in(en_client, _person_and_reviewer(world))
    employer_key = f"org:{world.employer.pk}"

    response = en_client.get("/", follow=True)
    assert response.redirect_chain[-1][0] == url("me")
    assert [r.key for r in response.context["roles"]] == ["person", employer_key]
    page = text(response)
    assert 'value="person" selected' in page
    assert f'value="{employer_key}"' in page
    assert escape(f"Employer · {world.employer.name}") in page

    response = en_client.post(url("switch_role"), {"role": employer_key})
    assert response.status_code == 302
    assert response["Location"] == org_url("org_home", world.employer)
    assert en_client.session[ACTING_ROLE_SESSION_KEY] == employer_key
    home = en_client.get("/")
    assert home["Location"] == org_url("org_home", world.employer)

    en_client.post(url("switch_role"), {"role": "person"})
    assert en_client.get("/")["Location"] == url("me")


@pytest.mark.parametrize("key", ["admin", "org:999999", "org:hrss", ""])
def test_an_unknown_role_key_is_refused(world: World, en_client: Client, key: str) -> None:
    logged_in(en_client, _person_and_reviewer(world))
    response = en_client.post(url("switch_role"), {"role": key}, follow=True)
    assert_shows(response, "You cannot act in that role.")
    assert ACTING_ROLE_SESSION_KEY not in en_client.session
    assert response.redirect_chain[-1][0] == url("me")


def test_a_role_in_someone_elses_organisation_is_refused(world: World, en_client: Client) -> None:
    logged_in(en_client, _person_and_reviewer(world))
    response = en_client.post(url("switch_role"), {"role": f"org:{world.hrss.pk}"}, follow=True)
    assert_shows(response, "You cannot act in that role.")
    assert ACTING_ROLE_SESSION_KEY not in en_client.session


def test_reviewer_can_confirm_bindings_but_not_manage_staff_or_members(world: World) -> None:
    client = logged_in(Client(), _person_and_reviewer(world))
    assert client.get(org_url("binding_queue", world.employer)).status_code == 200
    assert client.get(org_url("staff_list", world.employer)).status_code == 403
    assert client.get(org_url("members", world.employer)).status_code == 403
    assert client.get(org_url("audit_log", world.employer)).status_code == 403


def test_staff_sub_account_sees_only_the_organisation_home(world: World) -> None:
    client = logged_in(Client(), world.staff_membership.user)
    assert client.get(org_url("org_home", world.employer)).status_code == 200
    for name in ("binding_queue", "staff_list", "members", "audit_log"):
        assert client.get(org_url(name, world.employer)).status_code == 403, name


# --- The person's binding ------------------------------------------------------------------------


def test_person_home_shows_the_confirmed_binding(world: World, en_client: Client) -> None:
    response = logged_in(en_client, world.person.user).get(url("me"))
    assert response.context["employment"] == world.employment
    assert_shows(response, world.employer.name)
    assert_shows(response, "Confirmed")


def test_person_requests_a_binding_by_credit_code(world: World, en_client: Client) -> None:
    person = person_create()
    logged_in(en_client, person.user)
    response = en_client.post(
        url("me_bind"), {"uscc": str(world.employer.uscc).lower()}, follow=True
    )
    assert_shows(response, "Binding requested; your employer will confirm it.")
    employment = Employment.objects.get(person=person)
    assert (employment.employer_id, employment.status) == (world.employer.pk, "requested")


def test_binding_to_an_unapproved_employer_is_refused_on_the_field(
    world: World, en_client: Client
) -> None:
    person = person_create()
    before = row_counts()
    response = logged_in(en_client, person.user).post(
        url("me_bind"), {"uscc": world.pending_employer.uscc}
    )
    assert_field_error(response, "uscc", "No approved employer has this credit code.")
    assert row_counts() == before


def test_binding_with_a_malformed_credit_code_is_refused_on_the_field(
    world: World, en_client: Client
) -> None:
    person = person_create()
    response = logged_in(en_client, person.user).post(
        url("me_bind"), {"uscc": wrong_check_char(world.employer.uscc or "")}
    )
    assert_field_error(
        response, "uscc", "The check character of this unified social credit code is wrong."
    )
    assert not Employment.objects.filter(person=person).exists()


def test_a_bound_person_cannot_request_a_second_binding(
    world: World, other_world: World, en_client: Client
) -> None:
    response = logged_in(en_client, world.person.user).post(
        url("me_bind"), {"uscc": other_world.employer.uscc}
    )
    assert response.status_code == 200
    message = "You are already bound to an employer (or waiting); unbind first."
    with translation.override("en"):
        assert message in [str(e) for e in response.context["form"].non_field_errors()]
    assert_shows(response, message)
    assert world.person.employments.count() == 1


def test_returned_binding_is_resubmitted_by_the_person(world: World, en_client: Client) -> None:
    person = person_create()
    employment = bind(person, world.employer, confirm=False)
    services.employment_review(
        reviewer=admin_of(world.employer),
        employment=employment,
        decision=Decision.RETURN,
        reason="Which department?",
    )
    logged_in(en_client, person.user)
    home = en_client.get(url("me"))
    assert_shows(home, "Which department?")
    assert url("me_employment_resubmit", employment_id=employment.pk) in text(home)
    response = en_client.post(
        url("me_employment_resubmit", employment_id=employment.pk), follow=True
    )
    assert_shows(response, "Binding sent to your employer again.")
    employment.refresh_from_db()
    assert employment.status == Employment.Status.REQUESTED


def test_resubmitting_a_confirmed_binding_shows_an_error(world: World, en_client: Client) -> None:
    response = logged_in(en_client, world.person.user).post(
        url("me_employment_resubmit", employment_id=world.employment.pk), follow=True
    )
    assert_shows(response, "Only a returned binding can be resubmitted.")
    world.employment.refresh_from_db()
    assert world.employment.status == Employment.Status.CONFIRMED


def test_person_unbinds_from_their_employer(world: World, en_client: Client) -> None:
    response = logged_in(en_client, world.person.user).post(
        url("me_employment_end", employment_id=world.employment.pk),
        {"reason": "Changed jobs"},
        follow=True,
    )
    assert_shows(response, f"Unbound from {world.employer.name}.")
    world.employment.refresh_from_db()
    assert (world.employment.status, world.employment.reason) == ("ended", "Changed jobs")
    assert response.context["employment"] is None


def test_person_edits_their_profile(world: World, en_client: Client) -> None:
    logged_in(en_client, world.person.user)
    response = en_client.post(
        url("me_profile"), {"phone": "13711112222", "series": ["archives"]}, follow=True
    )
    assert_shows(response, "Profile saved.")
    world.person.refresh_from_db()
    assert world.person.phone == "13711112222"
    bad = en_client.post(url("me_profile"), {"phone": "1371111", "series": ["engineering"]})
    assert_field_error(bad, "phone", "Enter an 11-digit mobile number starting with 13 to 19.")
    world.person.refresh_from_db()
    assert world.person.phone == "13711112222"


# --- The employer's staff ------------------------------------------------------------------------


def test_employer_confirms_a_binding_from_the_queue(world: World, en_client: Client) -> None:
    employment = bind(person_create(), world.employer, confirm=False)
    logged_in(en_client, admin_of(world.employer))
    queue = en_client.get(org_url("binding_queue", world.employer))
    assert list(queue.context["page"].object_list) == [employment]
    response = en_client.post(
        org_url("binding_decide", world.employer, employment_id=employment.pk),
        {"decision": Decision.APPROVE},
        follow=True,
    )
    assert_shows(response, f"Decision saved for {employment.person.real_name}.")
    employment.refresh_from_db()
    assert employment.status == Employment.Status.CONFIRMED
    assert list(response.context["page"].object_list) == []


@pytest.mark.parametrize("decision", [Decision.REJECT, Decision.RETURN])
def test_rejecting_or_returning_a_binding_without_reason_is_refused(
    world: World, en_client: Client, decision: str
) -> None:
    employment = bind(person_create(), world.employer, confirm=False)
    before = row_counts()
    response = logged_in(en_client, admin_of(world.employer)).post(
        org_url("binding_decide", world.employer, employment_id=employment.pk),
        {"decision": decision, "reason": "  "},
        follow=True,
    )
    assert_shows(response, "Give a reason when you reject or return.")
    employment.refresh_from_db()
    assert employment.status == Employment.Status.REQUESTED
    assert row_counts() == before


STAFF_INVITED = (
    "If a registered professional with this ID number can be bound, they have been invited; "
    "they confirm on their home page."
)


def test_employer_invites_a_registered_person_who_confirms_on_their_home(
    world: World, en_client: Client
) -> None:
    person = person_create()
    logged_in(en_client, admin_of(world.employer))
    response = en_client.post(
        org_url("staff_list", world.employer), {"id_number": person.id_number}, follow=True
    )
    assert_shows(response, STAFF_INVITED)
    employment = Employment.objects.get(person=person)
    assert employment.status == Employment.Status.INVITED

    home = logged_in(Client(HTTP_ACCEPT_LANGUAGE="en"), person.user)
    page = home.get(url("me"))
    assert world.employer.name in page.content.decode()
    answer = reverse("accounts:me_employment_answer", kwargs={"employment_id": employment.pk})
    assert answer in page.content.decode()
    home.post(answer, {"answer": "accept"})
    employment.refresh_from_db()
    assert employment.status == Employment.Status.CONFIRMED


def test_a_person_cannot_answer_someone_elses_invitation(world: World) -> None:
    person = person_create()
    employment = services.employment_add_by_employer(
        actor=admin_of(world.employer), employer=world.employer, id_number=person.id_number
    )
    assert employment is not None
    answer = reverse("accounts:me_employment_answer", kwargs={"employment_id": employment.pk})
    response = logged_in(Client(), world.person.user).post(answer, {"answer": "accept"})
    assert response.status_code == 404
    employment.refresh_from_db()
    assert employment.status == Employment.Status.INVITED


@pytest.mark.parametrize("who", ["unregistered", "bound", "free"])
def test_adding_staff_answers_the_same_whoever_the_id_number_belongs_to(
    world: World, other_world: World, en_client: Client, who: str
) -> None:
    id_number = {
        "unregistered": demo_id_number("19700101", 998),
        "bound": world.person.id_number,
        "free": person_create().id_number,
    }[who]
    response = logged_in(en_client, admin_of(other_world.employer)).post(
        org_url("staff_list", other_world.employer), {"id_number": id_number}, follow=True
    )
    assert_shows(response, STAFF_INVITED)
    html = response.content.decode()
    assert "No registered person" not in html
    assert "already bound" not in html


def test_adding_staff_with_a_bad_id_number_is_refused_on_the_field(
    world: World, en_client: Client
) -> None:
    before = row_counts()
    response = logged_in(en_client, admin_of(world.employer)).post(
        org_url("staff_list", world.employer),
        {"id_number": wrong_check_char(demo_id_number("19700101", 998))},
    )
    assert_field_error(
        response,
        "id_number",
        "The check character of this ID number is wrong; please check for typos.",
    )
    assert row_counts() == before


def test_employer_unbinds_staff(world: World, en_client: Client) -> None:
    response = logged_in(en_client, admin_of(world.employer)).post(
        org_url("staff_unbind", world.employer, employment_id=world.employment.pk),
        {"reason": "Left the company"},
        follow=True,
    )
    assert_shows(response, f"{world.person.real_name} unbound.")
    world.employment.refresh_from_db()
    assert world.employment.status == Employment.Status.ENDED
    assert list(response.context["page"].object_list) == []


def test_staff_list_search_finds_by_name_and_id_number(world: World, en_client: Client) -> None:
    other = person_create()
    bind(other, world.employer)
    logged_in(en_client, admin_of(world.employer))
    staff = org_url("staff_list", world.employer)
    by_name = en_client.get(staff, {"q": world.person.real_name})
    assert [e.person for e in by_name.context["page"]] == [world.person]
    by_id = en_client.get(staff, {"q": other.id_number})
    assert [e.person for e in by_id.context["page"]] == [other]


# --- Reviewing applications ----------------------------------------------------------------------


def test_hrss_approves_an_employer_registration(world: World, en_client: Client) -> None:
    logged_in(en_client, admin_of(world.hrss))
    queue = en_client.get(org_url("application_queue", world.hrss))
    assert list(queue.context["page"].object_list) == [world.pending_employer]
    detail = org_url("application_detail", world.hrss, application_id=world.pending_employer.pk)
    assert en_client.get(detail).status_code == 200
    response = en_client.post(detail, {"decision": Decision.APPROVE}, follow=True)
    assert response.redirect_chain[-1][0] == org_url("application_queue", world.hrss)
    assert_shows(response, f"Decision saved for {world.pending_employer.name}.")
    world.pending_employer.refresh_from_db()
    assert world.pending_employer.is_approved


@pytest.mark.parametrize("decision", [Decision.REJECT, Decision.RETURN])
def test_rejecting_or_returning_an_application_needs_a_reason_on_the_field(
    world: World, en_client: Client, decision: str
) -> None:
    detail = org_url("application_detail", world.hrss, application_id=world.pending_employer.pk)
    before = row_counts()
    response = logged_in(en_client, admin_of(world.hrss)).post(
        detail, {"decision": decision, "reason": ""}
    )
    assert_field_error(response, "reason", "Give a reason when you reject or return.")
    world.pending_employer.refresh_from_db()
    assert world.pending_employer.status == Organisation.Status.PENDING
    assert row_counts() == before


def _decide_behind_the_reviewers_back(world: World, en_client: Client) -> str:
    """The city HRSS reviewer opens the form; the provincial office approves meanwhile."""
    detail = org_url("application_detail", world.hrss, application_id=world.pending_employer.pk)
    logged_in(en_client, admin_of(world.hrss))
    assert en_client.get(detail).context["application"].status == "pending"
    services.organisation_review(
        reviewer=admin_of(province_hrss()),
        reviewer_organisation=province_hrss(),
        organisation=world.pending_employer,
        decision=Decision.APPROVE,
    )
    return detail


def test_deciding_an_already_decided_application_changes_nothing(
    world: World, en_client: Client
) -> None:
    detail = _decide_behind_the_reviewers_back(world, en_client)
    before = row_counts()
    response = en_client.post(detail, {"decision": Decision.REJECT, "reason": "Too late"})
    assert response.status_code == 200
    with translation.override("en"):
        assert response.context["form"].non_field_errors() == [
            "This application has already been decided."
        ]
    world.pending_employer.refresh_from_db()
    assert world.pending_employer.status == Organisation.Status.APPROVED
    assert row_counts() == before


def test_deciding_an_already_decided_application_shows_why(world: World, en_client: Client) -> None:
    detail = _decide_behind_the_reviewers_back(world, en_client)
    response = en_client.post(detail, {"decision": Decision.REJECT, "reason": "Too late"})
    assert_shows(response, "This application has already been decided.")


def test_returned_employer_edits_and_resubmits_its_application(
    world: World, en_client: Client
) -> None:
    hrss = logged_in(Client(HTTP_ACCEPT_LANGUAGE="en"), admin_of(world.hrss))
    detail = org_url("application_detail", world.hrss, application_id=world.pending_employer.pk)
    hrss.post(detail, {"decision": Decision.RETURN, "reason": "Wrong contact"})

    applicant = logged_in(en_client, admin_of(world.pending_employer))
    home = applicant.get(org_url("org_home", world.pending_employer))
    assert_shows(home, "Wrong contact")
    assert org_url("org_edit", world.pending_employer) in text(home)
    edit = org_url("org_edit", world.pending_employer)
    assert applicant.get(edit).context["form"].initial["uscc"] == world.pending_employer.uscc
    bad = applicant.post(
        edit,
        {
            "name": "改正单位",
            "region": 440105,
            "contact_name": "新联系人",
            "contact_phone": "13700000000",
            "uscc": world.employer.uscc,
        },
    )
    assert_field_error(bad, "uscc", "An employer with this credit code is already registered.")
    response = applicant.post(
        edit,
        {
            "name": "改正单位",
            "region": 440105,
            "contact_name": "新联系人",
            "contact_phone": "13700000000",
            "uscc": world.pending_employer.uscc,
        },
        follow=True,
    )
    assert_shows(response, "Application resubmitted for review.")
    world.pending_employer.refresh_from_db()
    assert (world.pending_employer.status, world.pending_employer.name) == ("pending", "改正单位")
    queue = hrss.get(org_url("application_queue", world.hrss))
    assert world.pending_employer in queue.context["page"].object_list


def test_an_application_still_pending_cannot_be_resubmitted(
    world: World, en_client: Client
) -> None:
    edit = org_url("org_edit", world.pending_employer)
    response = logged_in(en_client, admin_of(world.pending_employer)).post(
        edit,
        {
            "name": "x",
            "region": 440105,
            "contact_name": "x",
            "contact_phone": "13700000000",
        },
    )
    assert response.status_code == 200
    assert_shows(response, "Only an application returned for changes can be resubmitted.")


def test_parent_authority_approves_a_district_authority(world: World, en_client: Client) -> None:
    logged_in(en_client, admin_of(world.authority))
    queue = en_client.get(org_url("application_queue", world.authority))
    assert list(queue.context["page"].object_list) == [world.pending_authority]
    en_client.post(
        org_url("application_detail", world.authority, application_id=world.pending_authority.pk),
        {"decision": Decision.APPROVE},
    )
    world.pending_authority.refresh_from_db()
    assert world.pending_authority.is_approved


def test_application_queue_filters_by_status(world: World, en_client: Client) -> None:
    logged_in(en_client, admin_of(world.hrss))
    queue = org_url("application_queue", world.hrss)
    approved = en_client.get(queue, {"status": "approved"})
    # The employer it approved, and the institution whose filing it accepted.
    assert set(approved.context["page"].object_list) == {world.employer, world.institution}
    unknown = en_client.get(queue, {"status": "nonsense"})
    assert unknown.context["status"] == "pending"


def test_application_detail_shows_the_history_from_registration_on(
    world: World, en_client: Client
) -> None:
    services.organisation_review(
        reviewer=admin_of(world.hrss),
        reviewer_organisation=world.hrss,
        organisation=world.pending_employer,
        decision=Decision.RETURN,
        reason="Stamp missing",
    )
    detail = org_url("application_detail", world.hrss, application_id=world.pending_employer.pk)
    response = logged_in(en_client, admin_of(world.hrss)).get(detail)
    assert [h.action for h in response.context["history"]] == [
        "organisation.return",
        "organisation.register",
    ]
    assert_shows(response, "Stamp missing")


# --- Sub-accounts --------------------------------------------------------------------------------


def test_admin_adds_a_sub_account_that_can_log_in(world: World, en_client: Client) -> None:
    response = logged_in(en_client, admin_of(world.employer)).post(
        org_url("members", world.employer),
        {"username": "clerk-1", "role": "staff", "password": PASSWORD},
        follow=True,
    )
    assert_shows(response, "Member added.")
    assert Membership.objects.get(user__username="clerk-1").organisation == world.employer
    assert _log_in(Client(), "clerk-1", PASSWORD).status_code == 302


def test_adding_a_sub_account_with_a_short_password_is_refused_on_the_field(
    world: World, en_client: Client
) -> None:
    before = row_counts()
    response = logged_in(en_client, admin_of(world.employer)).post(
        org_url("members", world.employer),
        {"username": "clerk-2", "role": "staff", "password": "Sh0rt-pw"},
    )
    assert_field_error(
        response,
        "password",
        "This password is too short. It must contain at least 10 characters.",
    )
    assert row_counts() == before


def test_creating_a_sub_account_with_a_taken_username_is_refused_on_the_field(
    world: World, en_client: Client
) -> None:
    before = row_counts()
    response = logged_in(en_client, admin_of(world.employer)).post(
        org_url("members", world.employer),
        {
            "username": world.person.user.username,
            "role": "admin",
            "password": "Brand-new-pass-1",
        },
    )
    assert_field_error(response, "username", "This username is already taken.")
    assert row_counts() == before


MEMBER_INVITED = "If this account exists, it has been invited; it joins once it accepts."


@pytest.mark.parametrize("who", ["member", "unknown", "existing"])
def test_adding_a_login_answers_the_same_whether_it_exists_or_not(
    world: World, en_client: Client, who: str
) -> None:
    username = {
        "member": world.staff_membership.user.username,
        "unknown": "nobody-yet",
        "existing": admin_of(world.hrss).username,
    }[who]
    memberships = Membership.objects.count()
    response = logged_in(en_client, admin_of(world.employer)).post(
        org_url("members", world.employer), {"username": username, "role": "reviewer"}, follow=True
    )
    assert_shows(response, MEMBER_INVITED)
    assert Membership.objects.count() == memberships  # nobody joins without consent


def test_an_invited_login_accepts_on_its_home_page_and_becomes_a_member(
    world: World, en_client: Client
) -> None:
    hrss_officer = admin_of(world.hrss)
    logged_in(en_client, admin_of(world.employer)).post(
        org_url("members", world.employer), {"username": hrss_officer.username, "role": "staff"}
    )
    invitation = MembershipInvitation.objects.get(user=hrss_officer)
    assert invitation.role == "staff"
    officer = logged_in(Client(HTTP_ACCEPT_LANGUAGE="en"), hrss_officer)
    home = officer.get(org_url("org_home", world.hrss))
    answer = reverse("accounts:invitation_answer", kwargs={"invitation_id": invitation.pk})
    assert answer in home.content.decode()
    assert world.employer.name in home.content.decode()
    # Someone else cannot answer it.
    assert (
        logged_in(Client(), world.person.user).post(answer, {"answer": "accept"}).status_code == 404
    )

    officer.post(answer, {"answer": "accept"})

    assert Membership.objects.get(user=hrss_officer, organisation=world.employer).role == "staff"


def test_an_unapproved_organisation_cannot_add_members(world: World, en_client: Client) -> None:
    before = row_counts()
    response = logged_in(en_client, admin_of(world.pending_employer)).post(
        org_url("members", world.pending_employer),
        {"username": admin_of(world.hrss).username, "role": "admin"},
    )
    assert "must be approved" in response.content.decode()
    assert row_counts() == before
    assert not MembershipInvitation.objects.exists()


def test_the_member_form_offers_the_least_privileged_role(world: World, en_client: Client) -> None:
    response = logged_in(en_client, admin_of(world.employer)).get(
        org_url("members", world.employer)
    )
    assert response.context["form"]["role"].value() == "staff"


@pytest.mark.parametrize(
    "data", [{"action": "remove"}, {"action": "role", "role": "staff"}], ids=["remove", "demote"]
)
def test_last_admin_cannot_be_removed_or_demoted(
    world: World, en_client: Client, data: dict[str, str]
) -> None:
    admin = Membership.objects.get(organisation=world.employer, role="admin")
    before = row_counts()
    response = logged_in(en_client, admin.user).post(
        org_url("member_update", world.employer, membership_id=admin.pk), data, follow=True
    )
    assert response.redirect_chain[-1][0] == org_url("members", world.employer)
    assert_shows(response, "An organisation must keep at least one administrator.")
    admin.refresh_from_db()
    assert admin.role == "admin"
    assert row_counts() == before


def test_admin_promotes_and_removes_sub_accounts(world: World, en_client: Client) -> None:
    staff = world.staff_membership
    logged_in(en_client, admin_of(world.employer))
    update = org_url("member_update", world.employer, membership_id=staff.pk)
    response = en_client.post(update, {"action": "role", "role": "reviewer"}, follow=True)
    assert_shows(response, "Member updated.")
    staff.refresh_from_db()
    assert staff.role == "reviewer"
    en_client.post(update, {"action": "remove"})
    assert not Membership.objects.filter(pk=staff.pk).exists()


def test_member_update_without_action_is_refused(world: World, en_client: Client) -> None:
    staff = world.staff_membership
    response = logged_in(en_client, admin_of(world.employer)).post(
        org_url("member_update", world.employer, membership_id=staff.pk), {}, follow=True
    )
    assert_shows(response, "Choose an action.")
    assert Membership.objects.filter(pk=staff.pk, role="staff").exists()


# --- Audit log -----------------------------------------------------------------------------------


def test_audit_log_lists_the_organisations_state_changes(world: World, en_client: Client) -> None:
    response = logged_in(en_client, admin_of(world.employer)).get(
        org_url("audit_log", world.employer)
    )
    actions = [e.action for e in response.context["page"]]
    assert "organisation.approve" in actions
    assert "employment.approve" in actions
    assert all(e.organisation_id == world.employer.pk for e in response.context["page"])
    assert_shows(response, admin_of(world.hrss).username)  # who approved the registration


# --- Pagination ----------------------------------------------------------------------------------


def test_staff_list_page_two_shows_the_rest(world: World, en_client: Client) -> None:
    for _ in range(24):
        bind(person_create(), world.employer)
    logged_in(en_client, admin_of(world.employer))
    staff = org_url("staff_list", world.employer)
    first = en_client.get(staff)
    second = en_client.get(staff, {"page": 2})
    assert (first.context["page"].paginator.count, len(first.context["page"])) == (25, 20)
    assert (second.context["page"].number, len(second.context["page"])) == (2, 5)
    assert not {e.pk for e in first.context["page"]} & {e.pk for e in second.context["page"]}
    assert_shows(first, "Page 1 of 2")
    assert '?page=2"' in text(first)
    assert en_client.get(staff, {"page": 99}).context["page"].number == 2
    assert en_client.get(staff, {"page": "x"}).context["page"].number == 1


def test_application_queue_page_two_keeps_the_status_filter(
    world: World, en_client: Client
) -> None:
    for _ in range(21):
        employer_create(region=Region.objects.get(code="440105"), approved=False)
    logged_in(en_client, admin_of(world.hrss))
    queue = org_url("application_queue", world.hrss)
    first = en_client.get(queue)
    assert 'href="?status=pending&page=2"' in text(first)
    second = en_client.get(queue, {"status": "pending", "page": "2"})
    assert (second.context["page"].number, len(second.context["page"])) == (2, 2)


def test_staff_search_finds_an_id_number_typed_with_a_lower_case_x(world: World) -> None:
    person = world.person
    Person.objects.filter(pk=person.pk).update(id_number=person.id_number[:17] + "X")
    client = Client()
    client.force_login(admin_of(world.employer))
    url = reverse("accounts:staff_list", kwargs={"organisation_id": world.employer.pk})
    response = client.get(url, {"q": person.id_number[:17] + "x"})
    assert person.real_name in response.text


def test_a_login_without_any_role_answers_invitations_on_the_landing_page(
    world: World, en_client: Client
) -> None:
    loner = User.objects.create_user(username="loner", password=PASSWORD)
    invitation = services.membership_add(
        actor=admin_of(world.employer), organisation=world.employer, username="loner"
    )
    assert isinstance(invitation, MembershipInvitation)
    page = logged_in(en_client, loner).get(reverse("home"))
    answer = reverse("accounts:invitation_answer", kwargs={"invitation_id": invitation.pk})
    assert answer in page.content.decode()
    en_client.post(answer, {"answer": "decline"})
    invitation.refresh_from_db()
    assert invitation.status == MembershipInvitation.Status.DECLINED
    assert not Membership.objects.filter(user=loner).exists()
