"""Translatable engine messages without Django.

The engine stays pure (no Django import), yet every note and message it writes can be shown
in Chinese: a ``Message`` is the English text (a ``str``, so the JSON API, logs and tests see
plain English) that also remembers its msgid and named parameters. The Django layer
(``credits.explain``) translates the msgid with ``gettext`` and fills in translated
parameters (series names, categories) at display time.

``gettext_noop`` marks the msgids: ``makemessages`` already extracts calls of that name, so
no extra ``--keyword`` is needed (see locale/README.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def gettext_noop(msgid: str) -> str:
    """Mark ``msgid`` for extraction; translation happens later, in the Django layer."""
    return msgid


class Message(str):
    """English text that keeps its msgid and parameters (``msgid % params`` == ``self``).

    Parameter values are ``str`` or numbers, nested ``Message`` objects, or tuples of codes
    (series), which English joins with ", ".
    """

    msgid: str
    params: Mapping[str, Any]

    def __new__(cls, msgid: str, **params: Any) -> Message:
        text = msgid % {k: _english(v) for k, v in params.items()} if params else msgid
        obj = super().__new__(cls, text)
        obj.msgid = msgid
        obj.params = params
        return obj

    def __getnewargs__(self) -> tuple[str]:  # pickling keeps the text; state restores the rest
        return (str(self),)


def _english(value: Any) -> Any:
    if isinstance(value, tuple):
        return ", ".join(str(v) for v in value)
    return value
