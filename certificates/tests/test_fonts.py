"""The compact certificate font (certificates/fonts.py, decision 0021)."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from fontTools.ttLib import TTFont
from PIL import Image, ImageChops

from certificates import fonts, pdf
from certificates.pdf import render_certificate_pdf
from certificates.tests.test_pdf import _certificate, _text

EMBEDDED_COMPACT = fonts.FAMILY.replace(" ", "-")  # how WeasyPrint names it in the PDF
ORDINARY = "王晓明"  # GB 2312
OUTSIDE = "堃"  # a common name character outside GB 2312: drawn from the full font


def _reset() -> None:
    getattr(fonts.compact_font_path, "cache_clear", lambda: None)()
    for name in ("stylesheet", "fetcher"):
        pdf._fonts.__dict__.pop(name, None)


@pytest.fixture
def fresh_fonts() -> Iterator[None]:
    """This thread's parsed stylesheet and fetcher made again (before and after the test)."""
    _reset()
    yield
    _reset()


def _embedded(data: bytes, tmp_path: Path) -> list[str]:
    path = tmp_path / "f.pdf"
    path.write_bytes(data)
    listing = subprocess.run(
        ["pdffonts", str(path)], check=True, capture_output=True, text=True
    ).stdout
    return [line.split()[0].split("+", 1)[-1] for line in listing.splitlines()[2:]]


def _pages(data: bytes, directory: Path) -> list[Image.Image]:
    directory.mkdir()
    path = directory / "c.pdf"
    path.write_bytes(data)
    subprocess.run(["pdftoppm", "-r", "100", "-png", str(path), str(directory / "p")], check=True)
    return [Image.open(p).convert("RGB") for p in sorted(directory.glob("p-*.png"))]


@pytest.mark.django_db
def test_ordinary_text_and_the_seal_are_drawn_with_the_compact_font(tmp_path: Path) -> None:
    data = render_certificate_pdf(_certificate(name=ORDINARY))
    assert _embedded(data, tmp_path) == [EMBEDDED_COMPACT]
    assert ORDINARY in _text(data, tmp_path, page=1)  # its ToUnicode map is right


@pytest.mark.django_db
def test_a_character_outside_the_compact_font_comes_from_the_full_font(tmp_path: Path) -> None:
    path = fonts.compact_font_path()
    assert path is not None
    assert ord(OUTSIDE) not in TTFont(str(path), lazy=True).getBestCmap()

    data = render_certificate_pdf(_certificate(name=f"王{OUTSIDE}"))
    embedded = _embedded(data, tmp_path)
    assert EMBEDDED_COMPACT in embedded
    assert any(name.startswith("Noto-Serif-CJK-SC") for name in embedded), embedded
    assert f"王{OUTSIDE}" in _text(data, tmp_path, page=1)


@pytest.mark.django_db
def test_the_pages_are_pixel_identical_to_the_system_font_ones(
    tmp_path: Path, fresh_fonts: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Same glyphs at the same places (the renumbered CIDs point at the right outlines) and
    the same anti-aliasing (the font keeps the source's bounding box), page for page."""
    certificate = _certificate(name=f"王{ORDINARY}")
    compact = render_certificate_pdf(certificate)
    assert _embedded(compact, tmp_path) == [EMBEDDED_COMPACT]
    _reset()
    monkeypatch.setattr(fonts, "compact_font_path", lambda: None)
    system = render_certificate_pdf(certificate)
    assert EMBEDDED_COMPACT not in _embedded(system, tmp_path)

    pictures = zip(_pages(compact, tmp_path / "a"), _pages(system, tmp_path / "b"), strict=True)
    for page, (ours, theirs) in enumerate(pictures, start=1):
        assert ImageChops.difference(ours, theirs).getbbox() is None, page


@pytest.mark.django_db
def test_without_the_compact_font_the_certificate_is_drawn_with_the_system_font(
    tmp_path: Path, fresh_fonts: None, monkeypatch: pytest.MonkeyPatch, caplog: Any
) -> None:
    def no_source() -> None:
        return None

    monkeypatch.setattr(fonts, "source_font", no_source)
    with caplog.at_level(logging.WARNING, logger="certificates.fonts"):
        data = render_certificate_pdf(_certificate(name=ORDINARY))
    assert "no compact font" in caplog.text
    embedded = _embedded(data, tmp_path)
    assert EMBEDDED_COMPACT not in embedded
    assert any(name.startswith("Noto-Serif-CJK-SC") for name in embedded), embedded
    assert ORDINARY in _text(data, tmp_path, page=1)


def test_the_compact_font_numbers_its_cids_like_its_glyphs() -> None:
    path = fonts.compact_font_path()
    assert path is not None
    font = TTFont(str(path), lazy=True)
    top = font["CFF "].cff.topDictIndex[0]
    assert hasattr(top, "ROS")  # CID-keyed, as the system font
    assert top.charset[1:] == [f"cid{gid:05d}" for gid in range(1, len(top.charset))]
    cmap = font.getBestCmap()
    assert all(ord(ch) in cmap for ch in "中文，（）：；。、“”—0Aé")
    assert font.getGlyphID(cmap[ord("，")]) < 8_000  # was ~58,960 in the system font


def test_a_new_build_replaces_an_older_one(tmp_path: Path, settings: Any, monkeypatch: Any) -> None:
    """Built once under a lock, written aside and renamed; a file of an older build or an
    older system font goes."""
    settings.CERTIFICATE_FONT_CACHE = str(tmp_path)
    stale = tmp_path / "certificate-serif-sc-000000000000.otf"
    stale.write_bytes(b"old")
    builds: list[int] = []

    def build(source: Path, index: int) -> bytes:
        builds.append(index)
        return b"font"

    monkeypatch.setattr(fonts, "build_compact_font", build)
    path = fonts.ensure_compact_font()
    assert path.read_bytes() == b"font" and path.parent == tmp_path
    assert not stale.exists()
    assert fonts.ensure_compact_font() == path
    assert len(builds) == 1
    assert not list(tmp_path.glob("*.tmp"))


def test_the_renderer_fetches_data_urls_and_the_compact_font_only(fresh_fonts: None) -> None:
    fetcher = pdf._url_fetcher()
    path = fonts.compact_font_path()
    assert path is not None
    font = fetcher.fetch(path.as_uri())
    assert font.read(4) == b"OTTO"
    font.close()
    data = fetcher.fetch("data:text/plain;base64,b2s=")
    assert data.read() == b"ok"
    data.close()
    for url in ("file:///etc/passwd", "http://127.0.0.1:1/x.png", path.parent.as_uri() + "/x"):
        with pytest.raises(ValueError):
            fetcher.fetch(url)


def test_a_process_leaves_no_copy_of_the_font_in_the_temporary_folder(tmp_path: Path) -> None:
    """WeasyPrint copies an @font-face file into a temporary folder per font configuration;
    the one kept for the whole process is removed when the process exits."""
    script = (
        "import django; django.setup()\n"
        "from certificates.pdf import render_certificate_pdf\n"
        "from certificates.tests.test_pdf import _certificate\n"
        f"render_certificate_pdf(_certificate(name={ORDINARY!r}))\n"
        "import tempfile, pathlib\n"
        "print(len(list(pathlib.Path(tempfile.gettempdir()).glob('weasyprint-*'))))\n"
    )
    env = {**os.environ, "TMPDIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "portal.settings"}
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=settings.BASE_DIR,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    assert done.stdout.strip() == "1"  # the copy existed while the process ran
    assert "Exception ignored" not in done.stderr, done.stderr
    assert not list(tmp_path.glob("weasyprint-*"))


@pytest.mark.django_db
def test_a_celery_pool_process_removes_its_copy_of_the_font_when_it_ends(
    fresh_fonts: None,
) -> None:
    """A pool process ends with os._exit (no atexit): worker_process_shutdown removes it."""
    from celery.signals import worker_process_shutdown

    pdf._fonts.__dict__.pop("config", None)  # a configuration of this test's own
    try:
        render_certificate_pdf(_certificate(name=ORDINARY))
        folder = Path(pdf._font_config()._folder)
        assert any(folder.iterdir())
        worker_process_shutdown.send(sender=None, pid=os.getpid(), exitcode=0)
        assert not folder.exists()
    finally:
        pdf._fonts.__dict__.pop("config", None)  # the next render makes a new one
