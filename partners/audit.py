"""Sentences and nouns for the audit entries partners writes (registered in apps.ready)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from accounts.api import TargetType, register_actions, register_target


def register() -> None:
    register_actions(
        {
            "partner.create": _("%(actor)s registered the sync partner %(target)s"),
            "partner.update": _("%(actor)s changed what %(target)s may push"),
            "partner.key_create": _("%(actor)s created an API key for %(target)s"),
            "partner.key_rotate": _("%(actor)s rotated an API key of %(target)s"),
            "partner.key_revoke": _("%(actor)s revoked an API key of %(target)s"),
        }
    )
    register_target(
        "partners.partner",
        TargetType(_("sync partner"), "name", {"active": _("Active"), "inactive": _("Inactive")}),
    )
