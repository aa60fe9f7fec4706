"""Receivers of other apps' signals; each only calls a credits service."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.utils import timezone

from accounts.api import Employment, User
from credits.models import YearSummary
from credits.selectors.records import rulebook_changed, rulebook_load
from credits.services.reviews import records_return_on_unbind


def return_records_on_unbind(
    sender: type, *, actor: User | None, employment: Employment, **kwargs: Any
) -> None:
    records_return_on_unbind(actor=actor, employment=employment)


def rule_table_changed(sender: type, **kwargs: Any) -> None:
    """post_save/post_delete/m2m_changed of a rule table: the cached rule book is stale."""
    if kwargs.get("raw"):
        return  # loaddata: no rule book was read from these rows yet
    action = kwargs.get("action")
    if action is not None and not action.startswith("post_"):
        return  # m2m_changed fires pre_ and post_; one bump is enough
    rulebook_changed()


def refresh_on_profile_facts(
    sender: type, *, person_id: int, dates: Iterable[date], **kwargs: Any
) -> None:
    """A profile fact started or stopped counting: after commit, recompute the person's years
    it may touch: every year they have a summary of (an accounting start reaches back over
    all earlier years) and the years the fact's old and new dates map to (a date's year or
    the next, ``credits.selectors.first_year_in_post``), within the years validation knows."""
    from credits.services.validation import summaries_refresh_later

    first, last = rulebook_load().min_year, timezone.localdate().year + 1
    # year__in, not a filter on the person alone: the summaries' key is (year, person), so
    # each year is one probe of it.
    years = set(
        YearSummary.objects.filter(
            person_id=person_id, year__in=range(first, last + 1)
        ).values_list("year", flat=True)
    )
    for day in dates:
        years.update((day.year, day.year + 1))
    summaries_refresh_later((person_id, y) for y in years if first <= y <= last)
