"""Concatenating PDFs with pyHanko's reader (pypdf is not in the lock), in two steps so
bulk printing can do the expensive one in parallel chunks (decision 0013).

``pdf_section(parts, first_id=…, max_id=…)`` copies every page of every input, in order, as
objects numbered from ``first_id`` (each chunk gets its own range), serialised;
``pdf_sections_join(sections)`` writes one PDF of all the sections by copying their bytes
and adding the page tree, catalogue and cross-reference table (no parsing, so the serial
last step stays cheap).  A page's signature widget is dropped on the way (a signature
covers the bytes of its own file, so it could never be valid inside another one);
everything else the page draws (text, fonts, the seal, the QR code) and its link
annotations are kept.  The merged file is a print copy; the signed originals are what
the ZIP holds (decision 0013).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from io import BytesIO

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.writer import _ObjectImporter

# Page keys copied to the new page (/Parent is the new tree's; /Annots is filtered).
PAGE_KEYS = ("/Resources", "/MediaBox", "/CropBox", "/BleedBox", "/TrimBox", "/Rotate")


def _pages(reader: PdfFileReader) -> Iterable[generic.DictionaryObject]:
    def walk(node: generic.DictionaryObject) -> Iterable[generic.DictionaryObject]:
        if node.get("/Type") == "/Pages":
            for kid in node["/Kids"]:
                yield from walk(kid.get_object())
        else:
            yield node

    yield from walk(reader.root["/Pages"])


def _inherited(page: generic.DictionaryObject, key: str) -> generic.PdfObject | None:
    node: generic.PdfObject | None = page
    while isinstance(node, generic.DictionaryObject):
        if key in node:
            return node.raw_get(key)
        parent = node.get("/Parent")
        node = parent.get_object() if parent is not None else None
    return None


def _link_annotations(page: generic.DictionaryObject) -> generic.ArrayObject:
    links = generic.ArrayObject()
    for ref in page.get("/Annots", generic.ArrayObject()):
        annotation = ref.get_object()
        if annotation.get("/Subtype") == "/Link":
            copy = generic.DictionaryObject(
                {k: v for k, v in annotation.items() if k not in ("/P", "/Parent")}
            )
            links.append(copy)
    return links


def _page_copy(page: generic.DictionaryObject) -> generic.DictionaryObject:
    """The page without its place in the old tree, its signature widget or form fields."""
    new = generic.DictionaryObject({generic.NameObject("/Type"): generic.NameObject("/Page")})
    for key in PAGE_KEYS:
        value = _inherited(page, key)
        if value is not None:
            new[generic.NameObject(key)] = value
    if "/Contents" in page:
        new[generic.NameObject("/Contents")] = page.raw_get("/Contents")
    links = _link_annotations(page)
    if links:
        new[generic.NameObject("/Annots")] = links
    return new


# --- Joining in two steps: chunks write numbered objects, the join only copies bytes --------

PAGES_ID, CATALOG_ID = 1, 2
OBJECTS_PER_CERTIFICATE = 400  # a certificate has about 40 objects: room to spare


class _Objects:
    """A minimal import target for ``_ObjectImporter``: numbers objects from ``first``."""

    def __init__(self, first: int) -> None:
        self.next_id = first
        self.objects: dict[int, generic.PdfObject] = {}

    def allocate_placeholder(self) -> generic.IndirectObject:
        self.next_id += 1
        return generic.IndirectObject(self.next_id - 1, 0, self)

    def add_object(
        self, obj: generic.PdfObject, obj_stream: object = None, idnum: int | None = None
    ) -> generic.IndirectObject:
        if idnum is None:
            idnum = self.allocate_placeholder().idnum
        self.objects[idnum] = obj
        return generic.IndirectObject(idnum, 0, self)


@dataclass(frozen=True)
class PdfSection:
    """Numbered objects of some pages, ready to be joined: ``body`` holds ``N 0 obj … endobj``
    for every object; ``offsets`` maps each object number to its offset in ``body``;
    ``pages`` lists the page objects' numbers in order."""

    body: bytes
    offsets: dict[int, int]
    pages: list[int]


def pdf_section(parts: Iterable[bytes], *, first_id: int, max_id: int) -> PdfSection:
    """The pages of ``parts`` as a section numbered from ``first_id`` (below ``max_id``),
    whose pages point at the joined document's page tree (object 1)."""
    target = _Objects(first_id)
    pages: list[int] = []
    parent = generic.IndirectObject(PAGES_ID, 0, target)
    for data in parts:
        reader = PdfFileReader(BytesIO(data), strict=False)
        importer = _ObjectImporter(
            source=reader,
            # It needs only allocate_placeholder and add_object, which _Objects has.
            target=target,  # type: ignore[arg-type]
            reference_map={},
            obj_stream=None,
        )
        for page in _pages(reader):
            new = importer.import_object(_page_copy(page))
            assert isinstance(new, generic.DictionaryObject)
            new[generic.NameObject("/Parent")] = parent
            pages.append(target.add_object(new).idnum)
    if target.next_id > max_id:
        raise ValueError(f"section needs objects up to {target.next_id}, limit {max_id}")
    out = BytesIO()
    offsets = {}
    for idnum in sorted(target.objects):
        offsets[idnum] = out.tell()
        out.write(b"%d 0 obj\n" % idnum)
        target.objects[idnum].write_to_stream(out, None)
        out.write(b"\nendobj\n")
    return PdfSection(out.getvalue(), offsets, pages)


def pdf_sections_join(sections: Iterable[PdfSection]) -> bytes:
    """One PDF of the sections' pages in order, by copying their bytes (no parsing): the page
    tree and catalogue are written here, with a cross-reference table of every object."""
    out = BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets: dict[int, int] = {}
    kids: list[int] = []
    for section in sections:
        base = out.tell()
        out.write(section.body)
        for idnum, offset in section.offsets.items():
            offsets[idnum] = base + offset
        kids.extend(section.pages)
    offsets[PAGES_ID] = out.tell()
    refs = b" ".join(b"%d 0 R" % kid for kid in kids)
    out.write(
        b"%d 0 obj\n<< /Type /Pages /Kids [%s] /Count %d >>\nendobj\n" % (PAGES_ID, refs, len(kids))
    )
    offsets[CATALOG_ID] = out.tell()
    out.write(b"%d 0 obj\n<< /Type /Catalog /Pages %d 0 R >>\nendobj\n" % (CATALOG_ID, PAGES_ID))
    xref = out.tell()
    numbers = sorted(offsets)
    out.write(b"xref\n0 1\n0000000000 65535 f \n")
    run: list[int] = []
    for idnum in [*numbers, -1]:
        if run and idnum != run[-1] + 1:
            out.write(b"%d %d\n" % (run[0], len(run)))
            out.write(b"".join(b"%010d 00000 n \n" % offsets[n] for n in run))
            run = []
        run.append(idnum)
    out.write(
        b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n"
        % (numbers[-1] + 1, CATALOG_ID, xref)
    )
    return out.getvalue()
