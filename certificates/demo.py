"""Demo certificates for ``make run`` (called by ``seed_demo`` after the credits demo).

The demo professional's last year is compliant: its first certificate was revoked by HRSS,
which blocks automatic issuing, so HRSS issued the next one explicitly, then the employer
regenerated it, so the person's list
and the verification page show a revoked, a superseded and a valid certificate.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from accounts.api import Organisation, Person, User
from certificates.demo_bulk import demo_history_load, demo_print_load
from certificates.models import Certificate
from certificates.services import certificate_reconcile, certificate_reissue, certificate_revoke


@transaction.atomic
def demo_extra_load() -> None:
    demo_history_load()
    person = Person.objects.filter(user__username="person").first()
    hrss = User.objects.filter(username="hrss").first()
    employer_user = User.objects.filter(username="employer").first()
    if person is None or hrss is None or employer_user is None:
        return
    office = Organisation.objects.get(memberships__user=hrss)
    employer = Organisation.objects.get(memberships__user=employer_user)
    year = timezone.localdate().year - 1
    certificate_reconcile(person_id=person.pk, year=year)  # (eager tasks may have done it)
    first = Certificate.objects.filter(person=person, year=year, status="valid").first()
    if first is None or Certificate.objects.filter(person=person, year=year).count() > 1:
        return  # the year is not compliant, or the demo ran already
    certificate_revoke(
        actor=hrss, certificate=first, reason="演示：复核发现学时记录有误，撤销证书", office=office
    )
    # An HRSS revocation sticks: reconciling issues nothing, HRSS issues again explicitly.
    if certificate_reconcile(person_id=person.pk, year=year).issued is None:
        second = certificate_reissue(
            actor=hrss,
            certificate=first,
            reason="演示：更正学时记录后重新发证",
            organisation=office,
        )
        certificate_reissue(
            actor=employer_user,
            certificate=second,
            reason="演示：单位名称变更，重新生成证书编号",
            organisation=employer,
        )
        demo_print_load(actor=employer_user, employer=employer, year=year)
