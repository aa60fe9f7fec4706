"""Every write of the partners app (keys, pushes, idempotency, jobs)."""
