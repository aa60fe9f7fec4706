"""How audit entries read: a sentence per action code, a noun per target type.

Services write codes (``record.submit``, ``credits.record`` #8); pages and exports show
sentences ("张三 submitted CE record “Safety training”"). Every action code written
anywhere must have a sentence here (``accounts/tests/test_audit_registry.py`` collects the
codes from the source). Other apps register their own actions and targets from their
``AppConfig.ready()`` (credits: ``credits/audit.py``), so accounts names none of their models.

Sentences take named parameters: ``%(actor)s`` (who) and ``%(target)s`` (the object, e.g.
CE record “Safety training”, or CE record #8 when it has no label).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from django.apps import apps
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import (
    AuditEntry,
    Decision,
    Employment,
    MembershipInvitation,
    Organisation,
    ProfileFact,
    SecurityEvent,
    User,
)

Text = str | Promise

ACTIONS: dict[str, Text] = {}


@dataclass(frozen=True)
class TargetType:
    noun: Text
    label_field: str = ""  # field path on the target model read in one query per type
    states: Mapping[str, Text] = field(default_factory=dict)


TARGETS: dict[str, TargetType] = {}


def register_actions(actions: Mapping[str, Text]) -> None:
    ACTIONS.update(actions)


def register_target(target_type: str, target: TargetType) -> None:
    TARGETS[target_type] = target


register_actions(
    {
        "person.register": _("%(actor)s registered as professional %(target)s"),
        "person.series": _("%(actor)s changed the professional series of %(target)s"),
        "organisation.create": _("%(actor)s created %(target)s"),
        "organisation.register": _("%(actor)s applied to register %(target)s"),
        "organisation.resubmit": _("%(actor)s resubmitted the application of %(target)s"),
        f"organisation.{Decision.APPROVE}": _("%(actor)s approved the application of %(target)s"),
        f"organisation.{Decision.REJECT}": _(
            "%(actor)s rejected and closed the application of %(target)s"
        ),
        f"organisation.{Decision.RETURN}": _(
            "%(actor)s returned the application of %(target)s for changes"
        ),
        "membership.add": _("%(actor)s added %(target)s"),
        "membership.role": _("%(actor)s changed the role of %(target)s"),
        "membership.remove": _("%(actor)s removed %(target)s"),
        "employment.request": _("%(actor)s asked the employer to confirm %(target)s"),
        "employment.resubmit": _("%(actor)s asked the employer again to confirm %(target)s"),
        "employment.add": _("%(actor)s added %(target)s to the staff"),
        f"employment.{Decision.APPROVE}": _("%(actor)s confirmed %(target)s"),
        f"employment.{Decision.REJECT}": _("%(actor)s rejected and closed %(target)s"),
        f"employment.{Decision.RETURN}": _("%(actor)s returned %(target)s for changes"),
        "employment.end": _("%(actor)s ended %(target)s"),
        "membership.invite": _("%(actor)s invited a login to join as %(target)s"),
        "membership.invitation_accept": _("%(actor)s accepted %(target)s"),
        "membership.invitation_decline": _("%(actor)s declined %(target)s"),
        "employment.invite": _("%(actor)s invited %(target)s to join the staff"),
        "employment.invitation_accept": _(
            "%(actor)s accepted the employer's invitation (%(target)s)"
        ),
        "employment.invitation_decline": _(
            "%(actor)s declined the employer's invitation (%(target)s)"
        ),
        "person.id_number_viewed": _("%(actor)s viewed the full ID number of %(target)s"),
        "person.phone": _("%(actor)s changed the mobile phone number of %(target)s"),
        "user.email": _("%(actor)s changed the e-mail address of %(target)s"),
        "profile_fact.submit": _("%(actor)s recorded %(target)s for the employer to confirm"),
        "profile_fact.confirm": _("%(actor)s confirmed %(target)s"),
        "profile_fact.reject": _("%(actor)s rejected %(target)s"),
        # Security events (accounts.models.SecurityEvent); the target is the login concerned.
        SecurityEvent.LOGIN: _("%(actor)s logged in"),
        SecurityEvent.LOGIN_FAILED: _("A log-in failed (%(target)s)"),
        SecurityEvent.LOGOUT: _("%(actor)s logged out"),
        SecurityEvent.LOCKED_OUT: _("%(target)s was locked out after repeated failed log-ins"),
        SecurityEvent.PASSWORD_CHANGED: _("%(actor)s changed their password"),
        SecurityEvent.PASSWORD_RESET_REQUESTED: _("A password reset was requested for %(target)s"),
        SecurityEvent.PASSWORD_RESET_DONE: _(
            "%(target)s set a new password through the e-mail link"
        ),
        SecurityEvent.FORBIDDEN: _("%(actor)s was refused access"),
    }
)

register_target(
    "accounts.person",
    TargetType(_("professional"), "real_name", {"registered": _("Registered")}),
)
register_target(
    "accounts.organisation",
    TargetType(_("organisation"), "name", dict(Organisation.Status.choices)),
)
register_target(
    "accounts.membership",
    TargetType(_("member"), "user__username"),
)
register_target(
    "accounts.membershipinvitation",
    TargetType(_("invitation"), "user__username", dict(MembershipInvitation.Status.choices)),
)
register_target("accounts.user", TargetType(_("login"), "username"))
register_target(
    "accounts.employment",
    TargetType(_("staff member"), "person__real_name", dict(Employment.Status.choices)),
)
register_target(
    "accounts.profilefact",
    TargetType(_("profile fact of"), "person__real_name", dict(ProfileFact.Status.choices)),
)


def target_text(target_type: str, target_id: str, label: str | None) -> str:
    """``CE record “Safety training”``, or ``CE record #8`` without a label."""
    kind = TARGETS.get(target_type)
    noun = str(kind.noun) if kind else target_type
    if label:
        return gettext("%(noun)s “%(label)s”") % {"noun": noun, "label": label}
    return gettext("%(noun)s #%(id)s") % {"noun": noun, "id": target_id}


def state_text(target_type: str, state: str) -> str:
    if not state:
        return ""
    kind = TARGETS.get(target_type)
    return str(kind.states.get(state, state)) if kind else state


def sentence(entry: AuditEntry, label: str | None = None) -> str:
    """The entry as one translated sentence."""
    actor = entry.actor.username if entry.actor_id and entry.actor else gettext("The system")
    target = target_text(entry.target_type, entry.target_id, label)
    template = ACTIONS.get(entry.action)
    if template is None:  # an action written without a sentence: still readable
        return gettext("%(actor)s: %(action)s on %(target)s") % {
            "actor": actor,
            "action": entry.action,
            "target": target,
        }
    return str(template) % {"actor": actor, "target": target}


@dataclass(frozen=True)
class ReadableEntry:
    """An audit entry with its sentence and translated states, for pages and exports."""

    entry: AuditEntry
    sentence: str
    from_state: str
    to_state: str

    @property
    def at(self) -> datetime:
        return self.entry.at

    @property
    def actor(self) -> User | None:
        return self.entry.actor

    @property
    def reason(self) -> str:
        return self.entry.reason

    @property
    def changes(self) -> str:
        """``phone: 138… → 139…; series: accounting, engineering → archives`` (whole values)."""

        def value(v: object) -> str:
            if isinstance(v, list):
                return ", ".join(str(item) for item in v) or "—"
            return str(v) if v not in (None, "") else "—"

        return "; ".join(
            f"{field}: {value(old)} → {value(new)}"
            for field, (old, new) in (self.entry.changes or {}).items()
        )

    @property
    def action(self) -> str:
        return self.entry.action

    @property
    def target_type(self) -> str:
        return self.entry.target_type

    @property
    def target_id(self) -> str:
        return self.entry.target_id


def target_labels(entries: Iterable[AuditEntry]) -> dict[tuple[str, str], str]:
    """Labels of the entries' targets: one query per target type, whatever the rows."""
    ids: dict[str, set[str]] = {}
    for entry in entries:
        ids.setdefault(entry.target_type, set()).add(entry.target_id)
    labels: dict[tuple[str, str], str] = {}
    for target_type, pks in ids.items():
        kind = TARGETS.get(target_type)
        if kind is None or not kind.label_field:
            continue
        try:
            model = apps.get_model(target_type)
        except (LookupError, ValueError):
            continue
        valid = [pk for pk in pks if pk.isdigit()]
        for pk, label in model._default_manager.filter(pk__in=valid).values_list(
            "pk", kind.label_field
        ):
            labels[(target_type, str(pk))] = str(label or "")
    return labels


def readable(entries: Iterable[AuditEntry]) -> list[ReadableEntry]:
    """``entries`` (one page, or one chunk of an export) made readable."""
    rows = list(entries)
    labels = target_labels(rows)
    return [
        ReadableEntry(
            entry=e,
            sentence=sentence(e, labels.get((e.target_type, e.target_id))),
            from_state=state_text(e.target_type, e.from_state),
            to_state=state_text(e.target_type, e.to_state),
        )
        for e in rows
    ]
