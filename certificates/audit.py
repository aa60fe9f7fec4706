"""Sentences and nouns for the audit entries certificates writes (registered in apps.ready)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from accounts.api import TargetType, register_actions, register_target
from certificates.models import Certificate


def register() -> None:
    register_actions(
        {
            "certificate.issue": _("%(target)s was issued"),
            "certificate.supersede": _(
                "%(actor)s regenerated %(target)s: a new number replaces it"
            ),
            "certificate.revoke": _("%(actor)s revoked %(target)s"),
            "certificate.revoke_auto": _(
                "%(target)s was revoked: the year no longer meets the requirement"
            ),
        }
    )
    register_target(
        "certificates.certificate",
        TargetType(_("certificate"), "number", dict(Certificate.Status.choices)),
    )
