"""Helpers of the reading side's tests: a partner with a key, and pushes through credits."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from accounts.api import Person
from credits import api as credits_api
from partners.models import Partner
from partners.services.keys import partner_create


def partner_with_key(
    name: str = "华医网", *, series: tuple[str, ...] = ("engineering", "health")
) -> tuple[Partner, str]:
    """A partner allowed every category of ``series``, and its key's secret."""
    issued = partner_create(
        actor=None,
        name=name,
        kind=Partner.Kind.EDUCATION,
        series=series,
        categories=["public", "professional", "elective"],
    )
    return issued.key.partner, issued.secret


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def push(
    partner: Partner, person: Person, *external_ids: str, hours: int = 8, withdrawn: bool = False
) -> list[credits_api.PartnerReceipt]:
    """Push one professional record (this year, engineering) per external id."""
    year = timezone.localdate().year
    day = dt.date(year, 1, 5)
    pushes = [
        credits_api.PartnerPush(
            external_id=external_id,
            id_number=person.id_number,
            draft=None
            if withdrawn
            else credits_api.RecordDraft(
                year=year,
                category="professional",
                series_code="engineering",
                amount=Decimal(hours),
                title=f"工程继续教育 {external_id}",
                form="online",
                start_date=day,
                end_date=day,
            ),
            withdrawn=withdrawn,
        )
        for external_id in external_ids
    ]
    receipts = credits_api.partner_records_push(
        source=partner.sync_source,
        sender=partner.name,
        pushes=pushes,
        series_scope=list(partner.series.values_list("code", flat=True)),
        category_scope=partner.categories,
    )
    assert all(r.outcome != "rejected" for r in receipts), receipts
    return receipts
