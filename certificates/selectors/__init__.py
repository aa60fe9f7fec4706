"""Reads of the certificates app, one module per feature: issued certificates and printing
(bulk print jobs and the pre-2019 history)."""
