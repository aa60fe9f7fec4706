"""`make run`'s demo partner: pushes with every outcome, a finished job, its key printed."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.management import call_command

from credits.models import Record
from partners.models import SyncJob, SyncReceipt
from partners.services.keys import key_find, key_usable


@pytest.mark.django_db
def test_seed_demo_registers_a_partner_that_pushed_records(capsys: Any) -> None:
    call_command("seed_demo")
    printed = capsys.readouterr().out
    match = re.search(r"API key \(shown only this once\) (cep_\S+)", printed)
    assert match is not None
    key = key_find(match[1])
    assert key is not None and key_usable(key)
    pushed = Record.objects.filter(external_source=key.partner.sync_source)
    assert dict(pushed.values_list("external_id", "status")) == {
        "ZSGX-DEMO-1": "approved",
        "ZSGX-DEMO-2": "approved",
        "ZSGX-DEMO-3": "withdrawn",
        "ZSGX-DEMO-5": "approved",
    }
    assert pushed.get(external_id="ZSGX-DEMO-2").hours == 16
    job = SyncJob.objects.get(partner=key.partner)
    assert (job.status, job.accepted, job.rejected) == ("done", 1, 1)
    assert SyncReceipt.objects.filter(job=job).count() == 2
