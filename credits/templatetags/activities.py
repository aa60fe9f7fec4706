"""``{{ record|activity_name }}``: the name of the accounting activity a record was declared
as (from the cached rule book: no query), or ``""``."""

from __future__ import annotations

from django import template

from credits.models import Record
from credits.selectors.records import activity_of

register = template.Library()


@register.filter
def activity_name(record: Record) -> str:
    activity = activity_of(record)
    if activity is None:
        return record.activity_code
    return activity.name or activity.code
