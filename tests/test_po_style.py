"""One register and one unit throughout the Chinese translation, and words with two senses
kept apart by context (pgettext)."""

from __future__ import annotations

import re

from tests.test_i18n import PO

# Clock hours, not CE hours: an activity converted per hour of online study, the 24-hour day.
CLOCK_HOUR_MSGIDS = {
    "per hour",
    "online study hours",
    "%(name)s: %(hours)s credits an hour",
    "Days or hours, as the activity's unit; below it the activity counts 0.",
    "For an activity of the accounting credit table (a conference, an exam, a paper, "
    "face-to-face training, online platform study…): the amount is then its number of "
    "items, days or hours, and the category and series follow the activity. For an exam, "
    "the end date is the day the results were published.",
    "%(hours)s hours is more than 24 hours a day over %(days)d day(s) (at most %(limit)s).",
    "Too many password reset requests from your network. Please try again in an hour.",
    "Too many registration attempts came from your network. Try again in an hour.",
}
CE_HOUR = re.compile(r"(?:\d|\)[sd]) h\b|\bh short\b")


def _entries() -> list[tuple[str, str, str]]:
    """(msgctxt, msgid, msgstr) of every entry, multi-line strings joined."""
    entries = []
    for block in PO.read_text(encoding="utf-8").split("\n\n"):
        fields: dict[str, str] = {}
        key = ""
        for line in block.splitlines():
            match = re.match(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[0\])?) "(.*)"$', line)
            if match:
                key = match.group(1)
                fields[key] = match.group(2)
            elif line.startswith('"') and key:
                fields[key] += line[1:-1]
        if fields.get("msgid"):
            msgstr = fields.get("msgstr", fields.get("msgstr[0]", ""))
            entries.append((fields.get("msgctxt", ""), fields["msgid"], msgstr))
    return entries


def test_the_translation_addresses_the_user_as_nin_never_ni() -> None:
    informal = [msgid for _c, msgid, msgstr in _entries() if "你" in msgstr.replace("您", "")]
    assert informal == []


def test_ce_hours_are_xueshi() -> None:
    wrong = [
        (msgid, msgstr)
        for _c, msgid, msgstr in _entries()
        if CE_HOUR.search(msgid) and "学时" not in msgstr
    ]
    assert wrong == []


def test_xiaoshi_only_for_clock_hours() -> None:
    wrong = [
        msgid
        for _c, msgid, msgstr in _entries()
        if "小时" in msgstr and msgid not in CLOCK_HOUR_MSGIDS
    ]
    assert wrong == []


def test_xuefen_only_where_an_accounting_credit_is_meant() -> None:
    # "credit code" (统一社会信用代码) is not a credit.
    wrong = [
        msgid
        for _c, msgid, msgstr in _entries()
        if "学分" in msgstr and not re.search(r"\bcredits?\b(?! code)", msgid, re.I)
    ]
    assert wrong == []


def test_words_with_two_senses_have_two_translations() -> None:
    by_key = {(c, msgid): msgstr for c, msgid, msgstr in _entries()}
    assert by_key[("membership role", "Staff")] == "工作人员"
    assert by_key[("the employer's staff list", "Staff")] == "本单位人员"
    assert by_key[("assessment result", "Failed")] == "不合格"
    assert by_key[("job status", "Failed")] == "失败"
    assert by_key[("date of confirmation", "Confirmed")] != by_key[("", "Confirmed")]
    assert by_key[("background job", "Progress")] != by_key[("", "Progress")]
