"""复核: an HRSS office draws a random sample of approved records and rechecks them.

* ``recheck_sample_draw`` picks records at random (``ORDER BY random()``) among the approved
  records of the employers in the office's region scope (the rule of
  ``accounts.api.reviewable_organisations``), narrowed by year, series, region and
  employer; the sample and one audit entry are written in one transaction.
* ``recheck_decide`` confirms an item, or revokes its record (reason required): the record goes
  approved → revoked with an audit entry, and the person's year summary is refreshed after
  commit.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.api import Notice, Organisation, User, audit_log, can, notice_send
from credits.models import RecheckItem, RecheckSample, Record
from credits.selectors.review import recheck_candidates
from credits.services.reviews import record_link
from credits.services.validation import summaries_refresh_later

MAX_SAMPLE_SIZE = 1_000
RECHECK_PERM = "review_records"


def _check_office(actor: User, office: Organisation) -> None:
    if office.kind != Organisation.Kind.HRSS or not can(actor, RECHECK_PERM, office):
        raise PermissionDenied(_("Only an HRSS office may recheck records."))


@transaction.atomic
def recheck_sample_draw(
    *,
    office: Organisation,
    actor: User,
    size: int,
    year: int | None = None,
    series_code: str | None = None,
    region_code: str | None = None,
    employer_id: int | None = None,
) -> RecheckSample:
    """Draw up to `size` approved records at random within `office`'s region scope.

    Checks that `actor` rechecks for `office`, an HRSS office (``review_records``)."""
    _check_office(actor, office)
    if not 1 <= size <= MAX_SAMPLE_SIZE:
        raise ValidationError(
            {"size": _("The sample size must be between 1 and %(max)d.") % {"max": MAX_SAMPLE_SIZE}}
        )
    candidates = recheck_candidates(
        office,
        year=year,
        series_code=series_code or "",
        region_code=region_code or "",
        employer_id=employer_id,
    )
    record_ids = list(candidates.order_by("?").values_list("pk", flat=True)[:size])
    if not record_ids:
        raise ValidationError(_("No approved records match these filters."))
    filters: dict[str, Any] = {
        key: value
        for key, value in (
            ("year", year),
            ("series", series_code),
            ("region", region_code),
            ("employer", employer_id),
        )
        if value
    }
    sample = RecheckSample.objects.create(
        office=office, created_by=actor, filters=filters, size=len(record_ids)
    )
    RecheckItem.objects.bulk_create(
        RecheckItem(sample=sample, record_id=pk) for pk in sorted(record_ids)
    )
    audit_log(
        actor=actor,
        action="recheck.draw",
        target=sample,
        organisation=office,
        to_state=str(len(record_ids)),
        reason=", ".join(f"{k}={v}" for k, v in filters.items()),
    )
    return sample


@transaction.atomic
def recheck_decide(
    *, office: Organisation, actor: User, item: RecheckItem, outcome: str, reason: str = ""
) -> RecheckItem:
    """Confirm the item's record, or revoke it (a reason is required to revoke).

    Checks that `actor` rechecks for `office` and that the item is in one of its samples."""
    _check_office(actor, office)
    reason = reason.strip()
    if outcome not in (RecheckItem.Outcome.CONFIRMED, RecheckItem.Outcome.REVOKED):
        raise ValidationError({"outcome": _("Choose confirm or revoke.")})
    if outcome == RecheckItem.Outcome.REVOKED and not reason:
        raise ValidationError({"reason": _("Give a reason for revoking a record.")})
    locked = RecheckItem.objects.select_for_update().select_related("sample").get(pk=item.pk)
    if locked.sample.office_id != office.pk:
        raise PermissionDenied(_("This sample belongs to another office."))
    if locked.outcome != RecheckItem.Outcome.PENDING:
        raise ValidationError(_("This record has already been rechecked."), code="decided")
    now = timezone.now()
    if outcome == RecheckItem.Outcome.REVOKED:
        record = Record.objects.select_for_update().get(pk=locked.record_id)
        if record.status != Record.Status.APPROVED:
            raise ValidationError(_("Only an approved record can be revoked."), code="not_approved")
        record.status = Record.Status.REVOKED
        record.reviewer_reason = reason
        record.decided_by = actor
        record.decided_at = now
        record.revoked_by_office = office
        record.save(
            update_fields=[
                "status",
                "reviewer_reason",
                "decided_by",
                "decided_at",
                "revoked_by_office",
                "updated_at",
            ]
        )
        audit_log(
            actor=actor,
            action="record.revoke",
            target=record,
            organisation=office,
            from_state=Record.Status.APPROVED,
            to_state=Record.Status.REVOKED,
            reason=reason,
        )
        notice_send(
            recipient_id=record.person.user_id,
            kind=Notice.Kind.RECORD_REVOKED,
            params={"title": record.title, "by": office.name, "reason": reason},
            link=record_link(record.pk),
        )
        summaries_refresh_later([(record.person_id, record.year)])
    locked.outcome = outcome
    locked.reason = reason
    locked.decided_by = actor
    locked.decided_at = now
    locked.save(update_fields=["outcome", "reason", "decided_by", "decided_at"])
    audit_log(
        actor=actor,
        action=f"recheck.{'revoke' if outcome == RecheckItem.Outcome.REVOKED else 'confirm'}",
        target=locked,
        organisation=office,
        from_state=RecheckItem.Outcome.PENDING,
        to_state=outcome,
        reason=reason,
    )
    return locked
