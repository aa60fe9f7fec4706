"""Sentences and nouns for the audit entries credits writes (registered in apps.ready)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from accounts.api import Decision, TargetType, register_actions, register_target
from credits.models import ImportJob, RecheckItem, Record


def register() -> None:
    register_actions(
        {
            "record.create": _("%(actor)s created %(target)s"),
            "record.update": _("%(actor)s edited %(target)s"),
            "record.submit": _("%(actor)s submitted %(target)s for review"),
            f"record.{Decision.APPROVE}": _("%(actor)s approved %(target)s"),
            f"record.{Decision.REJECT}": _("%(actor)s rejected and closed %(target)s"),
            f"record.{Decision.RETURN}": _("%(actor)s returned %(target)s for changes"),
            "record.decision_change": _("%(actor)s changed the decision on %(target)s to rejected"),
            "record.revoke": _("%(actor)s revoked %(target)s after a recheck"),
            "record.delete": _("%(actor)s deleted the draft %(target)s"),
            "record.evidence_remove": _("%(actor)s removed an evidence file from %(target)s"),
            "record.return_unbound": _(
                "%(target)s went back to the professional: the binding to the employer ended"
            ),
            "record.enter": _(
                "%(actor)s entered %(target)s for the professional on behalf of the employer; "
                "it went to the employer's review"
            ),
            "record.import": _(
                "%(actor)s entered %(target)s for the professional from an uploaded sheet; "
                "it went to the employer's review"
            ),
            "record.class_submit": _(
                "%(actor)s closed a class: %(target)s went to the employer's review"
            ),
            "record.class_add": _(
                "%(actor)s closed a class: its hours were added to %(target)s, which went to "
                "the employer's review"
            ),
            "record.certify_automatic": _(
                "%(target)s was certified automatically: the professional passed the online "
                "public course"
            ),
            "import.upload": _("%(actor)s uploaded %(target)s"),
            "import.finish": _("%(target)s was imported"),
            "import.reject": _("%(target)s was refused: rows with errors, nothing saved"),
            "recheck.draw": _("%(actor)s drew %(target)s"),
            "recheck.confirm": _("%(actor)s confirmed %(target)s in a recheck"),
            "recheck.revoke": _("%(actor)s revoked %(target)s in a recheck"),
        }
    )
    register_target(
        "credits.record", TargetType(_("CE record"), "title", dict(Record.Status.choices))
    )
    register_target("credits.rechecksample", TargetType(_("recheck sample")))
    register_target(
        "credits.importjob",
        TargetType(_("record sheet"), "original_name", dict(ImportJob.Status.choices)),
    )
    register_target(
        "credits.recheckitem",
        TargetType(_("rechecked record"), "record__title", dict(RecheckItem.Outcome.choices)),
    )
