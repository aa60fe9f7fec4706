"""portal.views: the one form → service → message → redirect helper of every app's views."""

from __future__ import annotations

from django import forms
from django.contrib.messages import ERROR, SUCCESS
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.test import RequestFactory

from portal.views import form_submit, post_action


class NameForm(forms.Form):
    name = forms.CharField()


def _request(method: str, data: dict[str, str] | None = None) -> HttpRequest:
    factory = RequestFactory()
    request = factory.post("/", data or {}) if method == "POST" else factory.get("/")
    request._messages = CookieStorage(request)  # type: ignore[attr-defined]
    return request


def _messages(request: HttpRequest) -> list[tuple[int, str]]:
    return [(m.level, str(m)) for m in request._messages]  # type: ignore[attr-defined]


def _refuse(message: object) -> None:
    raise ValidationError(message)  # type: ignore[arg-type]


def test_post_action_says_what_the_service_refused_and_goes_to_the_failure_page() -> None:
    request = _request("POST")
    response = post_action(
        request, lambda: _refuse("Too late."), success="Done.", to="/done/", failure_to="/back/"
    )
    assert (response.status_code, response["Location"]) == (302, "/back/")
    assert _messages(request) == [(ERROR, "Too late.")]


def test_post_action_goes_to_the_same_page_after_a_refusal_without_a_failure_page() -> None:
    request = _request("POST")
    response = post_action(request, lambda: _refuse("Too late."), success="Done.", to="/done/")
    assert response["Location"] == "/done/"
    assert _messages(request) == [(ERROR, "Too late.")]


def test_post_action_reports_success_from_the_services_result() -> None:
    request = _request("POST")
    response = post_action(
        request, lambda: 3, success=lambda n: f"{n} decided.", to="/done/", failure_to="/back/"
    )
    assert response["Location"] == "/done/"
    assert _messages(request) == [(SUCCESS, "3 decided.")]


def test_form_submit_calls_nothing_unless_a_valid_form_was_posted() -> None:
    calls: list[object] = []
    for request, form in (
        (_request("GET"), NameForm()),
        (_request("GET"), NameForm({"name": "Ann"})),  # a bound form, but not posted
        (_request("POST", {}), NameForm({})),
    ):
        assert form_submit(request, form, calls.append, success="Saved.", to="/x/") is None
        assert _messages(request) == []
    assert calls == []


def test_form_submit_puts_the_services_error_on_its_field() -> None:
    request = _request("POST", {"name": "Ann"})
    form = NameForm(request.POST)
    answer = form_submit(
        request,
        form,
        lambda data: _refuse({"name": "Taken.", "other": "Not a field."}),
        success="Saved.",
        to="/x/",
    )
    assert answer is None
    assert form.errors == {"name": ["Taken."], "__all__": ["Not a field."]}
    assert _messages(request) == []


def test_form_submit_redirects_where_the_result_says_with_its_message() -> None:
    request = _request("POST", {"name": "Ann"})
    answer = form_submit(
        request,
        NameForm(request.POST),
        lambda data: data["name"].upper(),
        success=lambda name: f"Hello {name}.",
        to=lambda name: f"/people/{name}/",
    )
    assert answer is not None
    assert answer["Location"] == "/people/ANN/"
    assert _messages(request) == [(SUCCESS, "Hello ANN.")]
