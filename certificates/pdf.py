"""The certificate as an A4 PDF (WeasyPrint, Noto CJK), with the seal and the QR code.

``render_certificate_pdf(certificate) -> bytes`` gives the unsigned PDF;
``certificates.signing.sign_pdf`` seals it.  Both are pure functions of their input (no
database writes), so bulk printing and benchmarks can reuse them.
"""

from __future__ import annotations

import atexit
import base64
import gc
import io
import math
import shutil
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from functools import cache
from typing import Any
from urllib.parse import urlencode
from xml.sax.saxutils import escape

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from certificates import fonts
from certificates.models import Certificate

SEAL_TEXT = "专业技术人员继续教育专用章"
SEAL_RED = "#d4151c"
SEAL_FONT = "Noto Serif CJK SC"


def _star_points(cx: float, cy: float, outer: float, inner: float) -> str:
    points = []
    for i in range(10):
        radius = outer if i % 2 == 0 else inner
        angle = math.radians(-90 + i * 36)
        points.append(f"{cx + radius * math.cos(angle):.2f},{cy + radius * math.sin(angle):.2f}")
    return " ".join(points)


@cache
def seal_svg(text: str = SEAL_TEXT, issuer: str = "", font_family: str = SEAL_FONT) -> str:
    """The electronic seal, drawn here: a red ring, ``text`` running clockwise along the top
    arc (each character turned to face the centre), a five-pointed star in the middle and
    ``issuer`` in a line below it, in ``font_family`` (a comma-separated list)."""
    size, cx, cy = 200.0, 100.0, 100.0
    ring, text_radius = 92.0, 72.0
    span = 210.0  # degrees of arc the text covers, centred on the top
    step = span / max(len(text) - 1, 1)
    chars = []
    for i, char in enumerate(text):
        angle = -90 - span / 2 + i * step  # degrees, 0 = 3 o'clock, clockwise
        rad = math.radians(angle)
        x = cx + text_radius * math.cos(rad)
        y = cy + text_radius * math.sin(rad)
        chars.append(
            f'<text x="{x:.2f}" y="{y:.2f}" transform="rotate({angle + 90:.2f} {x:.2f} {y:.2f})" '
            f'text-anchor="middle" dominant-baseline="central">{escape(char)}</text>'
        )
    issuer_line = (
        f'<text x="{cx}" y="{cy + 48}" text-anchor="middle" font-size="13">{escape(issuer)}</text>'
        if issuer
        else ""
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size:.0f}" height="{size:.0f}" '
        f'viewBox="0 0 {size:.0f} {size:.0f}">'
        f'<circle cx="{cx}" cy="{cy}" r="{ring}" fill="none" stroke="{SEAL_RED}" '
        f'stroke-width="6"/>'
        f'<circle cx="{cx}" cy="{cy}" r="{ring - 7}" fill="none" stroke="{SEAL_RED}" '
        f'stroke-width="1"/>'
        f'<polygon points="{_star_points(cx, cy, 30, 12)}" fill="{SEAL_RED}"/>'
        # Regular weight thickened by a stroke: no bold font subset in the file.
        f'<g fill="{SEAL_RED}" stroke="{SEAL_RED}" stroke-width="0.6" '
        f'font-family="{escape(font_family)}" font-size="19">'
        + "".join(chars)
        + issuer_line
        + "</g></svg>"
    )


def _seal_fonts() -> str:
    """The compact certificate font first (``certificates.fonts``) when there is one, the
    full system font after it."""
    return f"{fonts.FAMILY}, {SEAL_FONT}" if fonts.compact_font_path() else SEAL_FONT


def _data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def _png_data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode()


def verify_url(certificate: Certificate) -> str:
    """The public verification page, filled in with number and check code (the QR code)."""
    query = urlencode({"number": certificate.number, "code": certificate.check_code})
    base = settings.CERTIFICATE_VERIFY_BASE_URL.rstrip("/")
    return f"{base}{reverse('certificates:verify')}?{query}"


def qr_png(url: str) -> bytes:
    """The QR code as a PNG of one pixel per module (no quiet zone: the page around it is
    white), which the stylesheet scales up without smoothing (``image-rendering:
    pixelated``).  WeasyPrint parses an SVG path in Python on every render (the code's path
    has some 600 segments); a 37 x 37 picture costs it next to nothing."""
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="png", scale=1, border=0)
    return out.getvalue()


def _record_row(record: dict[str, Any]) -> dict[str, Any]:
    """A counted record as the records table shows it: the end date shortened to what differs
    from the start (``end_short``: "03-02" after "2024-03-01", the whole date in another
    year, empty on the same day), so the date range is one line."""
    start, end = str(record.get("start_date") or ""), str(record.get("end_date") or "")
    if end == start:
        short = ""
    elif end[:5] == start[:5] and len(end) == len(start) == 10:
        short = end[5:]
    else:
        short = end
    return {**record, "end_short": short}


def certificate_context(certificate: Certificate) -> dict[str, Any]:
    hours = certificate.hours or {}
    issued: datetime = timezone.localtime(certificate.issued_at)
    url = verify_url(certificate)
    return {
        "certificate": certificate,
        "series": hours.get("series", []),
        "public": hours.get("public", {}),
        "elective": hours.get("elective", {}),
        "professional": hours.get("professional", {}),
        "records": [_record_row(record) for record in certificate.records or []],
        "issued": issued.date(),
        "seal": _data_uri(seal_svg(font_family=_seal_fonts())),
        "qr": _png_data_uri(qr_png(url)),
        "verify_url": url,
    }


def render_certificate_html(
    certificate: Certificate, *, language: str | None = None, inline_style: bool = True
) -> str:
    """The certificate as one HTML page; ``inline_style=False`` leaves out its stylesheet
    (``certificates/pdf.css``), which the PDF renderer passes already parsed."""
    context = {**certificate_context(certificate), "inline_style": inline_style}
    with translation.override(language or settings.LANGUAGE_CODE):
        return render_to_string("certificates/pdf.html", context)


def render_certificate_pdf(certificate: Certificate, *, language: str | None = None) -> bytes:
    """The unsigned A4 PDF of ``certificate`` (in Chinese unless ``language`` says otherwise)."""
    from weasyprint import HTML

    html = render_certificate_html(certificate, language=language, inline_style=False)
    with _no_automatic_gc():
        data: bytes = HTML(
            string=html, base_url=str(settings.BASE_DIR), url_fetcher=_url_fetcher()
        ).write_pdf(stylesheets=[_stylesheet()], uncompressed_pdf=False, font_config=_font_config())
    if _gc.freeze_after_render and not _gc.frozen:
        _gc.frozen = True
        gc.collect()
        gc.freeze()
    return data


@contextmanager
def _no_automatic_gc() -> Iterator[None]:
    """No automatic garbage collection while WeasyPrint works, as it was before afterwards.

    A render makes many objects (boxes, computed styles, layout state) that live until its
    end: each automatic young collection walks the survivors again and promotes them, so a
    render ran ~24 young, ~2 middle and every fifth render a full collection, for next to
    nothing (~10% of its CPU time).
    Left off, the render frees almost everything by reference counting; the few cycles it
    leaves go in the first collection after it (the allocation counter is past the threshold
    by then).  The collector is process-wide: with two renders on two threads, the first to
    finish turns it back on early, which costs time, never memory."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class _GcState:
    freeze_after_render = False  # set in Celery worker processes: gc_freeze_after_first_render
    frozen = False


_gc = _GcState()


def gc_freeze_after_first_render() -> None:
    """In this process, move everything alive after the first certificate render (Django,
    WeasyPrint, the fonts, the template, the signing key) to the garbage collector's permanent
    generation (``gc.freeze``): a full collection then walks only what later renders left, not
    ~190,000 long-lived objects (GC took ~15% of a render's CPU time; frozen, ~7%).  Called in
    each Celery worker process (``certificates.receivers.worker_process_init``): the first
    render there is a certificate task, with no request half done whose cycles would stay."""
    _gc.freeze_after_render = True


_fonts = threading.local()


def _font_config() -> Any:
    """One WeasyPrint font configuration per thread, reused by every render: a new one per
    document loads Fontconfig's configuration and a Pango font map again each time, which
    costs time and was never given back (RSS grew ~0.2 MB per certificate)."""
    config = getattr(_fonts, "config", None)
    if config is None:
        from weasyprint.text.fonts import FontConfiguration

        config = _fonts.config = FontConfiguration()
        _font_configs.append(weakref.ref(config))
    return config


_font_configs: list[weakref.ref[Any]] = []


def release_font_files() -> None:
    """Remove the temporary copies of ``@font-face`` files (the compact certificate font,
    2.3 MB) of this process's font configurations.  WeasyPrint copies each into a folder per
    configuration that its ``__del__`` removes, but a configuration kept to the end of the
    process is collected while the interpreter shuts down, when that ``__del__`` fails (its
    module's globals are gone), and a Celery pool process ends with ``os._exit`` (no
    ``__del__``, no ``atexit``): the folder stayed in /tmp.  Called at exit (``atexit``) and
    by Celery's ``worker_process_shutdown`` (``certificates.receivers``); no render after it
    in this process (``_folder``: WeasyPrint 70's attribute)."""
    while _font_configs:
        config = _font_configs.pop()()
        folder = getattr(config, "_folder", None)
        if folder:
            shutil.rmtree(folder, ignore_errors=True)
            config._folder = None  # type: ignore[union-attr]


atexit.register(release_font_files)


def _stylesheet() -> Any:
    """``certificates/pdf.css`` parsed once per thread (beside the font configuration it was
    made with), instead of tokenising and validating the same ``<style>`` for every document.
    With the compact certificate font (``certificates.fonts``) loaded by ``@font-face`` when
    it can be had (built on the first call in a process if ``manage.py certificate_fonts``
    has not made it yet)."""
    sheet = getattr(_fonts, "stylesheet", None)
    if sheet is None:
        from weasyprint import CSS

        font = fonts.compact_font_path()
        source = render_to_string(
            "certificates/pdf.css",
            {"compact_font_url": font.as_uri() if font else "", "compact_family": fonts.FAMILY},
        )
        sheet = _fonts.stylesheet = CSS(
            string=source, font_config=_font_config(), url_fetcher=_url_fetcher()
        )
    return sheet


def _url_fetcher() -> Any:
    """WeasyPrint's fetcher limited to what a certificate uses: ``data:`` URLs (the seal and
    the QR code) and the compact font's file; nothing else on disk or on the network."""
    fetcher = getattr(_fonts, "fetcher", None)
    if fetcher is None:
        from weasyprint.urls import URLFetcher

        font = fonts.compact_font_path()
        allowed = font.as_uri() if font else None

        class CertificateFetcher(URLFetcher):
            def fetch(self, url: str, headers: Any = None) -> Any:
                if url.startswith("data:") or (allowed is not None and url == allowed):
                    return super().fetch(url, headers)
                raise ValueError(f"Certificates fetch no {url[:80]!r}")

        fetcher = _fonts.fetcher = CertificateFetcher()
    return fetcher
