"""Bad input on the accounts pages and services: form errors and ValidationErrors, never 500s;
invisible characters in names; the client address behind proxies for the login lockout."""

from __future__ import annotations

import importlib
import sys
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client, RequestFactory
from django.urls import reverse

from accounts import forms, services
from accounts.models import Employment, Organisation, Person
from accounts.tests.test_views import authority_form, employer_form, person_form
from accounts.validators import validate_visible_text
from portal.client_ip import client_ip
from tests.factories import PASSWORD, World, admin_of, person_create

pytestmark = pytest.mark.django_db

INVISIBLE = ["\u202a", "\u202e", "\u2066", "\u2069", "\u200b", "\u200c", "\u200d"]


# --- the validator ----------------------------------------------------------------------------


@pytest.mark.parametrize("char", INVISIBLE)
def test_invisible_characters_are_refused(char: str) -> None:
    with pytest.raises(ValidationError) as caught:
        validate_visible_text(f"王{char}小明")
    assert caught.value.code == "invisible_characters"


@pytest.mark.parametrize("value", ["𠮷田", "王小明", "O'Brien-Smith", "广州市𠮷祥有限公司"])
def test_visible_names_including_4_byte_cjk_are_accepted(value: str) -> None:
    validate_visible_text(value)


# --- the forms and models that hold names ---------------------------------------------------


@pytest.mark.parametrize(
    ("form_class", "data", "field"),
    [
        (forms.PersonRegistrationForm, person_form, "real_name"),
        (forms.PersonRegistrationForm, person_form, "username"),
        (forms.EmployerRegistrationForm, employer_form, "name"),
        (forms.EmployerRegistrationForm, employer_form, "contact_name"),
        (forms.AuthorityRegistrationForm, authority_form, "name"),
    ],
)
def test_registration_forms_refuse_invisible_characters_in_names(
    world: World, form_class: Any, data: Any, field: str
) -> None:
    values = data()
    refused = form_class({**values, field: "王\u202e小明"})
    accepted = form_class({**values, field: "𠮷小明" if field != "username" else "user𠮷"})

    assert refused.has_error(field, "invisible_characters")
    assert field not in accepted.errors


def test_registering_with_an_override_character_shows_a_message(world: World) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    before = Person.objects.count()

    response = client.post(reverse("accounts:register_person"), person_form(real_name="王\u202e明"))

    assert response.status_code == 200
    assert "invisible characters" in response.content.decode()
    assert Person.objects.count() == before


def test_registering_a_4_byte_cjk_name_works(world: World) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")

    response = client.post(reverse("accounts:register_person"), person_form(real_name="𠮷田"))

    assert response.status_code == 302
    assert Person.objects.filter(real_name="𠮷田").exists()


def test_models_refuse_invisible_characters(world: World) -> None:
    world.employer.name = "单位\u200b名"
    with pytest.raises(ValidationError) as caught:
        world.employer.full_clean()
    assert "name" in caught.value.error_dict
    world.person.real_name = "王\u2067明"
    with pytest.raises(ValidationError) as caught:
        world.person.full_clean(exclude=["user"])
    assert "real_name" in caught.value.error_dict


# --- unknown decisions in services ------------------------------------------------------------


def test_organisation_review_with_an_unknown_decision_is_a_validation_error(
    world: World,
) -> None:
    with pytest.raises(ValidationError) as caught:
        services.organisation_review(
            reviewer=admin_of(world.hrss),
            reviewer_organisation=world.hrss,
            organisation=world.pending_employer,
            decision="maybe",
            reason="x",
        )
    assert "decision" in caught.value.error_dict
    world.pending_employer.refresh_from_db()
    assert world.pending_employer.status == Organisation.Status.PENDING


def test_employment_review_with_an_unknown_decision_is_a_validation_error(
    world: World,
) -> None:
    person = person_create()
    employment = services.employment_request(person=person, employer=world.employer)
    with pytest.raises(ValidationError) as caught:
        services.employment_review(
            reviewer=admin_of(world.employer), employment=employment, decision="", reason="x"
        )
    assert "decision" in caught.value.error_dict
    employment.refresh_from_db()
    assert employment.status == Employment.Status.REQUESTED


# --- search boxes -------------------------------------------------------------------------------


def test_a_60000_character_staff_search_is_a_form_error(world: World) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(admin_of(world.employer))
    url = reverse("accounts:staff_list", kwargs={"organisation_id": world.employer.pk})

    response = client.get(url, {"q": "王" * 60_000})

    assert response.status_code == 200
    assert "Ensure this value has at most 50 characters" in response.content.decode()
    assert response.context["search"] == ""
    assert world.person.real_name in response.content.decode()  # the unfiltered list


def test_a_short_staff_search_still_filters(world: World) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(admin_of(world.employer))
    url = reverse("accounts:staff_list", kwargs={"organisation_id": world.employer.pk})

    found = client.get(url, {"q": world.person.real_name})
    missing = client.get(url, {"q": "nobody-of-this-name"})

    assert world.person.masked_id_number in found.content.decode()
    assert world.person.masked_id_number not in missing.content.decode()


# --- the client address behind proxies ------------------------------------------------------


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "6.6.6.6", "10.0.0.9"),
        (0, None, "10.0.0.9"),
        (1, "1.1.1.1", "1.1.1.1"),
        (1, "6.6.6.6, 1.1.1.1", "1.1.1.1"),  # the client wrote 6.6.6.6 itself
        (2, "6.6.6.6, 1.1.1.1, 172.16.0.2", "1.1.1.1"),
        (2, "1.1.1.1", "1.1.1.1"),
        (1, None, "10.0.0.9"),
    ],
)
def test_client_ip_skips_exactly_the_configured_proxies(
    settings: Any, proxies: int, forwarded: str | None, expected: str
) -> None:
    settings.NUM_PROXIES = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.9")
    if forwarded:
        request.META["HTTP_X_FORWARDED_FOR"] = forwarded

    assert client_ip(request) == expected


def _production_settings(monkeypatch: pytest.MonkeyPatch, num_proxies: str | None) -> Any:
    monkeypatch.setenv("DJANGO_SECRET_KEY", "x" * 64)
    for name in ("KEY", "CERT", "CHAIN"):  # production requires the certificate seal's files
        monkeypatch.setenv(f"CERTIFICATE_SIGNING_{name}", f"/run/secrets/{name.lower()}.pem")
    if num_proxies is None:
        monkeypatch.delenv("NUM_PROXIES", raising=False)
    else:
        monkeypatch.setenv("NUM_PROXIES", num_proxies)
    sys.modules.pop("portal.settings.production", None)
    try:
        return importlib.import_module("portal.settings.production")
    finally:
        sys.modules.pop("portal.settings.production", None)


def test_production_reads_one_proxy_count_for_throttles_and_lockout(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    default = _production_settings(monkeypatch, None)
    two = _production_settings(monkeypatch, "2")

    assert default.NUM_PROXIES == default.REST_FRAMEWORK["NUM_PROXIES"] == 1
    assert two.NUM_PROXIES == two.REST_FRAMEWORK["NUM_PROXIES"] == 2
    assert two.AXES_CLIENT_IP_CALLABLE == "portal.client_ip.client_ip"


PROXY = "172.16.0.2"  # every request reaches the application from the TLS proxy


def _log_in_through_proxy(username: str, password: str, client_addr: str) -> Any:
    return Client().post(
        reverse("accounts:login"),
        {"username": username, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=client_addr,
    )


def test_behind_the_proxy_one_client_cannot_lock_out_another(
    world: World, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    production = _production_settings(monkeypatch, None)
    settings.NUM_PROXIES = production.NUM_PROXIES
    settings.REST_FRAMEWORK = production.REST_FRAMEWORK
    settings.AXES_CLIENT_IP_CALLABLE = production.AXES_CLIENT_IP_CALLABLE
    username = world.person.user.username

    for _ in range(5):
        _log_in_through_proxy(username, "wrong-password", "203.0.113.7")

    assert _log_in_through_proxy(username, PASSWORD, "203.0.113.7").status_code == 429
    # The attacker cannot unlock itself by writing its own X-Forwarded-For either.
    assert _log_in_through_proxy(username, PASSWORD, "198.51.100.1, 203.0.113.7").status_code == 429
    assert _log_in_through_proxy(username, PASSWORD, "198.51.100.20").status_code == 302


def test_without_proxies_a_forged_forwarded_for_does_not_escape_the_lockout(
    world: World, settings: Any
) -> None:
    settings.NUM_PROXIES = 0
    username = world.person.user.username
    for number in range(5):
        _log_in_through_proxy(username, "wrong-password", f"198.51.100.{number}")

    assert _log_in_through_proxy(username, PASSWORD, "198.51.100.99").status_code == 429
