"""Benchmarks run by ``make bench`` (``python -m bench``): operations against their SQL floor."""
