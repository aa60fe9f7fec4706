"""The person hears of every decision that needs them: a notice per returned, rejected,
decision-changed or revoked record, written in the same transaction as the decision."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from accounts.models import Decision, Notice
from credits.models import Record
from credits.services import record_decision_change, records_review, review_job_process
from credits.services import reviews as reviews_module
from credits.services.recheck import recheck_decide
from tests.factories import World, admin_of, bind, person_create
from tests.factories import records_submitted as submitted

pytestmark = pytest.mark.django_db

ON_POSTGRESQL = connection.vendor == "postgresql"


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def record_notices(**filters: Any) -> list[Notice]:
    return list(Notice.objects.filter(kind__startswith="record_", **filters).order_by("pk"))


@pytest.fixture(params=["postgresql", "portable"])
def decide_path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run each batch test through both ways of deciding: the set-based SQL of PostgreSQL and
    the ORM path SQLite uses (forced here on PostgreSQL)."""
    if request.param == "postgresql":
        if not ON_POSTGRESQL:
            pytest.skip("the set-based path runs on PostgreSQL only")
    else:
        monkeypatch.setattr(reviews_module, "_decide_postgresql", reviews_module._decide_portable)
    return str(request.param)


@pytest.mark.parametrize(
    ("decision", "kind"),
    [(Decision.RETURN, "record_returned"), (Decision.REJECT, "record_rejected")],
)
def test_batch_review_sends_each_person_one_notice_per_record(
    world: World, decide_path: str, decision: str, kind: str
) -> None:
    other = person_create()
    bind(other, world.employer)  # an employer decides only for the staff bound to it now
    mine = submitted(world.person, world.employer, 3)
    theirs = submitted(other, world.employer, 2)

    records_review(
        reviewer=admin_of(world.employer),
        employer=world.employer,
        record_ids=[r.pk for r in mine + theirs],
        decision=decision,
        reason="Attach the certificate",
    )

    notices = record_notices()
    assert len(notices) == 5
    by_link = {n.link: n for n in notices}
    for record, person in [(r, world.person) for r in mine] + [(r, other) for r in theirs]:
        notice = by_link[reverse("credits:record_detail", args=[record.pk])]
        assert notice.recipient_id == person.user_id
        assert notice.kind == kind
        assert notice.read_at is None
        assert notice.params == {
            "title": record.title,
            "by": world.employer.name,
            "reason": "Attach the certificate",
        }
        assert record.title in notice.text and "Attach the certificate" in notice.text


def test_approving_sends_no_notice(world: World, decide_path: str) -> None:
    records = submitted(world.person, world.employer, 2)

    records_review(
        reviewer=admin_of(world.employer),
        employer=world.employer,
        record_ids=[r.pk for r in records],
        decision=Decision.APPROVE,
    )

    assert record_notices() == []


def test_skipped_records_get_no_notice(world: World, other_world: World, decide_path: str) -> None:
    theirs = submitted(other_world.person, other_world.employer, 2)

    result = records_review(
        reviewer=admin_of(world.employer),
        employer=world.employer,
        record_ids=[r.pk for r in theirs],
        decision=Decision.RETURN,
        reason="No",
    )

    assert result.decided == 0
    assert record_notices() == []


@pytest.mark.skipif(not ON_POSTGRESQL, reason="the set-based path runs on PostgreSQL only")
def test_batch_notices_take_one_statement_whatever_the_batch_size(world: World) -> None:
    reviewer = admin_of(world.employer)

    def statements(count: int) -> int:
        records = submitted(world.person, world.employer, count)
        with CaptureQueriesContext(connection) as ctx:
            records_review(
                reviewer=reviewer,
                employer=world.employer,
                record_ids=[r.pk for r in records],
                decision=Decision.RETURN,
                reason="Fix it",
            )
        return len(ctx.captured_queries)

    assert statements(2) == statements(300)
    assert len(record_notices()) == 302


def test_background_review_job_sends_the_notices(world: World) -> None:
    from credits.models import ReviewJob

    records = submitted(world.person, world.employer, 3)
    job = ReviewJob.objects.create(
        employer_id=world.employer.pk,
        requested_by=admin_of(world.employer),
        decision=Decision.REJECT,
        reason="Duplicate",
        record_ids=[r.pk for r in records],
        total=3,
    )

    review_job_process(job=job)

    assert len(record_notices(recipient=world.person.user, kind="record_rejected")) == 3


def test_decision_change_sends_a_notice(world: World) -> None:
    record_decision_change(
        reviewer=admin_of(world.employer),
        employer=world.employer,
        record=world.approved_record,
        reason="The class never took place",
    )

    (notice,) = record_notices()
    assert notice.recipient_id == world.person.user_id
    assert notice.kind == "record_decision_changed"
    assert notice.link == reverse("credits:record_detail", args=[world.approved_record.pk])
    assert "The class never took place" in notice.text
    assert world.employer.name in notice.text


def test_revoking_on_recheck_sends_a_notice_and_confirming_does_not(
    world: World, other_world: World
) -> None:
    recheck_decide(
        office=other_world.hrss,
        actor=admin_of(other_world.hrss),
        item=other_world.recheck_item,
        outcome="confirmed",
    )
    assert record_notices() == []

    recheck_decide(
        office=world.hrss,
        actor=admin_of(world.hrss),
        item=world.recheck_item,
        outcome="revoked",
        reason="No attendance list",
    )

    (notice,) = record_notices()
    assert (notice.recipient_id, notice.kind) == (world.person.user_id, "record_revoked")
    assert notice.params["by"] == world.hrss.name
    assert notice.link == reverse("credits:record_detail", args=[world.approved_record.pk])


def test_notice_is_rolled_back_with_a_failed_decision(world: World) -> None:
    from django.core.exceptions import ValidationError

    world.approved_record.status = Record.Status.SUBMITTED
    world.approved_record.save()
    with pytest.raises(ValidationError):
        record_decision_change(
            reviewer=admin_of(world.employer),
            employer=world.employer,
            record=world.approved_record,
            reason="Too late",
        )

    assert record_notices() == []


def test_notice_text_is_translated_when_shown(world: World) -> None:
    records = submitted(world.person, world.employer, 1)
    records_review(
        reviewer=admin_of(world.employer),
        employer=world.employer,
        record_ids=[records[0].pk],
        decision=Decision.RETURN,
        reason="缺少证书",
    )
    (notice,) = record_notices()

    assert notice.text.startswith("Your record")
    with translation.override("zh-hans"):
        assert "退回" in notice.text and "缺少证书" in notice.text
