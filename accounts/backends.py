"""Authentication backends: password checks bounded per process so logins cannot starve browsing.

PBKDF2 costs about 0.3 CPU-seconds a check. When many logins arrive at once, at most
``LOGIN_HASH_CONCURRENCY`` checks hash at the same time in one process; a login that waits
longer than ``LOGIN_HASH_WAIT_SECONDS`` is refused with ``LoginBusy`` (the login form says
"busy, try again") instead of queuing forever. See docs/decisions/0006-fast-under-load.md.
"""

from __future__ import annotations

import threading
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from accounts.models import User


class LoginBusy(Exception):
    """Too many password checks were running for too long; the caller should retry later."""


_gate_lock = threading.Lock()
_gate: tuple[int, threading.BoundedSemaphore] | None = None


def hash_gate() -> threading.BoundedSemaphore:
    """This process's semaphore of ``LOGIN_HASH_CONCURRENCY`` places (made again if the
    setting changes, as tests do)."""
    global _gate
    size = max(1, int(settings.LOGIN_HASH_CONCURRENCY))
    with _gate_lock:
        if _gate is None or _gate[0] != size:
            _gate = (size, threading.BoundedSemaphore(size))
        return _gate[1]


class BoundedModelBackend(ModelBackend):
    """``ModelBackend`` whose password check (the hashing, also run for an unknown username
    against timing attacks) takes one of the process's ``hash_gate`` places."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if password is None:
            return None  # nothing to hash (ModelBackend returns None too)
        gate = hash_gate()
        if not gate.acquire(timeout=float(settings.LOGIN_HASH_WAIT_SECONDS)):
            raise LoginBusy
        try:
            return super().authenticate(request, username=username, password=password, **kwargs)
        finally:
            gate.release()
