"""Reads of the credits app, one module per feature: records and the rule book, and the review
queue and recheck."""
