"""Registering partners and managing their keys: the commands, the admin site, the services
(hashed keys shown once, rotation grace, revocation) and their audit entries."""

from __future__ import annotations

import hashlib
import io
import json
import re
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEntry
from partners.models import Partner, PartnerKey
from partners.services.keys import key_find, key_revoke, key_rotate, key_usable, partner_create
from partners.tests.conftest import URL, record
from tests.factories import person_create

pytestmark = pytest.mark.django_db


def run(*args: str) -> list[str]:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue().strip().splitlines()


def test_partner_create_prints_the_key_once_on_its_last_line() -> None:
    lines = run(
        "partner_create",
        "华医网",
        "--kind",
        "health",
        "--series",
        "health",
        "--categories",
        "professional,elective",
    )
    key = lines[-1]
    assert re.fullmatch(r"cep_[A-Za-z0-9_-]{43}", key)
    partner = Partner.objects.get(name="华医网")
    assert (partner.kind, partner.categories) == ("health", ["professional", "elective"])
    assert list(partner.series.values_list("code", flat=True)) == ["health"]
    stored = PartnerKey.objects.get(partner=partner)
    # Stored hashed: the key itself is nowhere in the database row.
    assert stored.hashed == hashlib.sha256(key.encode()).hexdigest()
    assert stored.prefix == key[:12] and key not in str(stored.__dict__)
    # The key works.
    nurse = person_create(series=("health",))
    response = Client().post(
        URL,
        data=json.dumps({"records": [record(nurse, "a")]}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {key}"},
    )
    assert response.status_code == 200
    actions = set(
        AuditEntry.objects.filter(target_type="partners.partner").values_list("action", flat=True)
    )
    assert actions == {"partner.create", "partner.key_create"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--kind", "health", "--series", "nope"], "Unknown series|未知的专业系列"),
        (["--kind", "health", "--categories", "fun"], "Unknown categories|未知的科目类别"),
    ],
)
def test_partner_create_refuses_bad_scopes(args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        run("partner_create", "P", *args)
    assert not Partner.objects.exists()


def test_partner_key_rotate_and_revoke(settings: Any) -> None:
    settings.PARTNER_KEY_ROTATION_GRACE = 3600
    old_secret = run("partner_create", "P", "--kind", "education", "--series", "education")[-1]
    old = PartnerKey.objects.get()
    new_secret = run("partner_key", "rotate", old.prefix)[-1]
    assert new_secret != old_secret and new_secret.startswith("cep_")
    old.refresh_from_db()
    assert old.expires_at is not None
    assert timedelta(minutes=59) < old.expires_at - timezone.now() <= timedelta(hours=1)
    for secret in (old_secret, new_secret):
        key = key_find(secret)
        assert key is not None and key_usable(key)
    listing = run("partner_key", "list", "P")
    assert len(listing) == 2 and "ends" in listing[0]
    run("partner_key", "revoke", old.prefix)
    key = key_find(old_secret)
    assert key is not None and not key_usable(key)
    with pytest.raises(CommandError, match=r"revoked or expired|已吊销或已过期"):
        run("partner_key", "rotate", old.prefix)
    extra = run("partner_key", "create", "P")[-1]
    assert key_find(extra) is not None
    actions = list(
        AuditEntry.objects.filter(target_type="partners.partner")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == [
        "partner.create",
        "partner.key_create",
        "partner.key_rotate",
        "partner.key_revoke",
        "partner.key_create",
    ]


def test_a_key_is_found_only_with_its_whole_secret() -> None:
    issued = partner_create(actor=None, name="P", kind="health", series=[], categories=[])
    assert key_find(issued.secret) == issued.key
    assert key_find(issued.secret[:-1] + ("A" if issued.secret[-1] != "A" else "B")) is None
    assert key_find(issued.key.prefix) is None
    assert key_find("") is None


def test_rotation_never_extends_a_key_ending_sooner(settings: Any) -> None:
    settings.PARTNER_KEY_ROTATION_GRACE = 7 * 24 * 3600
    issued = partner_create(actor=None, name="P", kind="health", series=[], categories=[])
    soon = timezone.now() + timedelta(hours=1)
    PartnerKey.objects.filter(pk=issued.key.pk).update(expires_at=soon)
    key_rotate(actor=None, key=issued.key)
    issued.key.refresh_from_db()
    assert issued.key.expires_at == soon
    key_revoke(actor=None, key=issued.key)
    assert not PartnerKey.objects.get(pk=issued.key.pk).is_valid()


@pytest.fixture
def superuser_client() -> Client:
    user = get_user_model().objects.create_superuser("hrss-admin", "a@example.com", "x" * 12)
    client = Client()
    client.force_login(user)
    return client


def test_hrss_registers_a_partner_in_the_admin_site_and_sees_the_key_once(
    superuser_client: Client,
) -> None:
    from accounts.models import ProfessionalSeries

    health = ProfessionalSeries.objects.get(code="health")
    response = superuser_client.post(
        reverse("admin:partners_partner_add"),
        {
            "name": "华医网",
            "kind": "health",
            "series": [health.pk],
            "categories": ["professional"],
            "active": "on",
        },
        follow=True,
    )
    assert response.status_code == 200
    shown = [str(m) for m in response.context["messages"]]
    keys = [m.split(": ")[-1] for m in shown if "cep_" in m]
    assert len(keys) == 1, (shown, response.context.get("errors"))
    partner = Partner.objects.get(name="华医网")
    assert list(partner.series.all()) == [health] and partner.categories == ["professional"]
    found = key_find(keys[0])
    assert found is not None and found.partner == partner
    assert AuditEntry.objects.filter(action="partner.create", target_id=str(partner.pk)).exists()
    # The change page never shows the key again.
    page = superuser_client.get(reverse("admin:partners_partner_change", args=[partner.pk]))
    assert keys[0] not in page.content.decode()

    # Revoking from the key list.
    response = superuser_client.post(
        reverse("admin:partners_partnerkey_changelist"),
        {"action": "revoke", "_selected_action": [found.pk]},
        follow=True,
    )
    assert response.status_code == 200
    found.refresh_from_db()
    assert found.revoked_at is not None

    # Deactivating is audited with the change.
    superuser_client.post(
        reverse("admin:partners_partner_change", args=[partner.pk]),
        {"series": [health.pk], "categories": ["professional"]},
    )
    partner.refresh_from_db()
    assert not partner.active
    entry = AuditEntry.objects.get(action="partner.update", target_id=str(partner.pk))
    assert (entry.from_state, entry.to_state) == ("active", "inactive")
