"""Signals accounts sends so other apps can react without accounts importing them."""

from django.dispatch import Signal

# Sent inside the transaction that ends a binding (kwargs: actor, employment), so receivers
# write their consequences atomically with it (credits returns the records under review).
employment_ended = Signal()

# Sent inside the transaction that changes whether a person's profile fact counts (a fact
# confirmed, or a confirmed fact changed back to pending); kwargs: person_id, and dates (the
# fact's old and new dates). Receivers queue their consequences after commit (credits
# recomputes the person's affected years).
profile_facts_changed = Signal()
