"""Demo sync partner for ``make run`` (called by ``seed_demo`` after the credits demo).

A knowledge-update project pushes records for the demo professional: one accepted, one
updated, one withdrawn, one rejected (a person who is not registered), and a small job
whose receipts are kept; its key is printed once, like the demo passwords, so the API can
be tried at once (``Authorization: Bearer <key>``).
"""

from __future__ import annotations

import sys
from datetime import date
from typing import Any

from django.utils import timezone

from accounts.api import Person
from partners.models import Partner, SyncJob
from partners.services.keys import partner_create
from partners.services.sync import job_chunk_process, push_inline

NAME = "广东省专业技术人才知识更新工程（演示）"


def _record(id_number: str, external_id: str, year: int, **extra: Any) -> dict[str, Any]:
    return {
        "external_id": external_id,
        "id_number": id_number,
        "year": year,
        "category": "professional",
        "series": "engineering",
        "hours": 12,
        "title": "知识更新工程高级研修班（演示）",
        "start_date": date(year, 9, 3).isoformat(),
        "end_date": date(year, 9, 4).isoformat(),
        "form": "class",
        "assessment_result": "pass",
        **extra,
    }


def demo_extra_load() -> None:
    person = Person.objects.filter(user__username="person").first()
    if person is None or Partner.objects.filter(name=NAME).exists():
        return
    issued = partner_create(
        actor=None,
        name=NAME,
        kind=Partner.Kind.KNOWLEDGE_UPDATE,
        series=["engineering", "archives"],
        categories=["professional", "elective"],
    )
    partner = issued.key.partner
    year = timezone.localdate().year - 1
    number = person.id_number
    push_inline(
        partner=partner,
        records=[
            _record(number, "ZSGX-DEMO-1", year),
            _record(number, "ZSGX-DEMO-2", year, title="数字化转型专题研修（演示）"),
            _record(number, "ZSGX-DEMO-3", year, title="撤回演示课程", hours=4),
        ],
    )
    push_inline(
        partner=partner,
        records=[
            _record(number, "ZSGX-DEMO-2", year, title="数字化转型专题研修（演示）", hours=16),
            {"external_id": "ZSGX-DEMO-3", "withdrawn": True},
            _record("110101199003077777", "ZSGX-DEMO-4", year),
        ],
    )
    job = SyncJob.objects.create(
        partner=partner,
        total=2,
        payload=[
            _record(number, "ZSGX-DEMO-5", year, title="工程伦理专题讲座（演示）", hours=3),
            _record(number, "ZSGX-DEMO-6", year, category="public", series=None),
        ],
    )
    job_chunk_process(job_id=job.pk, chunk=0)
    sys.stdout.write(
        f"Sync partner {partner.name}: API key (shown only this once) {issued.secret}\n"
    )
