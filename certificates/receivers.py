"""Receivers of other apps' signals; each only queues a certificates task."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from certificates.tasks import (
    FANOUT_CHUNK,
    RECONCILE_CHUNK,
    certificates_reconcile_fanout_task,
    certificates_reconcile_task,
)


def year_summary_changed(
    sender: type, *, year: int, person_ids: Sequence[int], **kwargs: Any
) -> None:
    """credits sent this after commit: queue the reconciliation of those persons' year."""
    wanted = sorted(set(person_ids))  # credits sends them sorted and once: little to do
    if len(wanted) <= RECONCILE_CHUNK:  # a person's change: one task, no fan-out
        if wanted:
            certificates_reconcile_task.delay([[person_id, year] for person_id in wanted])
        return
    # A whole-year run: messages of FANOUT_CHUNK person ids (a flat list of integers, a fifth
    # of the time to build and encode that [person, year] pairs took), each split into
    # reconciliation tasks by a worker. A short argsrepr (the message header's text of the
    # arguments, for logs and monitoring): Celery's own repr of 20,000 ids took longer than
    # sending them.
    for start in range(0, len(wanted), FANOUT_CHUNK):
        chunk = wanted[start : start + FANOUT_CHUNK]
        certificates_reconcile_fanout_task.apply_async(
            (year, chunk), argsrepr=f"({year}, [<{len(chunk)} persons>])"
        )


def worker_process_init(**kwargs: Any) -> None:
    """Celery's ``worker_process_init`` (each pool process, after the fork): freeze the
    long-lived heap after the process's first certificate render (certificates.pdf)."""
    from certificates.pdf import gc_freeze_after_first_render

    gc_freeze_after_first_render()


def worker_process_shutdown(**kwargs: Any) -> None:
    """Celery's ``worker_process_shutdown`` (a pool process ending, which skips ``atexit``):
    remove the process's temporary copies of the certificate font (certificates.pdf)."""
    from certificates.pdf import release_font_files

    release_font_files()
