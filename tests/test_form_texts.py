"""Form texts defined on a class are translated when shown, not when the module is imported.

A translated text formatted at import (``_("… %(max)d …") % {...}`` on a class attribute) is
a plain string frozen in the language the process started in: an English page then shows a
Chinese help text. Every label and help text of every form class must stay lazy
(``gettext_lazy``, or ``portal.forms.percent_lazy`` to fill placeholders).
"""

from __future__ import annotations

import importlib
import pkgutil

from django import forms
from django.utils.functional import Promise

APPS = ("accounts", "credits", "certificates", "courses", "portal")


def _form_classes() -> set[type[forms.BaseForm]]:
    for app in APPS:
        package = importlib.import_module(app)
        for info in pkgutil.walk_packages(package.__path__, f"{app}."):
            if ".tests" in info.name or ".migrations" in info.name:
                continue
            if info.name.rsplit(".", 1)[-1].startswith(("forms", "views")) or ".forms." in (
                info.name + "."
            ):
                importlib.import_module(info.name)
    found: set[type[forms.BaseForm]] = set()
    pending: list[type] = [forms.BaseForm]
    while pending:
        cls = pending.pop()
        sub: type
        for sub in cls.__subclasses__():
            pending.append(sub)
            if sub.__module__.split(".")[0] in APPS:
                found.add(sub)
    return found


def test_form_labels_and_help_texts_stay_lazy() -> None:
    frozen = []
    for form_class in _form_classes():
        for name, field in getattr(form_class, "base_fields", {}).items():
            for attribute in ("label", "help_text"):
                value = getattr(field, attribute)
                if value and not isinstance(value, Promise):
                    frozen.append(
                        f"{form_class.__module__}.{form_class.__name__}.{name}.{attribute}"
                    )
    assert len(_form_classes()) > 10
    assert frozen == []
