"""Audit sentences and nouns for bulk printing and the history import (apps.ready)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from accounts.api import TargetType, register_actions, register_target
from certificates.models import BulkPrintJob


def register() -> None:
    register_actions(
        {
            "certificate_print.request": _("%(actor)s asked for %(target)s"),
            "certificate_print.finish": _("%(target)s is ready to download"),
            "certificate_print.download": _("%(actor)s downloaded %(target)s"),
            "certificate_print.expire": _("The link of %(target)s expired: its file was deleted"),
            "certificate_history.import": _(
                "Certificates or records of the old system were imported (%(target)s first)"
            ),
        }
    )
    register_target(
        "certificates.bulkprintjob",
        TargetType(_("bulk print of certificates"), "year", dict(BulkPrintJob.Status.choices)),
    )
    register_target(
        "certificates.historiccertificate", TargetType(_("old-system certificate"), "number")
    )
    register_target(
        "certificates.historicrecord", TargetType(_("old-system CE record"), "legacy_id")
    )
