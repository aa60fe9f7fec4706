"""Form widgets shared by every app.

Browsers read an ``<input type="date">`` value only in ISO form (``YYYY-MM-DD``) and drop
anything else, so the value must never follow the page language: Django's ``DateInput``
formats with the active locale's first input format (``2026/06/10`` in zh-hans), which the
browser shows as an empty field and submits as nothing.
"""

from __future__ import annotations

from typing import Any

from django import forms

ISO_DATE = "%Y-%m-%d"


class IsoDateInput(forms.DateInput):
    """``<input type="date">`` whose value is always ISO, whatever the language."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format=ISO_DATE)
