"""Sentences and nouns for the audit entries of online public-subject study."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from accounts.api import TargetType, register_actions, register_target


def register() -> None:
    register_actions(
        {
            "online.subject_create": _("%(actor)s added the public subject %(target)s"),
            "online.subject_publish": _("%(actor)s published the public subject %(target)s"),
            "online.subject_withdraw": _("%(actor)s withdrew the public subject %(target)s"),
            "online.enrol": _("%(actor)s started studying the online course %(target)s"),
            "online.year_change": _("%(actor)s changed the course year of %(target)s"),
            "online.lesson_complete": _("%(actor)s completed a lesson of %(target)s"),
            "online.exam_pass": _("%(actor)s passed the exam of %(target)s"),
            "online.exam_fail": _("%(actor)s failed the exam of %(target)s"),
            "online.course_complete": _(
                "%(actor)s completed %(target)s: its year is locked and the public record "
                "was created"
            ),
        }
    )
    register_target("courses.publicsubject", TargetType(_("public subject"), "title"))
    register_target("courses.enrolment", TargetType(_("online course"), "course__title"))
