"""Demo sync partner for ``make run`` (called by ``seed_demo`` after the credits demo).

A health-education platform registered by HRSS pushed records of the demo professional: two
count, one was withdrawn, and one push named an unknown person (so HRSS's dashboard has a
rejection reason). Its API key is printed once, next to the logins, so the feed can be read:
``curl -H "Authorization: Bearer <key>" http://127.0.0.1:8000/api/v1/sync/records``.
"""

from __future__ import annotations

import sys

from django.db import transaction
from django.utils import timezone

from accounts.api import Person
from partners.models import Partner
from partners.services.keys import partner_create
from partners.services.payload import records_read
from partners.services.sync import push_inline

DEMO_PARTNER = "广东省专业技术人员继续教育在线学习平台（演示）"


def _record(external_id: str, id_number: str, title: str, month: int) -> dict[str, object]:
    year = timezone.localdate().year
    day = f"{year}-{month:02d}-15"
    return {
        "external_id": external_id,
        "id_number": id_number,
        "year": year,
        "category": "professional",
        "series": "engineering",
        "hours": 6,
        "title": title,
        "start_date": day,
        "end_date": day,
        "form": "online",
    }


@transaction.atomic
def demo_extra_load() -> None:
    person = Person.objects.filter(user__username="person").first()
    if person is None or Partner.objects.filter(name=DEMO_PARTNER).exists():
        return
    issued = partner_create(
        actor=None,
        name=DEMO_PARTNER,
        kind=Partner.Kind.EDUCATION,
        series=["engineering"],
        categories=["public", "professional", "elective"],
    )
    partner = issued.key.partner
    month = min(timezone.localdate().month, 3)
    pushed = [
        _record("DEMO-001", person.id_number, "装配式建筑施工技术（在线）", month),
        _record("DEMO-002", person.id_number, "工程项目安全管理（在线）", month),
        _record("DEMO-003", person.id_number, "建筑信息模型应用（在线）", month),
        _record("DEMO-004", "440105199001011231", "绿色建筑评价标准（在线）", month),
    ]
    push_inline(partner=partner, records=records_read({"records": pushed}, max_records=10))
    push_inline(
        partner=partner,
        records=records_read(
            {"records": [{"external_id": "DEMO-003", "withdrawn": True}]}, max_records=10
        ),
    )
    sys.stdout.write(
        f"Demo sync partner {DEMO_PARTNER}: API key (shown only this once) {issued.secret}\n"
        "  Its records: /api/v1/sync/records (Authorization: Bearer <key>); docs: /api/v1/docs/\n"
    )
