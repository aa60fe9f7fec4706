"""Tiny Celery tasks that prove the worker plumbing (broker, result backend, database) works."""

from __future__ import annotations

from celery import shared_task
from django.contrib.auth import get_user_model


@shared_task
def ping() -> str:
    return "pong"


@shared_task
def count_users() -> int:
    """How many users the worker's database holds: proves it reads the same database as us."""
    return get_user_model().objects.count()
