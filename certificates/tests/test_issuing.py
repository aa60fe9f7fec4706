"""Issuing without a click: credits' signal after commit → the certificates task → one valid
certificate per person-year, revoked and issued again as compliance changes."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from accounts.models import AuditEntry
from certificates.models import Certificate
from certificates.receivers import year_summary_changed as receiver
from certificates.services import certificate_reconcile, certificate_reissue, certificate_revoke
from certificates.tests.helpers import LAST_YEAR, make_compliant, make_short
from credits.api import year_summary_changed
from credits.models import Record
from credits.services.validation import summaries_refresh
from tests.factories import World, admin_of, world_create


def _wait_for(predicate: Any, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError("timed out waiting for the worker")


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_compliant_year_gets_a_certificate_without_a_click_then_revoked_and_reissued(
    celery_worker: Any,
) -> None:
    world = world_create("440100", "440105")
    person = world.person
    make_compliant(person, world.employer)
    _wait_for(lambda: Certificate.objects.filter(person=person, status="valid").exists())
    first = Certificate.objects.get(person=person, year=LAST_YEAR)
    assert first.number.startswith(f"{LAST_YEAR}-{world.employer.region.code}-")
    assert first.employer_id == world.employer.pk
    assert first.hours["public"]["earned"] == "40.0"
    assert len(first.records) == 3 and first.sha256 and first.pdf

    make_short(person)  # a recheck revoked the professional records
    _wait_for(lambda: Certificate.objects.filter(pk=first.pk, status="revoked").exists())
    first.refresh_from_db()
    assert "no longer meet" in first.revocation_reason or "不再" in first.revocation_reason
    assert AuditEntry.objects.filter(action="certificate.revoke_auto", target_id=str(first.pk))

    Record.objects.filter(person=person, status="revoked").update(status="approved")
    summaries_refresh(year=LAST_YEAR, person_ids=[person.pk])
    _wait_for(lambda: Certificate.objects.filter(person=person, status="valid").exists())
    second = Certificate.objects.get(person=person, status="valid")
    assert second.number != first.number
    assert Certificate.objects.filter(person=person).count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_workers_and_duplicate_events_never_make_two_valid_certificates() -> None:
    world = world_create("440100", "440105")
    make_compliant(world.person, world.employer)
    # (CELERY_TASK_ALWAYS_EAGER may already have issued it: start from none.)
    Certificate.objects.all().delete()
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def work() -> None:
        try:
            barrier.wait()
            certificate_reconcile(person_id=world.person.pk, year=LAST_YEAR)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert Certificate.objects.filter(person=world.person, year=LAST_YEAR).count() == 1
    # The same event delivered again changes nothing.
    certificate_reconcile(person_id=world.person.pk, year=LAST_YEAR)
    assert Certificate.objects.filter(person=world.person, year=LAST_YEAR).count() == 1


@pytest.mark.django_db
def test_the_database_refuses_a_second_valid_certificate(world: World) -> None:
    Certificate.objects.create(
        number="2020-440100-900001", check_code="A", person=world.person, year=2020
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Certificate.objects.create(
            number="2020-440100-900002", check_code="B", person=world.person, year=2020
        )
    # A superseded or revoked one beside the valid one is fine.
    Certificate.objects.create(
        number="2020-440100-900003",
        check_code="C",
        person=world.person,
        year=2020,
        status="revoked",
        revoked_at="2021-01-01T00:00:00Z",
    )


@pytest.mark.django_db
def test_the_signal_is_sent_after_commit_only_for_changed_summaries(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    sent: list[Any] = []

    def capture(sender: type, *, year: int, person_ids: Any, **kwargs: Any) -> None:
        sent.append((year, list(person_ids)))

    year_summary_changed.connect(capture, dispatch_uid="test.capture")
    year_summary_changed.disconnect(dispatch_uid="certificates.year_summary_changed")
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            make_compliant(world.person, world.employer)
        assert sent == []  # nothing before commit
        for callback in callbacks:
            callback()
        assert sent == [(LAST_YEAR, [world.person.pk])]
        sent.clear()
        with django_capture_on_commit_callbacks(execute=True):
            summaries_refresh(year=LAST_YEAR, person_ids=[world.person.pk])
        assert sent == []  # recomputed, but nothing changed
    finally:
        year_summary_changed.disconnect(dispatch_uid="test.capture")
        year_summary_changed.connect(receiver, dispatch_uid="certificates.year_summary_changed")


# --- an HRSS revocation sticks; an automatic one does not ----------------------------------


@pytest.fixture
def eager_celery(settings: Any) -> Iterator[None]:
    """Tasks run in-process, so the signal → receiver → task → reconcile path runs for real."""
    from portal.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = True
    was = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        yield
    finally:
        app.conf.task_always_eager = was


def _touch_summary(person_id: int) -> None:
    """A summary change that finds the year compliant (as after an approval or a recount)."""
    Record.objects.filter(person_id=person_id, year=LAST_YEAR, category="elective").update(hours=41)
    summaries_refresh(year=LAST_YEAR, person_ids=[person_id])


@pytest.mark.django_db
def test_an_hrss_revocation_blocks_automatic_issuing_until_issued_again(
    world: World, eager_celery: None, django_capture_on_commit_callbacks: Any
) -> None:
    person = world.person
    with django_capture_on_commit_callbacks(execute=True):
        make_compliant(person, world.employer)
    first = Certificate.objects.get(person=person, year=LAST_YEAR, status="valid")
    certificate_revoke(
        actor=admin_of(world.hrss), certificate=first, reason="复核不通过", office=world.hrss
    )
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        _touch_summary(person.pk)
    assert callbacks  # the summary changed and certificates heard of it
    assert not Certificate.objects.filter(person=person, status="valid").exists()
    assert certificate_reconcile(person_id=person.pk, year=LAST_YEAR).issued is None

    # HRSS (or the employer) issues again explicitly: that lifts the block.
    again = certificate_reissue(
        actor=admin_of(world.hrss),
        certificate=first,
        reason="更正后重新发证",
        organisation=world.hrss,
    )
    first.refresh_from_db()
    assert again.is_valid and again.number != first.number and first.status == "revoked"
    assert AuditEntry.objects.filter(
        action="certificate.issue", target_id=str(again.pk), actor=admin_of(world.hrss)
    ).exists()
    # After that, automatic revocation and re-issuing work as before.
    with django_capture_on_commit_callbacks(execute=True):
        make_short(person)
    again.refresh_from_db()
    assert again.status == "revoked" and not again.revoked_manually
    with django_capture_on_commit_callbacks(execute=True):
        Record.objects.filter(person=person, status="revoked").update(status="approved")
        summaries_refresh(year=LAST_YEAR, person_ids=[person.pk])
    assert Certificate.objects.filter(person=person, status="valid").count() == 1


@pytest.mark.django_db
def test_an_automatic_revocation_is_reissued_automatically(
    world: World, eager_celery: None, django_capture_on_commit_callbacks: Any
) -> None:
    person = world.person
    with django_capture_on_commit_callbacks(execute=True):
        make_compliant(person, world.employer)
    first = Certificate.objects.get(person=person, year=LAST_YEAR, status="valid")
    with django_capture_on_commit_callbacks(execute=True):
        make_short(person)
    first.refresh_from_db()
    assert first.status == "revoked" and not first.revoked_manually
    with django_capture_on_commit_callbacks(execute=True):
        Record.objects.filter(person=person, status="revoked").update(status="approved")
        summaries_refresh(year=LAST_YEAR, person_ids=[person.pk])
    second = Certificate.objects.get(person=person, status="valid")
    assert second.number != first.number and second.reissue_reason == ""


@pytest.mark.django_db
def test_only_the_latest_hrss_revoked_certificate_can_be_issued_again(world: World) -> None:
    person = world.person
    make_compliant(person, world.employer)
    certificate_reconcile(person_id=person.pk, year=LAST_YEAR)
    first = Certificate.objects.get(person=person, year=LAST_YEAR, status="valid")
    certificate_revoke(
        actor=admin_of(world.hrss), certificate=first, reason="错", office=world.hrss
    )
    certificate_reissue(
        actor=admin_of(world.hrss), certificate=first, reason="重发", organisation=world.hrss
    )
    with pytest.raises(ValidationError):
        certificate_reissue(
            actor=admin_of(world.hrss), certificate=first, reason="再发", organisation=world.hrss
        )
    assert Certificate.objects.filter(person=person, year=LAST_YEAR).count() == 2


def test_many_changed_years_go_out_as_few_messages_and_every_pair_is_reconciled(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A whole-year run changes thousands of person-years: the receiver (after credits'
    commit) sends one fan-out message per FANOUT_CHUNK persons; the fan-out task queues one
    reconciliation per RECONCILE_CHUNK, covering every person-year once."""
    from certificates import tasks

    monkeypatch.setattr(tasks, "FANOUT_CHUNK", 300)
    monkeypatch.setattr("certificates.receivers.FANOUT_CHUNK", 300)
    fanned: list[tuple[int, list[int]]] = []
    reconciled: list[list[list[int]]] = []
    argsreprs: list[str | None] = []

    def fanout_apply_async(args: tuple[Any, ...], *_: Any, **options: Any) -> None:
        fanned.append(args)
        argsreprs.append(options.get("argsrepr"))

    monkeypatch.setattr(tasks.certificates_reconcile_fanout_task, "apply_async", fanout_apply_async)
    monkeypatch.setattr(tasks.certificates_reconcile_task, "delay", reconciled.append)
    ids = list(range(1, 451))
    pairs = [(person_id, 2025) for person_id in ids]

    receiver(sender=object, year=2025, person_ids=ids + ids[:10])  # duplicates sent once

    assert [(year, len(chunk)) for year, chunk in fanned] == [(2025, 300), (2025, 150)]
    assert reconciled == []
    # The message header names the chunk's size instead of Celery's repr of every id
    # (which cost more than sending them, after the validation's commit).
    assert argsreprs == ["(2025, [<300 persons>])", "(2025, [<150 persons>])"]
    for year, chunk in fanned:
        tasks.certificates_reconcile_fanout_task.run(year, chunk)
    assert [len(chunk) for chunk in reconciled] == [200, 100, 150]
    assert sorted(tuple(p) for chunk in reconciled for p in chunk) == sorted(pairs)

    fanned.clear()
    reconciled.clear()
    # One person's change: one task, no fan-out; pairs in any order, duplicates sent once.
    receiver(sender=object, year=2025, person_ids=[3, 1, 2, 1])
    assert fanned == [] and reconciled == [[[1, 2025], [2, 2025], [3, 2025]]]
