"""Simplified Chinese by default, English on request, and no untranslated string left behind."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client

PO = Path(__file__).resolve().parent.parent / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


@pytest.mark.django_db
def test_pages_are_in_simplified_chinese_by_default() -> None:
    response = Client().get("/accounts/login/")
    assert response.status_code == 200
    assert 'lang="zh-hans"' in response.text
    assert "登录" in response.text


@pytest.mark.django_db
def test_english_is_available_through_the_language_switch() -> None:
    client = Client()
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    assert response.status_code == 302
    page = client.get("/accounts/login/").text
    assert 'lang="en"' in page
    assert "Log in" in page
    assert "登录" not in page


def _po_entries(text: str) -> list[tuple[str, str]]:
    """(msgid, first msgstr) pairs of a .po file, multi-line strings joined."""
    entries: list[tuple[str, str]] = []
    current: dict[str, str] = {}
    key = ""
    for line in [*text.splitlines(), ""]:
        match = re.match(r'^(msgid|msgid_plural|msgstr(?:\[0\])?) "(.*)"$', line)
        if match:
            key = match.group(1)
            current[key] = match.group(2)
        elif line.startswith('"') and key:
            current[key] += line[1:-1]
        elif not line.strip() and current:
            msgstr = current.get("msgstr", current.get("msgstr[0]", ""))
            entries.append((current.get("msgid", ""), msgstr))
            current, key = {}, ""
    return entries


def test_every_message_has_a_chinese_translation() -> None:
    text = PO.read_text(encoding="utf-8")
    assert "#, fuzzy" not in text.split("\n\n", 1)[1], "fuzzy entries are not used by Django"
    entries = _po_entries(text)
    assert len(entries) > 100
    untranslated = [msgid for msgid, msgstr in entries if msgid and not msgstr]
    assert untranslated == []
