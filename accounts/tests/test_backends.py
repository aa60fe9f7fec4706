"""Bounded password checks: logins arriving at once hash at most LOGIN_HASH_CONCURRENCY at a
time per process, and one that waits too long is told to try again."""

from __future__ import annotations

import itertools
import threading
import time
from typing import Any

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.db import connection
from django.test import Client
from django.urls import reverse

from accounts.backends import BoundedModelBackend, LoginBusy, hash_gate
from accounts.models import AuditEntry, SecurityEvent, User
from tests.factories import PASSWORD

SLOW_HASHER = "accounts.tests.test_backends.SlowHasher"
_serial = itertools.count()


class SlowHasher(MD5PasswordHasher):
    """MD5 that takes 0.15 s and records how many of its calls overlapped."""

    algorithm = "slow_md5"
    lock = threading.Lock()
    running = 0
    most = 0

    def encode(self, password: str, salt: str) -> str:
        cls = type(self)
        with cls.lock:
            cls.running += 1
            cls.most = max(cls.most, cls.running)
        try:
            time.sleep(0.15)
            return super().encode(password, salt)
        finally:
            with cls.lock:
                cls.running -= 1


@pytest.fixture
def slow_hasher(settings: Any) -> type[SlowHasher]:
    settings.PASSWORD_HASHERS = [SLOW_HASHER]
    SlowHasher.running = SlowHasher.most = 0
    return SlowHasher


def _check_in_threads(count: int, username: str) -> list[Any]:
    results: list[Any] = [None] * count

    def check(index: int) -> None:
        try:
            results[index] = BoundedModelBackend().authenticate(
                None, username=username, password=PASSWORD
            )
        except LoginBusy as exc:
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=check, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_password_checks_never_overlap_when_the_bound_is_one(
    settings: Any, slow_hasher: type[SlowHasher]
) -> None:
    settings.LOGIN_HASH_CONCURRENCY = 1
    settings.LOGIN_HASH_WAIT_SECONDS = 30
    user = User.objects.create_user(username=f"login{next(_serial)}", password=PASSWORD)
    slow_hasher.most = 0  # creating the user hashed once

    results = _check_in_threads(3, user.username)

    assert [r.pk for r in results] == [user.pk] * 3  # every one logged in, one after the other
    assert slow_hasher.most == 1


@pytest.mark.django_db(transaction=True)
def test_the_bound_is_the_setting(settings: Any, slow_hasher: type[SlowHasher]) -> None:
    """With two places, two checks do run together (the fake hasher sees overlaps)."""
    settings.LOGIN_HASH_CONCURRENCY = 2
    settings.LOGIN_HASH_WAIT_SECONDS = 30
    user = User.objects.create_user(username=f"login{next(_serial)}", password=PASSWORD)
    slow_hasher.most = 0

    results = _check_in_threads(4, user.username)

    assert [r.pk for r in results] == [user.pk] * 4
    assert slow_hasher.most == 2


@pytest.mark.django_db
def test_a_login_that_waits_too_long_is_told_to_try_again(settings: Any) -> None:
    settings.LOGIN_HASH_CONCURRENCY = 1
    settings.LOGIN_HASH_WAIT_SECONDS = 0.2
    user = User.objects.create_user(username=f"login{next(_serial)}", password=PASSWORD)
    gate = hash_gate()
    assert gate.acquire(timeout=1)  # another login is hashing and does not finish
    try:
        started = time.monotonic()
        response = Client().post(
            reverse("accounts:login"), {"username": user.username, "password": PASSWORD}
        )
        waited = time.monotonic() - started
    finally:
        gate.release()

    assert response.status_code == 200
    assert "_auth_user_id" not in response.client.session
    assert response.context["form"].has_error("__all__", code="busy")
    assert 0.2 <= waited < 5
    # Not a failed password: nothing towards a lockout.
    assert not AuditEntry.objects.filter(action=SecurityEvent.LOGIN_FAILED.value).exists()

    again = Client().post(
        reverse("accounts:login"), {"username": user.username, "password": PASSWORD}
    )
    assert again.status_code == 302  # the place is free again


def test_axes_still_checks_before_the_bounded_backend(settings: Any) -> None:
    backends = list(settings.AUTHENTICATION_BACKENDS)
    assert backends.index("axes.backends.AxesStandaloneBackend") < backends.index(
        "accounts.backends.BoundedModelBackend"
    )
    assert "django.contrib.auth.backends.ModelBackend" not in backends
