"""Public verification by number + code (page and API) and by the file itself."""

from __future__ import annotations

from io import BytesIO
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from rest_framework.throttling import ScopedRateThrottle

from certificates.models import Certificate, VerificationLookup
from certificates.services import certificate_reconcile, certificate_reissue, certificate_revoke
from certificates.tests.helpers import LAST_YEAR, make_compliant
from tests.factories import World, admin_of

API = "/api/v1/certificates/verify"


@pytest.fixture
def issued(world: World, django_capture_on_commit_callbacks: Any) -> Certificate:
    make_compliant(world.person, world.employer)
    certificate = certificate_reconcile(person_id=world.person.pk, year=LAST_YEAR).issued
    assert certificate is not None
    return certificate


@pytest.fixture(autouse=True)
def _no_throttle(monkeypatch: pytest.MonkeyPatch, settings: Any) -> None:
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"certificate_verify": None})
    settings.CERTIFICATE_VERIFY_RATE = "1000/minute"


def _api(number: str, code: str) -> Any:
    return Client().get(API, {"number": number, "code": code})


@pytest.mark.django_db
def test_api_shows_valid_superseded_and_revoked(world: World, issued: Certificate) -> None:
    body = _api(issued.number, issued.check_code).json()
    assert body["status"] == "valid" and body["year"] == LAST_YEAR
    assert body["name"] == world.person.real_name[0] + "*" * (len(world.person.real_name) - 1)
    assert body["sha256"] == issued.sha256
    assert body["hours"]["public"] == {"required": "30.0", "earned": "40.0"}

    new = certificate_reissue(
        actor=admin_of(world.employer),
        certificate=issued,
        reason="单位名称变更",
        organisation=world.employer,
    )
    body = _api(issued.number, issued.check_code).json()
    assert body["status"] == "superseded" and body["superseded_by"] == new.number

    certificate_revoke(
        actor=admin_of(world.hrss), certificate=new, reason="复核不通过", office=world.hrss
    )
    body = _api(new.number, new.check_code.lower()).json()
    assert body["status"] == "revoked" and body["revocation_reason"] == "复核不通过"
    assert body["revoked_at"]


@pytest.mark.django_db
def test_unknown_number_and_wrong_code_answer_alike(issued: Certificate) -> None:
    wrong_code = _api(issued.number, "ZZZZZZZZ")
    unknown = _api("2000-440100-999999", "ZZZZZZZZ")
    assert wrong_code.status_code == unknown.status_code == 404
    a, b = wrong_code.json(), unknown.json()
    assert set(a) == set(b) == set(_api(issued.number, issued.check_code).json())
    assert a["status"] == b["status"] == "not_found"
    assert [v for k, v in a.items() if k != "number"] == [v for k, v in b.items() if k != "number"]
    assert VerificationLookup.objects.filter(outcome="not_found").count() == 2
    assert VerificationLookup.objects.filter(certificate=issued, outcome="found").count() == 1


@pytest.mark.django_db
def test_verification_is_rate_limited(
    issued: Certificate, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    from django.core.cache import cache

    cache.clear()
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"certificate_verify": "2/minute"})
    codes = [_api(issued.number, issued.check_code).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    settings.CERTIFICATE_VERIFY_RATE = "2/minute"
    client = Client()
    page = [
        client.get("/verify/", {"number": issued.number, "code": issued.check_code}).status_code
        for _ in range(3)
    ]
    assert page == [200, 200, 429]


@pytest.mark.django_db
def test_verify_page_by_number_and_code(issued: Certificate) -> None:
    response = Client().get("/verify/", {"number": issued.number, "code": issued.check_code})
    assert response.status_code == 200
    assert issued.number in response.content.decode()
    assert Client().get("/verify/", {"number": issued.number, "code": "X"}).status_code == 404


def _upload(data: bytes) -> str:
    response = Client().post(
        "/verify/", {"file": SimpleUploadedFile("c.pdf", data, "application/pdf")}
    )
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_the_issued_file_verifies_and_an_edited_one_is_caught(
    world: World, issued: Certificate
) -> None:
    original = issued.pdf.read()
    assert "电子印章完好" in _upload(original)
    assert VerificationLookup.objects.filter(channel="file", certificate=issued).exists()

    changed = bytearray(original)
    changed[len(changed) // 3] ^= 0x01  # one byte inside the signed content
    assert "已被篡改" in _upload(bytes(changed))

    # A changed name added after signing (an incremental update, as editors save).
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(BytesIO(original))
    writer.set_info(
        generic.DictionaryObject({generic.NameObject("/Title"): generic.TextStringObject("李四")})
    )
    out = BytesIO()
    writer.write(out)
    assert "已被篡改" in _upload(out.getvalue())
    assert VerificationLookup.objects.filter(outcome="file_altered").count() == 2

    # Once superseded, the very same file says so.
    certificate_reissue(
        actor=admin_of(world.employer),
        certificate=issued,
        reason="更正",
        organisation=world.employer,
    )
    assert "已被证书" in _upload(original)


@pytest.mark.django_db
def test_a_file_not_sealed_by_the_portal_is_refused(issued: Certificate) -> None:
    from certificates.pdf import render_certificate_pdf

    assert "没有本系统的电子印章" in _upload(render_certificate_pdf(issued))


@pytest.mark.django_db
def test_a_matching_hash_without_the_portals_seal_is_not_enough(issued: Certificate) -> None:
    """The SHA-256 alone does not make a file genuine: the seal must be the portal's."""
    import hashlib

    from certificates.pdf import render_certificate_pdf

    unsigned = render_certificate_pdf(issued)
    Certificate.objects.filter(pk=issued.pk).update(sha256=hashlib.sha256(unsigned).hexdigest())
    assert "没有本系统的电子印章" in _upload(unsigned)
