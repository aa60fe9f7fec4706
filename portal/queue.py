"""Queue a Celery task once the current transaction commits, by the task's registered name.

Services queue their app's tasks through this instead of importing the tasks module (which
imports the services): the import graph keeps one arrow, tasks → services
(docs/decisions/0009-app-boundaries.md). Each app imports its tasks module in
``AppConfig.ready()``, so every process knows the names.
"""

from __future__ import annotations

from typing import Any

from celery import current_app
from django.db import transaction


def queue_on_commit(task_name: str, *args: Any) -> None:
    """Call ``<task>.delay(*args)`` after the current transaction commits (at once outside
    one). An unknown name raises ``KeyError`` here, inside the service, not after commit."""
    task = current_app.tasks[task_name]
    transaction.on_commit(lambda: task.delay(*args))
