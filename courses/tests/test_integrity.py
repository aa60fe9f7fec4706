"""Integrity violations (信用管理): recording, clearing, the public list, each party's view,
and the read plans depend on."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import AuditEntry, Notice, Organisation, ProfessionalSeries
from courses.models import Violation
from courses.selectors.integrity import organisation_active_violation, public_violations
from courses.services.integrity import violation_clear, violation_record
from courses.tests.orgs_helpers import engineering, html_named_pdf, pdf
from tests.factories import World, admin_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def _today() -> dt.date:
    return timezone.localdate()


def _record(world: World, recorder: Organisation | None = None, **party: object) -> Violation:
    recorder = recorder or world.hrss
    party = party or {"party_organisation": world.institution}
    return violation_record(
        actor=admin_of(recorder),
        recorder=recorder,
        reason="虚构培训学时",
        occurred_on=_today() - dt.timedelta(days=10),
        clears_on=_today() + dt.timedelta(days=365),
        series=engineering() if recorder.kind == "authority" else None,
        evidence=pdf("evidence.pdf"),
        **party,  # type: ignore[arg-type]
    )


def test_hrss_records_a_violation_against_an_institution_in_its_area(world: World) -> None:
    violation = _record(world)
    assert violation.recorded_by == world.hrss and violation.evidence
    assert AuditEntry.objects.filter(action="violation.record").exists()
    notice = Notice.objects.get(recipient=admin_of(world.institution))
    assert "虚构培训学时" in notice.text
    found = organisation_active_violation(organisation_id=world.institution.pk, today=_today())
    assert found == violation


def test_the_active_violation_read_ignores_cleared_and_expired_ones(world: World) -> None:
    violation = _record(world)
    today = _today()
    # Expired: the day after the clearing date it no longer counts.
    assert (
        organisation_active_violation(
            organisation_id=world.institution.pk, today=violation.clears_on + dt.timedelta(days=1)
        )
        is None
    )
    assert organisation_active_violation(
        organisation_id=world.institution.pk, today=violation.clears_on
    )
    violation_clear(
        actor=admin_of(world.hrss), recorder=world.hrss, violation=violation, reason="已整改"
    )
    assert organisation_active_violation(organisation_id=world.institution.pk, today=today) is None
    assert organisation_active_violation(organisation_id=world.employer.pk, today=today) is None


def test_a_city_office_records_nothing_outside_its_city(world: World, other_world: World) -> None:
    with pytest.raises(ValidationError, match="outside your area"):
        _record(world, party_organisation=other_world.institution)
    province = Organisation.objects.get(kind="hrss", level="province")
    assert _record(world, province, party_organisation=other_world.institution)


def test_an_authority_records_only_in_the_series_it_governs(world: World) -> None:
    assert _record(world, world.authority).series == engineering()
    with pytest.raises(ValidationError, match="does not govern"):
        violation_record(
            actor=admin_of(world.authority),
            recorder=world.authority,
            party_organisation=world.institution,
            reason="违规",
            occurred_on=_today(),
            clears_on=_today(),
            series=ProfessionalSeries.objects.get(code="accounting"),
            evidence=pdf(),
        )


def test_institutions_and_employers_record_nothing(world: World) -> None:
    with pytest.raises(PermissionDenied):
        _record(world, world.employer)


def test_a_person_is_recorded_through_their_employers_area(world: World) -> None:
    violation = _record(world, party_person=world.person)
    assert violation.party_person == world.person
    assert Notice.objects.filter(
        recipient=world.person.user, kind="courses.violation_recorded"
    ).exists()


def test_evidence_is_checked_by_content_and_dates_make_sense(world: World) -> None:
    kwargs = {
        "actor": admin_of(world.hrss),
        "recorder": world.hrss,
        "party_organisation": world.institution,
        "reason": "违规",
    }
    with pytest.raises(ValidationError) as refused:
        violation_record(
            **kwargs,  # type: ignore[arg-type]
            occurred_on=_today(),
            clears_on=_today(),
            evidence=html_named_pdf(),
        )
    assert "evidence" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        violation_record(
            **kwargs,  # type: ignore[arg-type]
            occurred_on=_today() - dt.timedelta(days=30),
            clears_on=_today() - dt.timedelta(days=1),
            evidence=pdf(),
        )
    assert "clears_on" in refused.value.message_dict
    assert not Violation.objects.exists()


def test_only_the_recorder_clears_early_and_gives_a_reason(
    world: World, other_world: World
) -> None:
    violation = _record(world)
    with pytest.raises(PermissionDenied):
        violation_clear(
            actor=admin_of(other_world.hrss),
            recorder=other_world.hrss,
            violation=violation,
            reason="x",
        )
    with pytest.raises(ValidationError):
        violation_clear(
            actor=admin_of(world.hrss), recorder=world.hrss, violation=violation, reason=" "
        )
    cleared = violation_clear(
        actor=admin_of(world.hrss), recorder=world.hrss, violation=violation, reason="已整改"
    )
    assert cleared.cleared_at is not None and cleared.cleared_reason == "已整改"
    with pytest.raises(ValidationError, match="no longer in force"):
        violation_clear(
            actor=admin_of(world.hrss), recorder=world.hrss, violation=violation, reason="again"
        )
    assert AuditEntry.objects.filter(action="violation.clear").count() == 1


def test_the_public_list_shows_only_institutions_active_violations(world: World) -> None:
    shown = _record(world)
    _record(world, party_organisation=world.employer)
    _record(world, party_person=world.person)
    cleared = _record(world, world.authority)
    violation_clear(
        actor=admin_of(world.authority), recorder=world.authority, violation=cleared, reason="撤销"
    )
    assert list(public_violations(today=_today())) == [shown]
    response = Client().get(reverse("courses:public_violations"))
    assert response.status_code == 200
    assert [v.pk for v in response.context["page"]] == [shown.pk]
    body = response.content.decode()
    assert world.institution.name in body and world.person.real_name not in body
    assert world.person.id_number not in body


def test_each_party_sees_its_own(world: World, other_world: World) -> None:
    mine = _record(world, party_person=world.person)
    _record(world, party_organisation=world.employer)
    client = Client()
    client.force_login(world.person.user)
    response = client.get(reverse("courses:my_integrity"))
    assert [v.pk for v in response.context["page"]] == [mine.pk]
    employer = Client()
    employer.force_login(admin_of(world.employer))
    page = employer.get(
        reverse("courses:org_integrity", kwargs={"organisation_id": world.employer.pk})
    )
    assert [v.party_organisation_id for v in page.context["page"]] == [world.employer.pk]
    other = Client()
    other.force_login(admin_of(other_world.employer))
    theirs = other.get(
        reverse("courses:org_integrity", kwargs={"organisation_id": other_world.employer.pk})
    )
    assert list(theirs.context["page"]) == []


def test_the_recording_page_records_by_credit_code_and_id_number(world: World) -> None:
    client = Client()
    client.force_login(admin_of(world.hrss))
    url = reverse("courses:violations", kwargs={"organisation_id": world.hrss.pk})
    today = _today()
    common = {
        "reason": "虚报学时",
        "occurred_on": f"{today:%Y-%m-%d}",
        "clears_on": f"{today + dt.timedelta(days=90):%Y-%m-%d}",
    }
    response = client.post(
        url, {**common, "party": "employer", "uscc": world.employer.uscc, "evidence": pdf()}
    )
    assert response.status_code == 302, response.context["form"].errors
    response = client.post(
        url,
        {**common, "party": "person", "id_number": world.person.id_number, "evidence": pdf()},
    )
    assert response.status_code == 302, response.context["form"].errors
    unknown = client.post(
        url, {**common, "party": "employer", "uscc": "91440101MA5CXXXX0X", "evidence": pdf()}
    )
    assert unknown.status_code == 200 and unknown.context["form"].errors
    listed = client.get(url)
    body = listed.content.decode()
    assert world.person.masked_id_number in body and world.person.id_number not in body
    violation = Violation.objects.filter(party_person=world.person).get()
    evidence = client.get(
        reverse(
            "courses:violation_evidence",
            kwargs={"organisation_id": world.hrss.pk, "violation_id": violation.pk},
        )
    )
    assert evidence.status_code == 200
    clear_url = reverse(
        "courses:violation_clear",
        kwargs={"organisation_id": world.hrss.pk, "violation_id": violation.pk},
    )
    assert client.post(clear_url, {"reason": "复核后撤销"}).status_code == 302
    violation.refresh_from_db()
    assert violation.cleared_at is not None
