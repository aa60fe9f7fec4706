"""The rules engine's notes and messages in the user's language (the Django side).

The engine (``credits.rules``) stays pure: it writes ``Message`` objects, English text that
keeps its msgid and parameters. Here the msgid is translated and the parameters that are
codes (series, categories, schemes, activities) become their translated names.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from credits.models import Record
from credits.rules.messages import Message

# The seeded accounting activities (credits.rules.defaults.ACTIVITY_CONVERSIONS).
ACTIVITY_LABELS: Mapping[str, Any] = {
    "accounting_exam_pass": _("passing an accounting qualification exam"),
    "degree_graduation": _("graduating with a degree"),
    "cpa_continuing_education": _("CPA continuing education"),
    "related_exam_pass": _("passing a related qualification exam"),
    "degree_course_pass": _("passing a degree course"),
    "research_lead": _("leading a research project"),
    "research_member": _("taking part in a research project"),
    "paper_first_author": _("paper as first author"),
    "paper_other_author": _("paper as co-author"),
    "book_first_author": _("book as first author"),
    "book_other_author": _("book as co-author"),
    "conference_day": _("conference days"),
    "inhouse_training_day": _("in-house training days"),
    "online_hour": _("online study hours"),
    "in_school_exemption": _("studying an accounting degree in school"),
}

# The seeded schemes (credits/migrations/0002_seed_rules.py stores English names as data);
# a scheme added later shows its stored name.
SCHEME_LABELS: Mapping[str, Any] = {
    "general_legacy": _("general scheme 2010–2020"),
    "general_2021": _("general scheme from 2021"),
    "accounting_2018": _("accounting scheme from July 2018"),
    "archives_2019": _("archives scheme from 2019"),
}

SERIES_KEYS = frozenset({"series"})
SERIES_LIST_KEYS = frozenset({"held", "excluded"})
CATEGORY_KEYS = frozenset({"category", "declared"})


@dataclass(frozen=True)
class Names:
    """Display names for the codes a message may carry."""

    series: Mapping[str, str] = field(default_factory=dict)
    schemes: Mapping[str, str] = field(default_factory=dict)


def _category(code: str) -> str:
    try:
        return str(Record.Category(code).label)
    except ValueError:
        return code


def _param(key: str, value: Any, names: Names) -> Any:
    if isinstance(value, Message):
        return render(value, names)
    if key in SERIES_LIST_KEYS and isinstance(value, tuple):
        return "、".join(names.series.get(code, code) for code in value)
    if key in SERIES_KEYS and isinstance(value, str):
        return names.series.get(value, value)
    if key in CATEGORY_KEYS and isinstance(value, str):
        return _category(value)
    if key == "index" and isinstance(value, int):
        return value + 1  # the engine counts records from 0, people from 1
    if key == "scheme" and isinstance(value, str):
        label = SCHEME_LABELS.get(value)
        return str(label) if label is not None else names.schemes.get(value, value)
    if key == "activity" and isinstance(value, str):
        label = ACTIVITY_LABELS.get(value)
        return str(label) if label is not None else value
    return value


def render(message: str, names: Names | None = None) -> str:
    """``message`` translated; plain strings pass through unchanged."""
    if not isinstance(message, Message):
        return str(message)
    names = names or Names()
    if not message.params:
        return gettext(message.msgid)
    params = {key: _param(key, value, names) for key, value in message.params.items()}
    return gettext(message.msgid) % params


def render_all(messages: tuple[str, ...] | list[str], names: Names | None = None) -> list[str]:
    return [render(m, names) for m in messages]
