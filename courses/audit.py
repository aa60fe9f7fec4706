"""Sentences and nouns for the audit entries courses writes (registered in apps.ready).
Each part of issue 9 keeps its own block."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from accounts.api import (
    Decision,
    TargetType,
    register_actions,
    register_notice_texts,
    register_target,
)
from courses.models import Enrolment, ReviewStatus, SubjectGuide, TrainingClass

# Notice kinds (accounts.Notice.kind, at most 30 characters) sent by courses.
NOTICE_QUALIFICATION_APPROVED = "courses.qualification_approve"
NOTICE_QUALIFICATION_REJECTED = "courses.qualification_reject"
NOTICE_QUALIFICATION_RETURNED = "courses.qualification_return"
NOTICE_VIOLATION_RECORDED = "courses.violation_recorded"
NOTICE_VIOLATION_CLEARED = "courses.violation_cleared"


def register() -> None:
    # --- classes and enrolment (s4-classes) ---
    register_actions(
        {
            "class.status": _("%(actor)s changed the state of %(target)s"),
            "class.close": _(
                "%(actor)s closed %(target)s: its passed learners' hours go to review"
            ),
            "class.close_retry": _(
                "%(actor)s sent the hours of %(target)s again for the learners not done yet"
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
    # --- institutions, qualifications, instructors, integrity (s4-orgs) -----------------
    register_actions(
        {
            "qualification.apply": _("%(actor)s applied for %(target)s"),
            "qualification.resubmit": _("%(actor)s resubmitted %(target)s"),
            "qualification.approve": _("%(actor)s approved %(target)s"),
            "qualification.reject": _("%(actor)s rejected and closed %(target)s"),
            "qualification.return": _("%(actor)s returned %(target)s for changes"),
            "instructor.add": _("%(actor)s added %(target)s"),
            "instructor.edit": _("%(actor)s edited %(target)s"),
            "instructor.enable": _("%(actor)s enabled %(target)s"),
            "instructor.disable": _("%(actor)s disabled %(target)s"),
            "instructor.delete": _("%(actor)s deleted %(target)s"),
            "violation.record": _("%(actor)s recorded %(target)s"),
            "violation.clear": _("%(actor)s cleared %(target)s early"),
        }
    )
    register_target(
        "courses.qualification",
        TargetType(_("the teaching qualification in"), "series__name", dict(ReviewStatus.choices)),
    )
    register_target("courses.instructor", TargetType(_("instructor"), "name"))
    register_target("courses.violation", TargetType(_("integrity violation")))
    register_notice_texts(
        {
            NOTICE_QUALIFICATION_APPROVED: _(
                "%(by)s approved your teaching qualification in %(series)s."
            ),
            NOTICE_QUALIFICATION_REJECTED: _(
                "%(by)s rejected your teaching qualification in %(series)s. Reason: %(reason)s"
            ),
            NOTICE_QUALIFICATION_RETURNED: _(
                "%(by)s returned your teaching qualification in %(series)s for changes. "
                "Reason: %(reason)s"
            ),
            NOTICE_VIOLATION_RECORDED: _(
                "%(by)s recorded an integrity violation against %(party)s, in force until "
                "%(clears_on)s: %(reason)s"
            ),
            NOTICE_VIOLATION_CLEARED: _(
                "%(by)s cleared the integrity violation against %(party)s. Reason: %(reason)s"
            ),
        }
    )
    # --- end s4-orgs ---------------------------------------------------------------------
    # --- subject guides and course plans (s4-plans) ---
    register_actions(
        {
            "guide.create": _("%(actor)s drafted %(target)s"),
            "guide.course_add": _("%(actor)s added a course to %(target)s"),
            "guide.course_remove": _("%(actor)s removed a course from %(target)s"),
            "guide.publish": _("%(actor)s published %(target)s"),
            "plan.create": _("%(actor)s created %(target)s"),
            "plan.update": _("%(actor)s changed %(target)s"),
            "plan.class_add": _("%(actor)s added a class to %(target)s"),
            "plan.class_update": _("%(actor)s changed a class of %(target)s"),
            "plan.class_remove": _("%(actor)s removed a class from %(target)s"),
            "plan.attach": _("%(actor)s attached a file to %(target)s"),
            "plan.detach": _("%(actor)s removed a file from %(target)s"),
            "plan.submit": _("%(actor)s submitted %(target)s for review"),
            f"plan.{Decision.APPROVE}": _(
                "%(actor)s approved %(target)s; it is filed with the HRSS office"
            ),
            f"plan.{Decision.REJECT}": _("%(actor)s rejected and closed %(target)s"),
            f"plan.{Decision.RETURN}": _("%(actor)s returned %(target)s for changes"),
        }
    )
    register_target(
        "courses.subjectguide",
        TargetType(_("subject guide"), "year", dict(SubjectGuide.Status.choices)),
    )
    register_target(
        "courses.courseplan",
        TargetType(_("course plan"), "course__name", dict(ReviewStatus.choices)),
    )
