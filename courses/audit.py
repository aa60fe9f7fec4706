"""Sentences and nouns for the audit entries courses writes (registered in apps.ready).
Each part of issue 9 keeps its own block."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from accounts.api import TargetType, register_actions, register_target
from courses.models import Enrolment, TrainingClass


def register() -> None:
    # --- classes and enrolment (s4-classes) ---
    register_actions(
        {
            "class.status": _("%(actor)s changed the state of %(target)s"),
            "class.close": _(
                "%(actor)s closed %(target)s: its passed learners' hours go to review"
            ),
            "enrolment.create": _("%(actor)s enrolled: %(target)s"),
            "enrolment.accept": _("%(actor)s accepted %(target)s"),
            "enrolment.cancel": _("%(actor)s cancelled %(target)s"),
            "enrolment.withdraw": _("%(actor)s withdrew from the class: %(target)s"),
            "enrolment.result": _("%(actor)s recorded the result of %(target)s"),
        }
    )
    register_target(
        "courses.trainingclass",
        TargetType(_("class"), "name", dict(TrainingClass.Status.choices)),
    )
    register_target(
        "courses.enrolment",
        TargetType(_("enrolment"), "training_class__name", dict(Enrolment.Status.choices)),
    )
