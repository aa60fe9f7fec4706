"""The certificate as a document: its text layer, its picture, its signature."""

from __future__ import annotations

import gc
import subprocess
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from PIL import Image, ImageChops

from certificates.models import Certificate
from certificates.pdf import render_certificate_pdf
from certificates.signing import (
    SIGNER_NAME,
    SignatureCheck,
    key_paths,
    pdf_signature_check,
    sign_pdf,
)

RARE = "𠮷䶮堃喆\U0002a6a5"  # in Noto CJK but 𪚥 (U+2A6A5, CJK Ext. B): HanaMinB
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
    """Each rare character's picture differs from the missing-glyph box's (𪚥 needs the
    Debian package fonts-hanazono: scripts/services.sh and the Dockerfile install it)."""

    def glyph(char: str) -> Image.Image:
        out = tmp_path / f"g{ord(char)}"
        out.mkdir()
        return _picture(render_certificate_pdf(_certificate(name=char * 3)), out, dpi=90)

    box = glyph(NO_FONT_HAS_IT)
    for char in RARE:
        assert ImageChops.difference(glyph(char), box).getbbox() is not None, char


@pytest.mark.django_db
def test_a_signed_certificate_with_rare_characters_is_at_most_200_kb(tmp_path: Path) -> None:
    """One CJK weight embedded (a bold subset would add ~80 KB), plus HanaMinB for 𪚥."""
    signed = sign_pdf(render_certificate_pdf(_certificate()))
    assert len(signed) <= 200 * 1024, len(signed)
    path = tmp_path / "s.pdf"
    path.write_bytes(signed)
    fonts = subprocess.run(
        ["pdffonts", str(path)], check=True, capture_output=True, text=True
    ).stdout
    embedded = [line.split()[0] for line in fonts.splitlines()[2:]]
    assert len([name for name in embedded if "Noto" in name]) == 1, embedded
    assert any("HanaMinB" in name for name in embedded), embedded


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


def test_signing_and_checking_work_inside_a_running_event_loop() -> None:
    """An ASGI worker (or Playwright's loop in the browser tests) runs an event loop on the
    thread; pyHanko's synchronous API starts its own, so both calls move off that thread."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    async def inside() -> SignatureCheck:
        signed = sign_pdf(render_certificate_pdf(_certificate()))
        return pdf_signature_check(signed)

    # A thread of its own: this one may already run a loop (an earlier browser test's).
    with ThreadPoolExecutor(max_workers=1) as pool:
        check = pool.submit(asyncio.run, inside()).result()

    assert check.intact and check.by_portal


def _tsa_server() -> tuple[str, Any, Any]:
    """A local RFC 3161 timestamp server (pyHanko's test TSA, RSA) on a free port."""
    import datetime as dt
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    from asn1crypto import keys as asn1_keys
    from asn1crypto import tsp
    from asn1crypto import x509 as asn1_x509
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
    from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test TSA")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .sign(key, hashes.SHA256())
    )
    asn1_cert = asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))
    stamper = DummyTimeStamper(
        tsa_cert=asn1_cert,
        tsa_key=asn1_keys.PrivateKeyInfo.load(
            key.private_bytes(
                serialization.Encoding.DER,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        ),
    )

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            answer = stamper.request_tsa_response(tsp.TimeStampReq.load(body)).dump()
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args: Any) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}/", server, asn1_cert


@pytest.mark.django_db
def test_a_timestamp_server_setting_gives_a_b_t_signature(settings: Any) -> None:
    from asn1crypto import pem
    from asn1crypto import x509 as asn1_x509
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    url, server, tsa_cert = _tsa_server()
    try:
        settings.CERTIFICATE_TIMESTAMP_URL = url
        signed = sign_pdf(render_certificate_pdf(_certificate()))
    finally:
        server.shutdown()
    _type, _headers, der = pem.unarmor(key_paths().chain.read_bytes())
    context = ValidationContext(trust_roots=[asn1_x509.Certificate.load(der), tsa_cert])
    signature = PdfFileReader(BytesIO(signed)).embedded_signatures[0]
    status = validate_pdf_signature(signature, context)
    assert status.intact and status.valid
    assert status.timestamp_validity is not None and status.timestamp_validity.intact


@pytest.mark.django_db
def test_rendering_again_and_again_does_not_grow_memory() -> None:
    """A new WeasyPrint font configuration per document was never freed (~0.2 MB per
    certificate, +80% RSS over 1,000 renders); renders share one per thread."""

    def rss_kib() -> int:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise AssertionError("no VmRSS")

    certificate = _certificate()
    # Warm: fonts loaded, template compiled, and the caches that hang on the shared parsed
    # stylesheet filled (a one-off ~9 MB over the first dozen renders, then flat: 160 renders
    # of different certificates stayed within 1 MB).
    for _ in range(15):
        render_certificate_pdf(certificate)
    # Only what stays reachable counts: garbage a collection would free (a render of another
    # thread may hold automatic collection off for a while) is collected before each reading.
    gc.collect()
    before = rss_kib()
    for _ in range(40):
        render_certificate_pdf(certificate)
    gc.collect()
    assert rss_kib() - before < 4 * 1024, (before, rss_kib())


def _column_widths(certificate: Certificate) -> dict[str, list[float]]:
    from django.conf import settings
    from weasyprint import HTML
    from weasyprint.formatting_structure import boxes

    from certificates.pdf import _font_config, _stylesheet, render_certificate_html

    html = render_certificate_html(certificate, inline_style=False)
    document = HTML(string=html, base_url=str(settings.BASE_DIR)).render(
        stylesheets=[_stylesheet()], font_config=_font_config()
    )
    widths: dict[str, list[float]] = {}

    def walk(box: Any) -> None:
        if isinstance(box, boxes.TableBox) and box.element.get("class"):
            widths[box.element.get("class")] = [round(w, 1) for w in box.column_widths]
        for child in getattr(box, "children", []):
            walk(child)

    for page in document.pages:
        walk(page._page_box)
    return widths


@pytest.mark.django_db
def test_the_tables_columns_do_not_depend_on_their_contents() -> None:
    """Fixed table layout (the widths the automatic layout gave): WeasyPrint does not measure
    every cell's smallest and largest width first, a third of the render time."""
    short = _certificate()
    long = _certificate()
    long.records = [
        {**short.records[0], "title": "专" * 60, "institution": "广州" * 30, "category": "elective"}
    ]
    long.hours = {
        **short.hours,
        "series": [{**short.hours["series"][0], "name": "工程技术与建筑工程设计管理" * 3}],
    }
    before, after = _column_widths(short), _column_widths(long)
    assert set(before) == {"facts", "hours", "records"}, before
    assert before == after


def test_signing_sizes_the_signature_once_per_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """pyHanko sizes the signature's space by building a dummy signature first; without a
    timestamp the size is the same for every file, so only the first signature pays for it."""
    from pyhanko.sign.signers.pdf_signer import PdfSigningSession

    from certificates import signing

    estimates: list[int] = []
    estimate = PdfSigningSession.estimate_signature_container_size

    async def counted(self: Any, *args: Any, **kwargs: Any) -> int:
        size: int = await estimate(self, *args, **kwargs)
        estimates.append(size)
        return size

    monkeypatch.setattr(PdfSigningSession, "estimate_signature_container_size", counted)
    monkeypatch.setattr(signing, "_bytes_reserved", {})
    unsigned = render_certificate_pdf(_certificate())
    first, second = sign_pdf(unsigned), sign_pdf(unsigned)
    assert len(estimates) == 1
    assert len(first) == len(second)
    assert pdf_signature_check(second).intact and pdf_signature_check(second).by_portal


@pytest.mark.django_db
def test_a_worker_process_freezes_the_heap_after_its_first_render(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import gc

    from certificates import pdf
    from certificates.receivers import worker_process_init

    monkeypatch.setattr(pdf, "_gc", pdf._GcState())
    assert gc.get_freeze_count() == 0
    render_certificate_pdf(_certificate())
    assert gc.get_freeze_count() == 0  # not a worker process: nothing frozen
    worker_process_init()
    try:
        render_certificate_pdf(_certificate())
        frozen = gc.get_freeze_count()
        assert frozen > 10_000
        render_certificate_pdf(_certificate())
        assert gc.get_freeze_count() <= frozen  # once per process (freed ones leave it)
    finally:
        gc.unfreeze()


@pytest.mark.django_db
def test_the_qr_code_in_the_file_is_the_verification_urls_code(tmp_path: Path) -> None:
    """The QR code is embedded as a picture of one pixel per module (cheaper for WeasyPrint
    than an SVG path): module for module, segno's code for the public verification URL."""
    import segno

    from certificates.pdf import verify_url

    certificate = _certificate()
    path = tmp_path / "c.pdf"
    path.write_bytes(render_certificate_pdf(certificate))
    subprocess.run(["pdfimages", "-png", str(path), str(tmp_path / "img")], check=True)
    pictures = sorted(tmp_path.glob("img-*.png"))
    assert len(pictures) == 1, pictures
    picture = Image.open(pictures[0]).convert("L")
    url = verify_url(certificate)
    assert "number=2025-440105-000042" in url and "code=K7Q2M9XP" in url
    matrix = segno.make(url, error="m").matrix
    assert picture.size == (len(matrix[0]), len(matrix))
    pixels = picture.tobytes()  # "L": one byte a pixel, row by row
    width = picture.width
    dark = [[pixels[y * width + x] < 128 for x in range(width)] for y in range(picture.height)]
    assert dark == [[bool(module) for module in row] for row in matrix]


@pytest.mark.django_db
def test_a_render_runs_without_automatic_garbage_collection(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Automatic collections during a render only walked its live boxes and styles again
    (~24 young collections a render); it runs with the collector off, restored afterwards."""
    import gc

    from weasyprint import HTML

    seen: list[bool] = []
    write_pdf = HTML.write_pdf

    def recording(self: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append(gc.isenabled())
        return write_pdf(self, *args, **kwargs)

    monkeypatch.setattr(HTML, "write_pdf", recording)
    assert gc.isenabled()
    render_certificate_pdf(_certificate())
    assert seen == [False]
    assert gc.isenabled()
    gc.disable()  # a caller that turned it off keeps it off
    try:
        render_certificate_pdf(_certificate())
        assert not gc.isenabled()
    finally:
        gc.enable()
    assert seen == [False, False]


def test_a_records_dates_are_one_range_with_the_end_shortened() -> None:
    from certificates.pdf import _record_row

    def short(start: str, end: str) -> str:
        return str(_record_row({"start_date": start, "end_date": end})["end_short"])

    assert short("2024-03-01", "2024-03-02") == "03-02"
    assert short("2024-03-01", "2024-04-30") == "04-30"
    assert short("2024-12-30", "2025-01-02") == "2025-01-02"  # another year: the whole date
    assert short("2024-03-01", "2024-03-01") == ""  # one day: the start date alone


@pytest.mark.django_db
def test_the_records_dates_read_as_one_range(tmp_path: Path) -> None:
    certificate = _certificate()
    certificate.records = [
        {**certificate.records[0], "start_date": "2025-03-01", "end_date": "2025-03-02"},
        {**certificate.records[0], "start_date": "2025-12-30", "end_date": "2026-01-02"},
        {**certificate.records[0], "start_date": "2025-05-06", "end_date": "2025-05-06"},
    ]
    page = _text(render_certificate_pdf(certificate), tmp_path, page=2)
    assert "2025-03-01 至 03-02" in page
    assert "2025-12-30 至 2026-01-02" in " ".join(page.split())  # two lines: another year
    assert "2025-05-06" in page and "2025-05-06 至" not in page
    english = _text(render_certificate_pdf(certificate, language="en"), tmp_path, page=2)
    assert "2025-03-01 to 03-02" in english


@pytest.mark.django_db
def test_a_typical_record_is_one_line_in_every_column() -> None:
    """Every wrapped line is one more Pango layout: with a title of 20 CJK characters, a
    series in the category, a date range and a nine-character institution, each cell of a
    row is one line (ten lines a row before, a third of the render time)."""
    from django.conf import settings
    from weasyprint import HTML
    from weasyprint.formatting_structure import boxes

    from certificates.pdf import _font_config, _stylesheet, render_certificate_html

    certificate = _certificate()
    certificate.records = [
        {
            **certificate.records[0],
            "title": f"建筑结构抗震设计新规范专题培训（第{i}期）",
            "category": "professional",
            "series": "工程",
            "start_date": "2024-03-01",
            "end_date": "2024-03-02",
            "institution": "广州市继续教育学院",
        }
        for i in (1, 12)
    ]
    html = render_certificate_html(certificate, inline_style=False)
    document = HTML(string=html, base_url=str(settings.BASE_DIR)).render(
        stylesheets=[_stylesheet()], font_config=_font_config()
    )
    lines: list[int] = []

    def count_lines(box: Any) -> int:
        if isinstance(box, boxes.LineBox):
            return 1
        return sum(count_lines(child) for child in getattr(box, "children", []))

    def cells(box: Any) -> Iterator[Any]:
        if isinstance(box, boxes.TableCellBox):
            yield box
        for child in getattr(box, "children", []):
            yield from cells(child)

    def walk(box: Any) -> None:
        if isinstance(box, boxes.TableBox) and box.element.get("class") == "records":
            lines.extend(count_lines(cell) for cell in cells(box) if cell.element.tag == "td")
            return
        for child in getattr(box, "children", []):
            walk(child)

    for page in document.pages:
        walk(page._page_box)
    assert lines == [1] * 12, lines
