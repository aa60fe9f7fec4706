"""Issuing, reissuing and revoking certificates (every write of the certificates app).

``certificate_reconcile`` is what the Celery task runs after credits says a person-year's
summary changed: it makes the certificates agree with the stored summary, so running it
twice, late or concurrently gives the same end state (decision 0010).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.api import Organisation, Person, User, audit_log, confirmed_employer_id
from certificates.models import Certificate
from certificates.services.numbers import PROVINCE_REGION, check_code_new, number_allocate
from credits import api as credits_api


@dataclass(frozen=True)
class ReconcileResult:
    issued: Certificate | None = None
    revoked: Certificate | None = None


def _hours(value: Decimal) -> str:
    return f"{value:.1f}"


def _snapshot(person: Person, year: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The hours (per category and series against the requirement) and the counted records,
    as the certificate shows them for ever."""
    summary = credits_api.year_summary(person_id=person.pk, year=year)
    if summary is None:
        raise ValidationError(_("The year has not been validated yet."))
    series = credits_api.year_series_summaries(person_id=person.pk, year=year)
    hours: dict[str, Any] = {
        "public": {
            "required": _hours(summary.public_required),
            "earned": _hours(summary.public_earned),
        },
        "elective": {
            "required": _hours(summary.elective_required),
            "earned": _hours(summary.elective_earned),
        },
        "professional": {
            "required": _hours(summary.professional_required),
            "earned": _hours(summary.professional_earned),
        },
        "series": [
            {
                "code": row.series.code,
                "name": row.series.name,
                "required": _hours(row.required),
                "earned": _hours(row.earned),
            }
            for row in series
        ],
    }
    records = [
        {
            "id": record.pk,
            "title": record.title,
            "category": record.category,
            "series": record.series.name if record.series else "",
            "hours": _hours(record.hours),
            "start_date": record.start_date.isoformat(),
            "end_date": record.end_date.isoformat(),
            "institution": record.institution_name,
        }
        for record in credits_api.year_counted_records(person_id=person.pk, year=year)
    ]
    return hours, records


def _attach_pdf(certificate: Certificate) -> None:
    """Render, sign and store the PDF; keep its SHA-256 (what file verification compares)."""
    from certificates.pdf import render_certificate_pdf
    from certificates.signing import sign_pdf

    data = sign_pdf(render_certificate_pdf(certificate))
    certificate.sha256 = hashlib.sha256(data).hexdigest()
    certificate.pdf.save(f"{certificate.number}.pdf", ContentFile(data), save=False)
    certificate.save(update_fields=["sha256", "pdf"])


def _issue(person: Person, year: int, *, actor: User | None, reason: str = "") -> Certificate:
    """A new valid certificate of the person-year (the caller holds the person's row lock
    and has checked that none is valid)."""
    hours, records = _snapshot(person, year)
    employer_id = confirmed_employer_id(person)
    employer = (
        Organisation.objects.select_related("region").get(pk=employer_id)
        if employer_id is not None
        else None
    )
    region_code = employer.region.code if employer is not None else PROVINCE_REGION
    certificate = Certificate.objects.create(
        number=number_allocate(year=year, region_code=region_code),
        check_code=check_code_new(),
        person=person,
        year=year,
        employer=employer,
        person_name=person.real_name,
        masked_id_number=person.masked_id_number,
        employer_name=employer.name if employer is not None else "",
        hours=hours,
        records=records,
        reissue_reason=reason,
    )
    _attach_pdf(certificate)
    audit_log(
        actor=actor,
        action="certificate.issue",
        target=certificate,
        to_state=Certificate.Status.VALID,
        reason=reason,
        organisation=employer,
    )
    return certificate


def _lock_person(person_id: int) -> Person | None:
    return Person.objects.select_for_update().filter(pk=person_id).first()


def _valid(person_id: int, year: int) -> Certificate | None:
    return (
        Certificate.objects.select_for_update()
        .filter(person_id=person_id, year=year, status=Certificate.Status.VALID)
        .first()
    )


def _latest(person_id: int, year: int) -> Certificate | None:
    """The person-year's most recently issued certificate, whatever its state."""
    return Certificate.objects.filter(person_id=person_id, year=year).order_by("-pk").first()


def _revoke(
    certificate: Certificate, *, actor: User | None, reason: str, action: str, manual: bool
) -> None:
    certificate.status = Certificate.Status.REVOKED
    certificate.revoked_at = timezone.now()
    certificate.revocation_reason = reason
    certificate.revoked_manually = manual
    certificate.save(
        update_fields=["status", "revoked_at", "revocation_reason", "revoked_manually"]
    )
    audit_log(
        actor=actor,
        action=action,
        target=certificate,
        from_state=Certificate.Status.VALID,
        to_state=Certificate.Status.REVOKED,
        reason=reason,
        organisation=certificate.employer,
    )


@transaction.atomic
def certificate_reconcile(*, person_id: int, year: int) -> ReconcileResult:
    """Make the person-year's certificates agree with its stored summary: compliant and no
    valid certificate → issue one, unless HRSS revoked the latest one (that sticks until
    someone issues again explicitly with ``certificate_reissue``); not compliant and a valid
    one → revoke it (with the reason); otherwise nothing.  Idempotent; concurrent calls
    serialise on the person row."""
    person = _lock_person(person_id)
    if person is None:
        return ReconcileResult()
    compliant = credits_api.year_is_compliant(person_id=person_id, year=year)
    valid = _valid(person_id, year)
    if compliant and valid is None:
        latest = _latest(person_id, year)
        if latest is not None and latest.revoked_manually:
            return ReconcileResult()
        return ReconcileResult(issued=_issue(person, year, actor=None))
    if not compliant and valid is not None:
        with translation.override(settings.LANGUAGE_CODE):
            reason = gettext("The year's hours no longer meet the requirement.")
        _revoke(valid, actor=None, reason=reason, action="certificate.revoke_auto", manual=False)
        return ReconcileResult(revoked=valid)
    return ReconcileResult()


def _require_compliant(person: Person, year: int) -> None:
    if not credits_api.year_is_compliant(person_id=person.pk, year=year):
        raise ValidationError(_("The year does not meet the requirement: nothing to reissue."))


def _issue_again(person: Person, revoked: Certificate, *, actor: User, reason: str) -> Certificate:
    """A new certificate after an HRSS revocation (the caller holds the person's row lock)."""
    _require_compliant(person, revoked.year)
    return _issue(person, revoked.year, actor=actor, reason=reason)


@transaction.atomic
def certificate_reissue(
    *, actor: User, certificate: Certificate, reason: str, organisation: Organisation
) -> Certificate:
    """重新生成证书编号: a new certificate (new number, figures of now) replaces the valid
    ``certificate``, which verifies as superseded by the new one (004 employer #4).

    On the latest certificate of a person-year that HRSS revoked, this is the explicit
    "issue again" that lifts the block on automatic issuing: a new valid certificate, the
    revoked one stays revoked."""
    if not reason.strip():
        raise ValidationError(_("Give a reason."))
    person = _lock_person(certificate.person_id)
    current = _valid(certificate.person_id, certificate.year)
    if person is not None and current is None:
        latest = _latest(certificate.person_id, certificate.year)
        if latest is not None and latest.pk == certificate.pk and latest.revoked_manually:
            return _issue_again(person, latest, actor=actor, reason=reason)
    if person is None or current is None or current.pk != certificate.pk:
        raise ValidationError(_("Only a valid certificate can be reissued."))
    _require_compliant(person, certificate.year)
    # The old one stops being valid first (one valid certificate per person-year).
    current.status = Certificate.Status.SUPERSEDED
    current.superseded_at = timezone.now()
    current.save(update_fields=["status", "superseded_at"])
    new = _issue(person, certificate.year, actor=actor, reason=reason)
    current.superseded_by = new
    current.save(update_fields=["superseded_by"])
    audit_log(
        actor=actor,
        action="certificate.supersede",
        target=current,
        from_state=Certificate.Status.VALID,
        to_state=Certificate.Status.SUPERSEDED,
        reason=reason,
        organisation=organisation,
    )
    return new


@transaction.atomic
def certificate_revoke(
    *, actor: User, certificate: Certificate, reason: str, office: Organisation
) -> Certificate:
    """HRSS revokes a valid certificate with a reason; it stays verifiable as revoked."""
    if not reason.strip():
        raise ValidationError(_("Give a reason."))
    current = _valid(certificate.person_id, certificate.year)
    if current is None or current.pk != certificate.pk:
        raise ValidationError(_("Only a valid certificate can be revoked."))
    _revoke(current, actor=actor, reason=reason, action="certificate.revoke", manual=True)
    return current
