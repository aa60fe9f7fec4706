"""The rules engine's notes and messages reach the user in Chinese, codes as names."""

from __future__ import annotations

import ast
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from credits import explain
from credits.models import Record
from credits.rules import (
    EvaluationInput,
    EvaluationResult,
    RecordInput,
    defaults,
    evaluate,
)
from credits.rules.messages import Message
from tests.factories import World, record_make

RULES_DIR = Path(explain.__file__).parent / "rules"
NAMES = explain.Names(series={"engineering": "工程", "accounting": "会计"})


def _result(*records: RecordInput, series: tuple[str, ...] = ("engineering",)) -> EvaluationResult:
    return evaluate(
        EvaluationInput(year=2023, series=series, records=records),
        defaults.rulebook(),
        today=date(2024, 1, 1),
    )


def test_the_rules_engine_imports_no_django() -> None:
    for path in RULES_DIR.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                assert not any(a.name.startswith("django") for a in node.names), path
            if isinstance(node, ast.ImportFrom):
                assert not (node.module or "").startswith("django"), path


def test_notes_stay_english_text_but_carry_msgid_and_params() -> None:
    (outcome,) = _result(RecordInput(category="public", days=Decimal(2))).records
    (note,) = outcome.notes
    assert note == "converted 2 days x 8 h = 16 h"
    assert isinstance(note, Message)
    assert note.msgid == "converted %(days)s days x %(per_day)s h = %(hours)s h"
    assert note.params == {"days": "2", "per_day": "8", "hours": "16"}


def test_notes_are_translated_at_display_time() -> None:
    (outcome,) = _result(RecordInput(category="public", days=Decimal(2))).records
    with translation.override("zh-hans"):
        assert explain.render(outcome.notes[0], NAMES) == "折算：2天 × 每天8学时 = 16学时"


def test_codes_in_notes_become_translated_names() -> None:
    record = RecordInput(
        category="professional", series="engineering", kind="degree_study", hours=Decimal(10)
    )
    (outcome,) = _result(record).records
    with translation.override("zh-hans"):
        text = explain.render(outcome.notes[0], NAMES)
    assert text == "计为选修科目，而非申报的专业科目：学历教育"


def test_year_messages_name_the_scheme_and_series() -> None:
    result = _result()
    with translation.override("zh-hans"):
        texts = explain.render_all(result.messages, NAMES)
    assert (
        texts[0]
        == "工程：适用通用方案（2021年起）（公需科目30学时，专业科目42学时，选修科目18学时）"
    )
    assert "general_2021" not in " ".join(texts)
    assert texts[-1] == "2023年尚未完成学时要求"


def test_whole_year_message_counts_records_from_one() -> None:
    record = RecordInput(category="professional", activity="accounting_exam_pass")
    result = _result(record, series=("accounting",))
    with translation.override("zh-hans"):
        texts = explain.render_all(result.messages, NAMES)
    assert "会计：第1条记录已满足全年学时要求" in texts


def test_engine_errors_are_translated() -> None:
    with pytest.raises(Exception) as caught:
        _result(RecordInput(category="public"))
    (message,) = caught.value.errors["records[0]"]  # type: ignore[attr-defined]
    with translation.override("zh-hans"):
        assert explain.render(message) == "学时、天数、分钟数或活动须填写其中一项"


@pytest.mark.django_db
def test_progress_page_shows_rules_in_chinese(world: World) -> None:
    degree = record_make(world.person, None, title="MSc", status="approved", hours=12, year=2024)
    Record.objects.filter(pk=degree.pk).update(kind="degree_study")
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(world.person.user)
    page = client.get(reverse("credits:progress", args=[2024])).content.decode()
    assert "计为选修科目，而非申报的专业科目：学历教育" in page
    assert "适用通用方案（2021年起）" in page
    assert "general_2021" not in page
    assert "scheme " not in page
