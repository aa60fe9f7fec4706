"""Signals credits sends to the apps that build on it (they import them from credits.api)."""

from __future__ import annotations

from django.dispatch import Signal

# Sent after commit, once per refresh, with ``year`` and ``person_ids`` (sorted, each once):
# the persons whose stored summary of that year was inserted or whose figures changed (a
# whole-year run: up to every person of the year). Receivers should only queue their own
# work.
year_summary_changed = Signal()
