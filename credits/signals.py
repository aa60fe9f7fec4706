"""Signals credits sends to the apps that build on it (they import them from credits.api)."""

from __future__ import annotations

from django.dispatch import Signal

# Sent after commit, once per refresh, with ``pairs``: the (person_id, year) whose stored year
# summary was inserted or whose figures changed. Receivers should only queue their own work.
year_summary_changed = Signal()
