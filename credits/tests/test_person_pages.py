"""The person's own pages: delete a draft, remove an evidence file, the declaration form's
labels and in-house box, the progress page's recount button, and the home page's hours and
alerts."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import AuditEntry
from credits.forms.person import RecordForm
from credits.models import Evidence, Record, YearSummary
from credits.services import evidence_remove, record_delete
from tests.factories import World, evidence_make, person_create, record_make

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_and_english(settings: Any, tmp_path: Path) -> Iterator[None]:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    with translation.override("en"):
        yield


@pytest.fixture
def client_(world: World) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(world.person.user)
    return client


def audit(action: str, record_id: int) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(action=action, target_type="credits.record", target_id=record_id)
    )


# --- deleting a draft -------------------------------------------------------------------------


def test_deleting_a_draft_removes_it_audits_and_removes_files_after_commit(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    draft = record_make(world.person, None, title="Draft", status="draft")
    name = str(evidence_make(draft).file.name)
    assert default_storage.exists(name)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        record_delete(person=world.person, record=draft)
    assert default_storage.exists(name)  # not before commit
    for callback in callbacks:
        callback()

    assert not Record.objects.filter(pk=draft.pk).exists()
    assert not Evidence.objects.filter(record_id=draft.pk).exists()
    assert not default_storage.exists(name)
    (entry,) = audit("record.delete", draft.pk)
    assert (entry.actor, entry.from_state, entry.to_state) == (
        world.person.user,
        "draft",
        "deleted",
    )


def test_a_rolled_back_delete_keeps_the_files(world: World) -> None:
    draft = record_make(world.person, None, title="Draft", status="draft")
    name = str(evidence_make(draft).file.name)

    with pytest.raises(RuntimeError), transaction.atomic():
        record_delete(person=world.person, record=draft)
        raise RuntimeError("boom")

    assert Record.objects.filter(pk=draft.pk).exists()
    assert default_storage.exists(name)


@pytest.mark.parametrize("status", ["submitted", "approved", "returned", "rejected", "revoked"])
def test_only_a_draft_can_be_deleted(world: World, status: str) -> None:
    record = record_make(world.person, world.employer, title="Kept", status=status)

    with pytest.raises(ValidationError):
        record_delete(person=world.person, record=record)

    assert Record.objects.filter(pk=record.pk).exists()
    assert audit("record.delete", record.pk) == []


def test_nobody_deletes_someone_elses_draft(world: World) -> None:
    draft = record_make(world.person, None, title="Draft", status="draft")

    with pytest.raises(PermissionDenied):
        record_delete(person=person_create(), record=draft)

    assert Record.objects.filter(pk=draft.pk).exists()


def test_delete_page_deletes_a_draft_and_redirects_to_the_list(
    client_: Client, world: World
) -> None:
    draft = record_make(world.person, None, title="Draft", status="draft")

    response = client_.post(reverse("credits:record_delete", args=[draft.pk]))

    assert response.status_code == 302 and response["Location"] == reverse("credits:my_records")
    assert not Record.objects.filter(pk=draft.pk).exists()


def test_delete_page_refuses_a_submitted_record_with_a_message(
    client_: Client, world: World
) -> None:
    response = client_.post(reverse("credits:record_delete", args=[world.record.pk]), follow=True)

    assert Record.objects.filter(pk=world.record.pk).exists()
    assert "Only a draft can be deleted" in response.content.decode()


def test_detail_page_offers_delete_with_a_confirmation_only_for_a_draft(
    client_: Client, world: World
) -> None:
    draft = record_make(world.person, None, title="Draft", status="draft")

    page = client_.get(reverse("credits:record_detail", args=[draft.pk])).content.decode()
    submitted = client_.get(reverse("credits:record_detail", args=[world.record.pk]))

    action = reverse("credits:record_delete", args=[draft.pk])
    assert f'action="{action}"' in page and "data-confirm=" in page
    assert 'data-testid="record-delete"' not in submitted.content.decode()


def test_another_persons_record_cannot_be_deleted(world: World, other_world: World) -> None:
    draft = record_make(other_world.person, None, title="Theirs", status="draft")
    client = Client()
    client.force_login(world.person.user)

    response = client.post(reverse("credits:record_delete", args=[draft.pk]))

    assert response.status_code == 404
    assert Record.objects.filter(pk=draft.pk).exists()


# --- removing an evidence file ----------------------------------------------------------------


@pytest.mark.parametrize("status", ["draft", "returned"])
def test_evidence_is_removed_from_a_draft_or_returned_record(
    world: World, status: str, django_capture_on_commit_callbacks: Any
) -> None:
    record = record_make(world.person, world.employer, title="Fix me", status=status)
    wrong, right = evidence_make(record, name="wrong.pdf"), evidence_make(record, name="ok.pdf")
    assert default_storage.exists(str(wrong.file.name))

    with django_capture_on_commit_callbacks(execute=True):
        evidence_remove(person=world.person, evidence=wrong)

    assert list(record.evidence.all()) == [right]
    assert not default_storage.exists(str(wrong.file.name))
    (entry,) = audit("record.evidence_remove", record.pk)
    assert (entry.actor, entry.reason) == (world.person.user, "wrong.pdf")
    record.refresh_from_db()
    assert record.status == status


@pytest.mark.parametrize("status", ["submitted", "approved", "rejected", "revoked"])
def test_evidence_stays_while_the_record_is_under_review_or_decided(
    world: World, status: str
) -> None:
    record = record_make(world.person, world.employer, title="Locked", status=status)
    evidence = evidence_make(record)

    with pytest.raises(ValidationError):
        evidence_remove(person=world.person, evidence=evidence)

    assert Evidence.objects.filter(pk=evidence.pk).exists()
    assert default_storage.exists(str(evidence.file.name))


def test_evidence_remove_page_removes_and_shows_a_message(client_: Client, world: World) -> None:
    draft = record_make(world.person, None, title="Draft", status="draft")
    evidence = evidence_make(draft, name="wrong.pdf")
    url = reverse("credits:evidence_remove", args=[draft.pk, evidence.pk])

    assert client_.get(url).status_code == 405
    response = client_.post(url, follow=True)

    assert not Evidence.objects.filter(pk=evidence.pk).exists()
    assert "File “wrong.pdf” removed." in response.content.decode()


def test_evidence_remove_page_refuses_a_submitted_record(client_: Client, world: World) -> None:
    url = reverse("credits:evidence_remove", args=[world.record.pk, world.evidence.pk])

    response = client_.post(url, follow=True)

    assert Evidence.objects.filter(pk=world.evidence.pk).exists()
    assert "only be removed from a draft or a returned record" in response.content.decode()


def test_detail_page_offers_remove_buttons_only_while_editable(
    client_: Client, world: World
) -> None:
    draft = record_make(world.person, None, title="Draft", status="draft")
    evidence_make(draft)

    editable = client_.get(reverse("credits:record_detail", args=[draft.pk])).content.decode()
    locked = client_.get(reverse("credits:record_detail", args=[world.record.pk])).content.decode()

    assert 'data-testid="evidence-remove"' in editable
    assert 'data-testid="evidence-remove"' not in locked


def test_another_persons_evidence_is_404(world: World, other_world: World) -> None:
    client = Client()
    client.force_login(world.person.user)
    theirs = other_world.evidence

    for url in (
        reverse("credits:evidence_remove", args=[theirs.record_id, theirs.pk]),
        # my record, their evidence
        reverse("credits:evidence_remove", args=[world.record.pk, theirs.pk]),
    ):
        assert client.post(url).status_code == 404
    assert Evidence.objects.filter(pk=theirs.pk).exists()


# --- the declaration form and the progress page -----------------------------------------------


def test_unit_field_is_labelled_unit_of_measure(client_: Client) -> None:
    page = client_.get(reverse("credits:record_new"))

    assert page.context["form"]["unit"].label == "Unit of measure"
    with translation.override("zh-hans"):
        assert str(RecordForm(series=[])["unit"].label) == "计量单位"


def test_the_form_has_no_approved_plan_box(client_: Client) -> None:
    """Decision 0018: only a class of an approved employer plan says the plan was approved."""
    page = client_.get(reverse("credits:record_new")).content.decode()

    assert 'name="approved_plan"' not in page
    assert "approved_plan" not in RecordForm(series=[]).fields


@pytest.mark.parametrize("kind", ["", "inhouse_training"])
def test_a_posted_approved_plan_is_ignored(kind: str) -> None:
    form = RecordForm(
        {
            "year": 2023,
            "category": "elective",
            "amount": "8",
            "unit": "hours",
            "title": "x",
            "form": "class",
            "start_date": "2023-05-10",
            "end_date": "2023-05-10",
            "assessment_result": "pass",
            "kind": kind,
            "approved_plan": "on",
        },
        series=[],
    )

    assert form.is_valid(), form.errors
    assert form.draft().approved_plan is None


def test_recount_is_a_secondary_action(client_: Client, world: World) -> None:
    page = client_.get(reverse("credits:progress", args=[world.record.year])).content.decode()

    assert 'class="btn secondary" type="submit" data-testid="recount"' in page


# --- the home page ----------------------------------------------------------------------------


def test_home_shows_this_years_hours_per_category_and_links_to_progress(
    client_: Client, world: World
) -> None:
    year = timezone.localdate().year
    YearSummary.objects.create(
        person=world.person,
        year=year,
        public_required=Decimal(30),
        public_earned=Decimal(12),
        professional_required=Decimal(42),
        professional_earned=Decimal(8),
        elective_required=Decimal(18),
        elective_earned=Decimal(0),
    )

    response = client_.get(reverse("accounts:me"))
    page = response.content.decode()

    assert "12.0 of 30.0 hours" in page
    assert "8.0 of 42.0 hours" in page
    assert "0.0 of 18.0 hours" in page
    assert "Requirements not yet met" in page
    assert f'href="{reverse("credits:progress", args=[year])}"' in page


def test_home_without_a_summary_says_nothing_is_counted_yet(client_: Client) -> None:
    page = client_.get(reverse("accounts:me")).content.decode()

    assert "No approved hours have been counted for this year yet." in page


def test_home_alerts_returned_rejected_and_revoked_records_with_reason_and_link(
    client_: Client, world: World, other_world: World
) -> None:
    alerts = {}
    for status in ("returned", "rejected", "revoked"):
        record = record_make(world.person, world.employer, title=f"T-{status}", status=status)
        record.reviewer_reason = f"Because {status}"
        record.save()
        alerts[status] = record
    quiet = record_make(world.person, world.employer, title="T-draft", status="draft")
    theirs = record_make(
        other_world.person, other_world.employer, title="T-other", status="returned"
    )

    page = client_.get(reverse("accounts:me")).content.decode()

    for status, record in alerts.items():
        assert f'data-testid="record-alert-{record.pk}"' in page
        assert f"Because {status}" in page
        assert f'href="{reverse("credits:record_detail", args=[record.pk])}"' in page
    for record in (quiet, world.record, world.approved_record, theirs):
        assert f'data-testid="record-alert-{record.pk}"' not in page


def test_home_runs_the_same_queries_for_2_and_25_alerts(client_: Client, world: World) -> None:
    def add(n: int) -> None:
        for i in range(n):
            record_make(world.person, world.employer, title=f"R{i}-{n}", status="returned")

    def count() -> int:
        client_.get(reverse("accounts:me"))
        with CaptureQueriesContext(connection) as ctx:
            assert client_.get(reverse("accounts:me")).status_code == 200
        return len(ctx)

    add(2)
    with_2 = count()
    add(23)
    assert count() == with_2
