"""The sheet employers upload to enter records for their staff: columns, template, reading.

* The type is detected from the content, never from the name: an XLSX file is a ZIP holding
  ``[Content_Types].xml`` and ``xl/workbook.xml``; anything else must be text in UTF-8 (with
  or without BOM) or GB18030 (what Excel on a Chinese Windows saves) without NUL bytes. A PDF,
  an image, an old ``.xls`` or any other binary file is refused whatever its name says.
* Caps: ``SHEET_MAX_BYTES`` per file, ``SHEET_MAX_ROWS`` data rows, and an XLSX may unpack
  to at most ``XLSX_MAX_UNPACKED_BYTES`` (a small ZIP can unpack to gigabytes).
* The first non-empty row names the columns (Chinese headers as in the template, or the
  English keys); the order is free, unknown columns are ignored. Lines are numbered as a
  spreadsheet shows them (the header is line 1 when it is the first row).
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

SHEET_MAX_BYTES = 5 * 1024 * 1024
SHEET_MAX_ROWS = 10_000
XLSX_MAX_UNPACKED_BYTES = 60 * 1024 * 1024

CSV = "csv"
XLSX = "xlsx"

_ZIP_MAGIC = b"PK\x03\x04"
_BINARY_MAGIC = (
    b"%PDF-",
    b"\xff\xd8\xff",  # JPEG
    b"\x89PNG",
    b"\xd0\xcf\x11\xe0",  # OLE2: .xls, .doc
    b"GIF8",
    b"\x1f\x8b",  # gzip
    b"Rar!",
    b"7z\xbc\xaf",
)


@dataclass(frozen=True)
class Column:
    """One column of the sheet: the key the services use, its Chinese header, whether a row
    must fill it, and the example value of the template."""

    key: str
    header: str
    required: bool
    example: Any


# The template's columns, in order. Headers are Chinese whatever the UI language: the sheet
# is a form of the Guangdong system, and the example row shows the accepted values.
COLUMNS: tuple[Column, ...] = (
    Column("id_number", "身份证号码", True, "440105199001010017"),
    Column("real_name", "姓名", True, "张三"),
    Column("year", "年度", True, 2023),
    Column("category", "类别", True, "专业科目"),
    Column("series", "专业系列", False, "工程"),
    Column("amount", "学时", True, 16),
    Column("unit", "计量单位", False, "学时"),
    Column("title", "内容", True, "建筑工程质量安全专题培训"),
    Column("form", "形式", True, "面授培训"),
    Column("start_date", "开始日期", True, date(2023, 5, 8)),
    Column("end_date", "结束日期", True, date(2023, 5, 9)),
    Column("assessment_result", "考核结果", False, "合格"),
    Column("institution_name", "施教机构", False, "广州市专业技术人员继续教育基地"),
    Column("kind", "类型", False, "普通"),
)
COLUMN_BY_KEY = {column.key: column for column in COLUMNS}
_HEADER_TO_KEY = {
    **{column.header: column.key for column in COLUMNS},
    **{column.key: column.key for column in COLUMNS},
}


@dataclass(frozen=True)
class SheetRow:
    """One data row: its line number and its values by column key (raw cell values)."""

    line: int
    values: dict[str, Any]


@dataclass(frozen=True)
class LineError:
    """A problem found in the sheet: its line, the column's header ("" for the whole row)
    and the message."""

    line: int
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "column": self.column, "message": self.message}


class SheetError(ValidationError):
    """The file as a whole cannot be read (wrong type, too big, no header…)."""


def sheet_format(content: bytes) -> str:
    """``"xlsx"`` or ``"csv"`` from the content, or ``SheetError``."""
    if not content:
        raise SheetError(_("The file is empty."), code="sheet_empty")
    if len(content) > SHEET_MAX_BYTES:
        raise SheetError(
            _("The file is %(size).1f MB; a sheet may be at most %(max)d MB.")
            % {"size": len(content) / (1024 * 1024), "max": SHEET_MAX_BYTES // (1024 * 1024)},
            code="sheet_too_large",
        )
    if content.startswith(_ZIP_MAGIC):
        _check_xlsx_zip(content)
        return XLSX
    if content.startswith(_BINARY_MAGIC) or b"\x00" in content:
        raise _not_a_sheet()
    _decode(content)
    return CSV


def _not_a_sheet() -> SheetError:
    return SheetError(
        _(
            "The file's content is not an Excel workbook (.xlsx) or a CSV text file, whatever "
            "its name says. Save the sheet as .xlsx or CSV and upload it again."
        ),
        code="sheet_type",
    )


def _check_xlsx_zip(content: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise _not_a_sheet() from exc
    names = {info.filename for info in infos}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise _not_a_sheet()
    if sum(info.file_size for info in infos) > XLSX_MAX_UNPACKED_BYTES or len(infos) > 1_000:
        raise SheetError(
            _("This workbook unpacks to too much data for a sheet of records."),
            code="sheet_too_large",
        )


def _decode(content: bytes) -> str:
    if content.startswith(b"\xef\xbb\xbf"):
        content = content[3:]
    for encoding in ("utf-8", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise SheetError(
        _("The CSV file is neither UTF-8 nor GB18030 text. Save it as “CSV UTF-8” and retry."),
        code="sheet_encoding",
    )


def _cells(fmt: str, content: bytes) -> Iterator[tuple[int, list[Any]]]:
    """(line number, cell values) of every row of the first worksheet."""
    if fmt == XLSX:
        from openpyxl import load_workbook

        try:
            workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds on a broken workbook
            raise _not_a_sheet() from exc
        try:
            sheet = workbook.worksheets[0]
            for line, row in enumerate(sheet.iter_rows(values_only=True), start=1):
                yield line, list(row)
        finally:
            workbook.close()
        return
    reader = csv.reader(io.StringIO(_decode(content), newline=""))
    try:
        for row in reader:
            yield reader.line_num, list(row)
    except csv.Error as exc:
        raise SheetError(
            _("Line %(line)d cannot be read as CSV: %(error)s")
            % {"line": reader.line_num, "error": exc},
            code="sheet_csv",
        ) from exc


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def sheet_rows(fmt: str, content: bytes, columns: tuple[Column, ...] = COLUMNS) -> list[SheetRow]:
    """The data rows under the header, blank rows left out; ``SheetError`` when the header
    lacks a required column or there are no or too many rows.  ``columns``: another sheet's
    columns (default: the employer's records sheet)."""
    header_to_key = (
        _HEADER_TO_KEY
        if columns is COLUMNS
        else {**{c.header: c.key for c in columns}, **{c.key: c.key for c in columns}}
    )
    header: list[str | None] | None = None
    header_line = 0
    rows: list[SheetRow] = []
    for line, cells in _cells(fmt, content):
        if all(_blank(cell) for cell in cells):
            continue
        if header is None:
            header = [header_to_key.get(str(cell).strip()) if cell else None for cell in cells]
            header_line = line
            missing = [c.header for c in columns if c.required and c.key not in header]
            if missing:
                raise SheetError(
                    _(
                        "Line %(line)d should name the columns as the template does; these are "
                        "missing: %(columns)s."
                    )
                    % {"line": line, "columns": "、".join(missing)},
                    code="sheet_header",
                )
            continue
        values = {key: cells[i] for i, key in enumerate(header) if key and i < len(cells)}
        rows.append(SheetRow(line=line, values=values))
        if len(rows) > SHEET_MAX_ROWS:
            raise SheetError(
                _("The sheet has more than %(max)d rows; split it into several files.")
                % {"max": SHEET_MAX_ROWS},
                code="sheet_too_many_rows",
            )
    if header is None:
        raise SheetError(_("The sheet is empty."), code="sheet_empty")
    if not rows:
        raise SheetError(
            _("The sheet has no rows under the header on line %(line)d.") % {"line": header_line},
            code="sheet_no_rows",
        )
    return rows


# --- The template ------------------------------------------------------------------------------


def template_rows(columns: tuple[Column, ...] = COLUMNS) -> list[list[Any]]:
    """The template: the header row and one example row."""
    return [[c.header for c in columns], [c.example for c in columns]]


def template_csv(columns: tuple[Column, ...] = COLUMNS) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    for row in template_rows(columns):
        writer.writerow([v.isoformat() if isinstance(v, date) else v for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def template_xlsx(columns: tuple[Column, ...] = COLUMNS, title: str = "继续教育记录") -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = title
    header, example = template_rows(columns)
    sheet.append(header)
    sheet.append(example)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for index, column in enumerate(columns, start=1):
        letter = sheet.cell(row=1, column=index).column_letter
        sheet.column_dimensions[letter].width = max(12, len(column.header) * 2 + 4)
        example_cell = sheet.cell(row=2, column=index)
        if column.key == "id_number":
            example_cell.number_format = "@"  # text: Excel would round an 18-digit number
        elif isinstance(column.example, date | datetime):
            example_cell.number_format = "yyyy-mm-dd"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
