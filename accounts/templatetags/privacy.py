"""Template filters that keep personal data out of pages that do not need it."""

from __future__ import annotations

from django import template

from accounts.validators import mask_id_number

register = template.Library()


@register.filter
def mask_id(value: object) -> str:
    """``440105199001010010`` → ``440105********0010`` (first 6 and last 4 kept)."""
    return mask_id_number(str(value or ""))
