"""`make run`'s demo sync partner (partners/demo.py): its pushes are tallied for HRSS's
dashboard (a rejection reason) and its printed key reads the changes feed."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from credits.models import Record
from partners.demo import NAME as DEMO_PARTNER
from partners.models import Partner, PushRejection


@pytest.mark.django_db
def test_seed_demo_registers_a_partner_whose_key_reads_the_feed(capsys: Any) -> None:
    call_command("seed_demo")
    printed = capsys.readouterr().out
    partner = Partner.objects.get(name=DEMO_PARTNER)
    line = next(line for line in printed.splitlines() if DEMO_PARTNER in line)
    secret = line.rsplit(" ", 1)[1]
    records = Record.objects.filter(external_source=partner.sync_source)
    assert ("ZSGX-DEMO-3", "withdrawn") in set(records.values_list("external_id", "status"))
    assert records.filter(status="approved").count() >= 2
    assert PushRejection.objects.filter(partner=partner).exists()
    response = Client().get("/api/v1/sync/records", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 200  # (the feed serves committed changes only)
