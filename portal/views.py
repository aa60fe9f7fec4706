"""View helpers every app uses (no domain logic): the two shapes of a write from a page.

- ``form_submit``: a form page; a valid POST calls one service, then a success message and a
  redirect; the service's ``ValidationError`` goes back onto the form.
- ``post_action``: a button that POSTs; the service's ``ValidationError`` becomes an error
  message; either way a redirect.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from portal.forms import apply_service_error

T = TypeVar("T")

# A fixed value, or one computed from what the service returned.
Outcome = str | Callable[[T], str]


def _resolve(value: Outcome[T], result: T) -> str:
    return value(result) if callable(value) else value


def form_submit(
    request: HttpRequest,
    form: forms.Form,
    call: Callable[[dict[str, Any]], T],
    *,
    success: Outcome[T],
    to: Outcome[T],
) -> HttpResponse | None:
    """When `form` was POSTed and is valid, call the service (``call(form.cleaned_data)``);
    on success show `success` and redirect to `to` (a URL or a URL name). Returns ``None``
    when the view should render the form (a GET, an invalid form, or the service's
    ``ValidationError``, which is put on the form)."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        result = call(form.cleaned_data)
    except ValidationError as exc:
        apply_service_error(form, exc)
        return None
    messages.success(request, _resolve(success, result))
    return redirect(_resolve(to, result))


def post_action(
    request: HttpRequest,
    call: Callable[[], T],
    *,
    success: Outcome[T],
    to: str,
    failure_to: str | None = None,
) -> HttpResponse:
    """Call the service; on success show `success`, on its ``ValidationError`` show the
    error's messages; then redirect to `to` (to `failure_to` after an error, when given).
    `call` may raise ``ValidationError`` itself, e.g. for a form that does not validate."""
    try:
        result = call()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(failure_to or to)
    messages.success(request, _resolve(success, result))
    return redirect(to)
