"""Signals accounts sends so other apps can react without accounts importing them."""

from django.dispatch import Signal

# Sent inside the transaction that ends a binding (kwargs: actor, employment), so receivers
# write their consequences atomically with it (credits returns the records under review).
employment_ended = Signal()
