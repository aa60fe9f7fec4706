"""Every audit action code written anywhere has a sentence; pages show sentences, not codes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from accounts import audit
from accounts.models import AuditEntry, Decision
from tests.factories import World, admin_of

ROOT = Path(settings.BASE_DIR)
APPS = ("accounts", "credits", "courses", "certificates", "partners", "portal")

# Codes built with an f-string, and every value the placeholder can take.
DYNAMIC_CODES: dict[str, list[str]] = {
    'f"organisation.{decision}"': [f"organisation.{d}" for d in Decision.values],
    'f"employment.{decision}"': [f"employment.{d}" for d in Decision.values],
    'f"plan.{decision}"': [f"plan.{d}" for d in Decision.values],
    'f"record.{checked.value}"': [f"record.{d}" for d in Decision.values],
    "f\"recheck.{'revoke' if outcome == RecheckItem.Outcome.REVOKED else 'confirm'}\"": [
        "recheck.revoke",
        "recheck.confirm",
    ],
    "f\"membership.invitation_{'accept' if accept else 'decline'}\"": [
        "membership.invitation_accept",
        "membership.invitation_decline",
    ],
}

ACTION = re.compile(r"""\baction=(f?"[^"\n]*")""")


def _source_files() -> list[Path]:
    files = []
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "tests" not in path.parts and "migrations" not in path.parts:
                files.append(path)
    return files


def _action_codes() -> set[str]:
    codes: set[str] = set()
    for path in _source_files():
        for literal in ACTION.findall(path.read_text(encoding="utf-8")):
            if literal.startswith("f"):
                assert literal in DYNAMIC_CODES, (
                    f"{path}: list the values of {literal} in DYNAMIC_CODES"
                )
                codes.update(DYNAMIC_CODES[literal])
            else:
                codes.add(literal.strip('"'))
    return codes


def test_the_source_scan_finds_the_known_actions() -> None:
    codes = _action_codes()
    assert {"record.submit", "person.register", "employment.end", "record.approve"} <= codes


def test_every_action_code_in_the_code_base_has_a_sentence() -> None:
    missing = sorted(_action_codes() - set(audit.ACTIONS))
    assert missing == [], f"audit actions without a sentence in the registry: {missing}"


def test_every_sentence_names_only_actor_and_target() -> None:
    for code, template in audit.ACTIONS.items():
        assert str(template) % {"actor": "A", "target": "T"}, code
        with translation.override("zh-hans"):
            assert str(template) % {"actor": "A", "target": "T"}, code


@pytest.mark.django_db
def test_a_record_entry_reads_as_a_chinese_sentence_with_the_title(world: World) -> None:
    actor = admin_of(world.employer)
    entry = AuditEntry.objects.create(
        actor=actor,
        action="record.submit",
        target_type="credits.record",
        target_id=str(world.record.pk),
        to_state="submitted",
    )
    with translation.override("zh-hans"):
        (row,) = audit.readable([entry])
    assert row.sentence == (f"{actor.username} 提交了继续教育记录“{world.record.title}”，等待审核")
    assert row.to_state == "待审核"


@pytest.mark.django_db
def test_a_target_without_a_label_reads_as_noun_and_number(world: World) -> None:
    entry = AuditEntry.objects.create(
        actor=None, action="record.submit", target_type="credits.record", target_id="999999"
    )
    with translation.override("zh-hans"):
        (row,) = audit.readable([entry])
    assert row.sentence == "系统 提交了继续教育记录（编号 999999），等待审核"


@pytest.mark.django_db
def test_audit_log_page_shows_sentences_not_codes(world: World) -> None:
    client = Client()
    client.force_login(admin_of(world.employer))
    response = client.get(
        reverse("accounts:audit_log", kwargs={"organisation_id": world.employer.pk})
    )
    html = response.content.decode()
    assert "employment.approve" not in html
    assert "accounts.employment" not in html
    assert f"确认了单位人员“{world.person.real_name}”的绑定" in html


@pytest.mark.django_db
def test_application_history_shows_sentences_not_codes(world: World) -> None:
    client = Client()
    client.force_login(admin_of(world.hrss))
    url = reverse(
        "accounts:application_detail",
        kwargs={"organisation_id": world.hrss.pk, "application_id": world.pending_employer.pk},
    )
    html = client.get(url).content.decode()
    assert "organisation.register" not in html
    assert "的注册申请" in html


def test_every_security_event_has_a_sentence() -> None:
    """Security events are written with `action=event.value`, which the source scan cannot see."""
    from accounts.audit import ACTIONS
    from accounts.models import SecurityEvent

    assert [event for event in SecurityEvent.values if event not in ACTIONS] == []


def test_a_readable_entry_lists_whole_old_and_new_values() -> None:
    from accounts.audit import ReadableEntry
    from accounts.models import AuditEntry

    entry = AuditEntry(
        action="person.series",
        changes={"series": [["accounting", "engineering"], ["archives"]], "phone": ["", "139"]},
    )
    readable = ReadableEntry(entry=entry, sentence="", from_state="", to_state="")
    assert readable.changes == "series: accounting, engineering → archives; phone: — → 139"
