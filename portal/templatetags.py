"""Template tags of the portal's page frame (``{% load portal %}``, registered in settings)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.simple_tag(takes_context=True)
def nav_current(context: dict[str, Any], url_name: str) -> SafeString:
    """Attributes marking a menu link to `url_name` as the current page or its section.

    ``<a href="…"{% nav_current "credits:review_queue" %}>``: the page itself gets
    ``aria-current="page"``, a page below it (its detail pages) ``aria-current="true"``;
    both get the ``active`` class. Uses ``current_url_name`` and ``nav_trail`` from
    ``portal.breadcrumbs.breadcrumbs``.
    """
    if url_name == context.get("current_url_name"):
        return mark_safe(' class="active" aria-current="page"')
    if url_name in context.get("nav_trail", ()):
        return mark_safe(' class="active" aria-current="true"')
    return mark_safe("")
