"""Form helpers every app's views use (no domain logic)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.functional import lazy

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise


def apply_service_error(form: forms.Form, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form: on its field when the form has it."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _percent(message: str | StrPromise, values: dict[str, Any]) -> str:
    return str(message) % values


# A translated message with %-placeholders, formatted when shown (in the request's language),
# not when the module is imported: for help texts and labels defined on a form class.
percent_lazy = lazy(_percent, str)
