"""The certificate as a document: its text layer, its picture, its signature."""

from __future__ import annotations

import subprocess
from io import BytesIO
from pathlib import Path

import pytest
from django.utils import timezone
from PIL import Image, ImageChops

from certificates.models import Certificate
from certificates.pdf import render_certificate_pdf
from certificates.signing import SIGNER_NAME, key_paths, sign_pdf

RARE = "𠮷䶮堃喆"  # in Noto CJK; 𪚥 (U+2A6A5) is in no installed font: see the report
NO_FONT_HAS_IT = "\U0010fffd"  # plane-16 private use: always the missing-glyph box


def _certificate(name: str = f"王{RARE}") -> Certificate:
    return Certificate(
        number="2025-440105-000042",
        check_code="K7Q2M9XP",
        year=2025,
        person_name=name,
        masked_id_number="440105********0010",
        employer_name="广州市测试科技有限公司",
        issued_at=timezone.now(),
        hours={
            "public": {"required": "30.0", "earned": "40.0"},
            "elective": {"required": "18.0", "earned": "20.0"},
            "professional": {"required": "42.0", "earned": "90.0"},
            "series": [
                {"code": "engineering", "name": "工程", "required": "42.0", "earned": "90.0"}
            ],
        },
        records=[
            {
                "id": 1,
                "title": "安全生产专题培训",
                "category": "public",
                "series": "",
                "hours": "40.0",
                "start_date": "2025-03-01",
                "end_date": "2025-03-02",
                "institution": "广州继续教育中心",
            }
        ],
    )


def _text(pdf: bytes, tmp_path: Path, page: int | None = None) -> str:
    path = tmp_path / "c.pdf"
    path.write_bytes(pdf)
    pages = ["-f", str(page), "-l", str(page)] if page else []
    return subprocess.run(
        ["pdftotext", *pages, str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def _picture(pdf: bytes, tmp_path: Path, dpi: int = 60) -> Image.Image:
    path = tmp_path / "p.pdf"
    path.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-png", "-f", "1", "-l", "1", str(path), str(tmp_path / "p")],
        check=True,
    )
    return Image.open(next(tmp_path.glob("p-*.png"))).convert("RGB")


@pytest.mark.django_db
def test_the_certificate_text_has_every_item_and_the_records_on_page_two(tmp_path: Path) -> None:
    pdf = render_certificate_pdf(_certificate())
    first = _text(pdf, tmp_path, page=1)
    for item in (
        "2025-440105-000042",
        f"王{RARE}",
        "440105********0010",
        "工程",
        "广州市测试科技有限公司",
        "用人单位盖章",
        "K7Q2M9XP",
        "公需科目",
        "42.0",
        "90.0",
    ):
        assert item in first, item
    assert "安全生产专题培训" in _text(pdf, tmp_path, page=2)


@pytest.mark.django_db
def test_rare_name_characters_are_drawn_not_boxes(tmp_path: Path) -> None:
    """Each rare character's picture differs from the missing-glyph box's."""

    def glyph(char: str) -> Image.Image:
        out = tmp_path / f"g{ord(char)}"
        out.mkdir()
        return _picture(render_certificate_pdf(_certificate(name=char * 3)), out, dpi=90)

    box = glyph(NO_FONT_HAS_IT)
    for char in RARE:
        assert ImageChops.difference(glyph(char), box).getbbox() is not None, char


@pytest.mark.django_db
def test_the_picture_is_a4_with_the_red_seal(tmp_path: Path) -> None:
    image = _picture(render_certificate_pdf(_certificate()), tmp_path)
    width, height = image.size
    assert abs(height / width - 297 / 210) < 0.01
    red = Image.eval(image.split()[0], lambda v: 255 if v > 180 else 0)
    not_green = Image.eval(image.split()[1], lambda v: 255 if v < 80 else 0)
    reds = sum(ImageChops.multiply(red, not_green).histogram()[255:])
    assert reds > 500  # the seal's ring, star and text


@pytest.mark.django_db
def test_the_signature_is_intact_and_names_the_portal() -> None:
    from asn1crypto import pem
    from asn1crypto import x509 as asn1_x509
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    signed = sign_pdf(render_certificate_pdf(_certificate()))
    _type, _headers, der = pem.unarmor(key_paths().chain.read_bytes())
    context = ValidationContext(trust_roots=[asn1_x509.Certificate.load(der)])
    signature = PdfFileReader(BytesIO(signed)).embedded_signatures[0]
    status = validate_pdf_signature(signature, context)
    assert status.intact and status.valid and status.trusted
    assert status.signing_cert.subject.native["common_name"] == SIGNER_NAME
    assert status.md_algorithm == "sha256"
    assert status.pkcs7_signature_mechanism in ("ecdsa", "sha256_ecdsa")
    assert signature.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
