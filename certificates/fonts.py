"""A compact copy of Noto Serif CJK SC for certificate PDFs (decision 0021).

WeasyPrint 70 subsets an embedded font keeping its glyph ids, and keeps every id up to the
highest one used: the fullwidth ``（），`` of Noto Serif CJK SC are glyphs ~58,956, so every
certificate carried ~59,000 glyph slots (~740 KB before compression) through two HarfBuzz
passes.  This module makes, once per machine, a font with only the characters a certificate
normally uses (ASCII, Latin-1, general and CJK punctuation, fullwidth forms and everything in
GB 2312, ~7,800 glyphs) numbered anew from 0, so the same punctuation sits at ~7,600.  The
certificate stylesheet names it first and the full system font after it: a character outside
the set (生僻字) is still drawn from the full font.

``compact_font_path()`` gives the file, building it on first use (file lock, atomic rename)
under ``settings.CERTIFICATE_FONT_CACHE``; ``manage.py certificate_fonts`` builds it ahead
(``make run``, ``scripts/test.sh``, ``scripts/bench.sh``).  If it cannot be built the
certificate is drawn with the system font as before, and a warning is logged.
"""

from __future__ import annotations

import fcntl
import hashlib
import io
import logging
import os
import subprocess
from functools import cache
from pathlib import Path

from django.conf import settings

logger = logging.getLogger(__name__)

FAMILY = "Certificate Serif SC"  # the @font-face name the stylesheet uses
POSTSCRIPT_NAME = "CertificateSerifSC-Regular"  # shown by pdffonts; no "Noto" (see tests)
SOURCE_PATTERN = "Noto Serif CJK SC:style=Regular"
# Bump when the character set or the build changes: the cache key includes it.
BUILD_VERSION = "4"
# Features HarfBuzz applies by default to horizontal Han and Latin text (not the vertical
# ones: the certificate is horizontal).
LAYOUT_FEATURES = [
    "abvm",
    "blwm",
    "calt",
    "ccmp",
    "clig",
    "curs",
    "dist",
    "kern",
    "liga",
    "locl",
    "mark",
    "mkmk",
    "rclt",
    "rlig",
]


# Language systems kept: the default and Simplified Chinese ("ZHS": its "locl" gives the
# Chinese full-width em dash, ellipsis and quotes of zh-Hans text), for every script of
# the face.  Japanese, Korean and Traditional "locl" forms would add ~5,500 glyphs that a
# Simplified Chinese certificate never uses.
LAYOUT_SCRIPTS = [
    f"{script}.{lang}"
    for script in ("DFLT", "cyrl", "grek", "hang", "hani", "kana", "latn")
    for lang in ("dflt", "ZHS")
]


def certificate_characters() -> set[int]:
    """The code points kept: ASCII, Latin-1, general punctuation, CJK symbols and
    punctuation, half- and fullwidth forms, and every character GB 2312 can encode."""
    kept = set(range(0x20, 0x7F)) | set(range(0xA0, 0x100))
    kept |= set(range(0x2000, 0x2070)) | set(range(0x3000, 0x3040)) | set(range(0xFF00, 0xFFF0))
    for code in range(0x80, 0x10000):
        if 0xD800 <= code < 0xE000:
            continue
        try:
            chr(code).encode("gb2312")
        except UnicodeEncodeError:
            continue
        kept.add(code)
    return kept


def source_font() -> tuple[Path, int] | None:
    """Noto Serif CJK SC Regular as Fontconfig finds it (file, face index in a .ttc), or
    Debian's fonts-noto-cjk file where ``fc-match`` is not installed."""
    return _fontconfig_source() or _debian_source()


def _debian_source() -> tuple[Path, int] | None:
    from fontTools.ttLib import TTCollection

    path = Path("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc")
    if not path.exists():
        return None
    for index, face in enumerate(TTCollection(str(path), lazy=True).fonts):
        if face["name"].getDebugName(1) == "Noto Serif CJK SC":
            return path, index
    return None


def _fontconfig_source() -> tuple[Path, int] | None:
    try:
        # A fixed command on the PATH, no input from outside.
        found = subprocess.run(  # noqa: S603
            ["fc-match", "-f", "%{family}\t%{file}\t%{index}", SOURCE_PATTERN],  # noqa: S607
            check=True,
            capture_output=True,
            text=True,
            timeout=30,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    family, _, rest = found.partition("\t")
    file, _, index = rest.partition("\t")
    if "Noto Serif CJK SC" not in family.split(",") or not file:
        return None  # Fontconfig's nearest substitute is not the font this is made from
    return Path(file), int(index or 0)


def build_compact_font(source: Path, index: int) -> bytes:
    """The compact font program (OpenType/CFF, CID-keyed) made from ``source``."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(str(source), fontNumber=index, lazy=True)
    head = font["head"]
    bbox = (
        list(font["CFF "].cff.topDictIndex[0].FontBBox),
        (head.xMin, head.yMin, head.xMax, head.yMax),
    )
    options = subset.Options()
    options.retain_gids = False
    options.layout_features = LAYOUT_FEATURES
    options.layout_scripts = LAYOUT_SCRIPTS
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    # WeasyPrint's own pass drops hints and subroutines from what it embeds; done here
    # once, it has less to do on every render.
    options.hinting = False
    options.desubroutinize = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=certificate_characters() & set(font.getBestCmap()))
    quiet = logging.getLogger("fontTools")
    level = quiet.level
    quiet.setLevel(logging.WARNING)  # its subsetter logs every glyph name at INFO
    try:
        subsetter.subset(font)
    finally:
        quiet.setLevel(level)
    _rename(font)
    first = io.BytesIO()
    font.save(first)

    # The subset keeps the source's CIDs (glyph 7,585 is still CID 58,956), but WeasyPrint
    # writes glyph ids as CIDs (Identity-H) and PDF viewers look a CID-keyed CFF's glyphs up
    # by CID: number the CIDs like the glyphs.  Only the CFF table and the glyph order
    # change; every other table is copied as it is (they refer to glyphs by number).
    # The font's bounding box stays the source's: Poppler sizes its glyph bitmaps by it, and
    # a smaller box changed the anti-aliasing of large text (same outlines, same places).
    font = TTFont(first, recalcBBoxes=False)
    font["CFF "].cff.topDictIndex[0].FontBBox = bbox[0]
    head = font["head"]
    head.xMin, head.yMin, head.xMax, head.yMax = bbox[1]
    old = font.getGlyphOrder()
    new = [".notdef"] + [f"cid{gid:05d}" for gid in range(1, len(old))]
    top = font["CFF "].cff.topDictIndex[0]
    charstrings = top.CharStrings.charStrings
    top.CharStrings.charStrings = {new[gid]: charstrings[name] for gid, name in enumerate(old)}
    top.charset = list(new)
    font.setGlyphOrder(new)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def _rename(font: object) -> None:
    """A family and PostScript name of its own, so Fontconfig never mistakes it for the
    system font; the copyright and licence records (OFL) stay as they were."""
    names = font["name"]  # type: ignore[index]
    for record in names.names:
        if record.nameID in (1, 4, 16):
            record.string = FAMILY
        elif record.nameID == 3:
            record.string = f"{POSTSCRIPT_NAME};{BUILD_VERSION}"
        elif record.nameID == 6:
            record.string = POSTSCRIPT_NAME
        elif record.nameID == 17:
            record.string = "Regular"
    cff = font["CFF "].cff  # type: ignore[index]
    cff.fontNames = [POSTSCRIPT_NAME]
    top = cff.topDictIndex[0]
    for key in ("FullName", "FamilyName"):
        if hasattr(top, key):
            setattr(top, key, FAMILY)


def _cache_name(source: Path, index: int) -> str:
    stat = source.stat()
    key = f"{BUILD_VERSION}|{source}|{index}|{stat.st_size}|{stat.st_mtime_ns}"
    return f"certificate-serif-sc-{hashlib.sha256(key.encode()).hexdigest()[:12]}.otf"


def ensure_compact_font() -> Path:
    """The compact font's file, built now if it is not there yet (raises if it cannot be).

    Several processes may start at once (test workers, Celery workers): the first takes the
    lock and builds, the others wait for it and then find the file; a reader never sees a
    half-written file (written aside, then renamed)."""
    found = source_font()
    if found is None:
        raise FileNotFoundError(f"Fontconfig has no {SOURCE_PATTERN}")
    source, index = found
    directory = Path(settings.CERTIFICATE_FONT_CACHE)
    path = directory / _cache_name(source, index)
    if path.exists():
        return path
    directory.mkdir(parents=True, exist_ok=True)
    with (directory / ".build.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if path.exists():
            return path
        data = build_compact_font(source, index)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(data)
        tmp.replace(path)
        for stale in directory.glob("certificate-serif-sc-*.otf"):
            if stale != path:  # made from an older system font or by an older build
                stale.unlink(missing_ok=True)
    return path


@cache
def compact_font_path() -> Path | None:
    """``ensure_compact_font()``, once per process; ``None`` (and a warning) if it fails:
    the certificate is then drawn with the system font alone."""
    try:
        return ensure_compact_font()
    except Exception:
        logger.warning(
            "Certificate font: no compact font, drawing with the system font", exc_info=True
        )
        return None
