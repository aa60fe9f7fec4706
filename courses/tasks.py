"""Background work of the courses app: thin tasks that load ids and call a service."""

from __future__ import annotations

from celery import shared_task

from accounts.api import User
from courses.services.closing import class_records_create


@shared_task
def class_records_task(class_id: int, actor_id: int | None = None) -> int:
    """Write the records of a closed class's passed learners; safe to run twice."""
    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    return class_records_create(class_id=class_id, actor=actor)
