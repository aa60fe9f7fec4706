"""Concatenating PDFs with pyHanko's reader and writer (pypdf is not in the lock).

``pdfs_merge(parts) -> bytes`` copies every page of every input, in order, into one new
document.  A page's signature widget is dropped on the way (a signature covers the bytes of
its own file, so it could never be valid inside another one); everything else the page
draws (text, fonts, the seal, the QR code) and its link annotations are kept.  The merged
file is a print copy; the signed originals are what the ZIP holds (decision 0013).
"""

from __future__ import annotations

from collections.abc import Iterable
from io import BytesIO

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.writer import PdfFileWriter, _ObjectImporter

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


def pdfs_merge(parts: Iterable[bytes]) -> bytes:
    """One PDF with the pages of ``parts`` in order."""
    writer = PdfFileWriter(init_page_tree=True)
    for data in parts:
        reader = PdfFileReader(BytesIO(data), strict=False)
        # One reference map per input file, so objects its pages share (fonts, the seal)
        # are copied once: ``writer.import_object`` starts a new map on every call, and the
        # page copies made here are not read from a file (no container to import from).
        importer = _ObjectImporter(source=reader, target=writer, reference_map={}, obj_stream=None)
        for page in [importer.import_object(_page_copy(p)) for p in _pages(reader)]:
            writer.insert_page(page)
    out = BytesIO()
    writer.write(out)
    return out.getvalue()
