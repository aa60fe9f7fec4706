"""Pages: the person's certificates, the employer's and HRSS's actions, the series lock and
the staff list's certificate column."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import AuditEntry, ProfessionalSeries
from accounts.services import person_update
from certificates.models import Certificate
from certificates.services import certificate_reconcile
from certificates.tests.helpers import make_compliant
from tests.factories import World, admin_of, bind, person_create


def _issue(world: World, year: int | None = None) -> Certificate:
    from django.utils import timezone

    year = year or timezone.localdate().year - 1
    make_compliant(world.person, world.employer, year)
    certificate = certificate_reconcile(person_id=world.person.pk, year=year).issued
    assert certificate is not None
    return certificate


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_person_downloads_own_certificates_only(world: World, other_world: World) -> None:
    certificate = _issue(world)
    client = _client(world.person.user)
    page = client.get(reverse("certificates:my_certificates"))
    assert certificate.number in page.content.decode()
    pdf = client.get(reverse("certificates:my_certificate_pdf", args=[certificate.pk]))
    assert pdf.status_code == 200
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")  # type: ignore[attr-defined]
    other = _client(other_world.person.user)
    url = reverse("certificates:my_certificate_pdf", args=[certificate.pk])
    assert other.get(url).status_code == 404


@pytest.mark.django_db
def test_employer_regenerates_a_number_with_a_reason(world: World, other_world: World) -> None:
    certificate = _issue(world)
    kwargs = {"organisation_id": world.employer.pk, "certificate_id": certificate.pk}
    url = reverse("certificates:org_certificate_reissue", kwargs=kwargs)
    client = _client(admin_of(world.employer))
    assert client.post(url, {"reason": ""}).status_code == 200  # a reason is required
    response = client.post(url, {"reason": "单位名称变更"})
    assert response.status_code == 302
    certificate.refresh_from_db()
    assert certificate.status == "superseded" and certificate.superseded_by is not None
    assert certificate.superseded_by.number != certificate.number
    assert certificate.superseded_by.status == "valid"
    assert AuditEntry.objects.filter(action="certificate.supersede", reason="单位名称变更")
    # Another employer cannot reach it.
    other = _client(admin_of(other_world.employer))
    other_url = reverse(
        "certificates:org_certificate_reissue",
        kwargs={"organisation_id": other_world.employer.pk, "certificate_id": certificate.pk},
    )
    assert other.post(other_url, {"reason": "x"}).status_code == 404


@pytest.mark.django_db
def test_the_employer_issues_again_after_an_hrss_revocation(world: World) -> None:
    certificate = _issue(world)
    revoke = reverse(
        "certificates:org_certificate_revoke",
        kwargs={"organisation_id": world.hrss.pk, "certificate_id": certificate.pk},
    )
    assert _client(admin_of(world.hrss)).post(revoke, {"reason": "复核不通过"}).status_code == 302
    employer = _client(admin_of(world.employer))
    listing = employer.get(
        reverse("certificates:org_certificates", kwargs={"organisation_id": world.employer.pk})
    )
    url = reverse(
        "certificates:org_certificate_reissue",
        kwargs={"organisation_id": world.employer.pk, "certificate_id": certificate.pk},
    )
    assert url in listing.content.decode()
    assert employer.post(url, {"reason": "记录已更正"}).status_code == 302
    new = Certificate.objects.get(person=world.person, status="valid")
    certificate.refresh_from_db()
    assert new.pk != certificate.pk and certificate.status == "revoked"
    assert new.reissue_reason == "记录已更正"


@pytest.mark.django_db
def test_hrss_revokes_with_a_reason_and_the_employer_cannot(world: World) -> None:
    certificate = _issue(world)
    employer_url = reverse(
        "certificates:org_certificate_revoke",
        kwargs={"organisation_id": world.employer.pk, "certificate_id": certificate.pk},
    )
    assert _client(admin_of(world.employer)).post(employer_url, {"reason": "x"}).status_code in (
        403,
        404,
    )
    url = reverse(
        "certificates:org_certificate_revoke",
        kwargs={"organisation_id": world.hrss.pk, "certificate_id": certificate.pk},
    )
    assert _client(admin_of(world.hrss)).post(url, {"reason": "复核不通过"}).status_code == 302
    certificate.refresh_from_db()
    assert certificate.status == "revoked" and certificate.revocation_reason == "复核不通过"
    assert AuditEntry.objects.filter(action="certificate.revoke", target_id=str(certificate.pk))


@pytest.mark.django_db
def test_series_lock_once_this_years_certificate_is_valid(world: World) -> None:
    from django.core.exceptions import ValidationError
    from django.utils import timezone

    _issue(world, year=timezone.localdate().year)
    ProfessionalSeries.objects.get_or_create(
        code="health", defaults={"name": "卫生", "name_en": "Health"}
    )
    with pytest.raises(ValidationError) as raised:
        person_update(person=world.person, phone="13912345678", series_codes=["health"])
    assert "series" in raised.value.message_dict
    client = _client(world.person.user)
    html = client.get(reverse("accounts:me_profile")).content.decode()
    assert "您的专业系列不能修改" in html
    checkboxes = re.findall(r'<input type="checkbox" name="series"[^>]*>', html)
    assert checkboxes and all(" disabled" in box for box in checkboxes)
    # A forged post cannot change them either.
    client.post(
        reverse("accounts:me_profile"),
        {"phone": "13912345678", "email": "", "series": ["health"]},
    )
    assert list(world.person.series.values_list("code", flat=True)) == ["engineering"]


@pytest.mark.django_db
def test_staff_list_shows_certificate_state_with_fixed_queries(
    world: World, django_assert_num_queries: Any
) -> None:
    _issue(world)
    client = _client(admin_of(world.employer))
    url = reverse("accounts:staff_list", kwargs={"organisation_id": world.employer.pk})
    response = client.get(url)
    assert "cert-valid" in response.content.decode()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(5):
        bind(person_create(), world.employer)
    with CaptureQueriesContext(connection) as more:
        client.get(url)
    assert len(more) == len(few)


@pytest.mark.django_db
def test_certificate_lists_run_a_fixed_number_of_queries(world: World) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accounts.models import Employment

    first = _issue(world)
    pages = [
        (_client(world.person.user), reverse("certificates:my_certificates")),
        (
            _client(admin_of(world.employer)),
            reverse("certificates:org_certificates", args=[world.employer.pk]),
        ),
        (
            _client(admin_of(world.hrss)),
            reverse("certificates:org_certificates", args=[world.hrss.pk]),
        ),
    ]
    counts = []
    for client, url in pages:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    # More rows: a superseded one (with its successor) and other staff's certificates.
    from certificates.services import certificate_reissue

    certificate_reissue(
        actor=admin_of(world.employer), certificate=first, reason="x", organisation=world.employer
    )
    for _ in range(3):
        person = person_create()
        bind(person, world.employer)
        Employment.objects.filter(person=person).update(status="confirmed")
        make_compliant(person, world.employer)
        certificate_reconcile(person_id=person.pk, year=first.year)
    for (client, url), before in zip(pages, counts, strict=True):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.content.decode().count("cert-state") >= 2
        assert len(queries) == before, url
