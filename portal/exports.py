"""Export a list page's rows as CSV or XLSX (shared by every list that offers an export).

A view builds the same QuerySet its page shows (filters applied, all matching rows, not
just one page), describes the columns, and returns ``export_response``:

* CSV streams (``StreamingHttpResponse`` over ``QuerySet.iterator(chunk_size=...)``), starts
  with a UTF-8 BOM so Excel reads Chinese correctly;
* XLSX is written row by row with openpyxl's write-only workbook into a temporary file
  and returned with ``FileResponse``.

Both guard against formula injection: a text cell starting with ``= + - @`` (or a tab or
carriage return) gets a leading apostrophe, so a spreadsheet shows it as text.
"""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Generic, TypeVar

from django.db.models import Model, QuerySet
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.utils import timezone, translation
from django.utils.functional import Promise
from openpyxl import Workbook

T = TypeVar("T")
M = TypeVar("M", bound=Model)

CSV = "csv"
XLSX = "xlsx"
FORMATS = (CSV, XLSX)
CHUNK_SIZE = 2000
BOM = "\ufeff"
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

Cell = str | int | float | Decimal | dt.date | dt.datetime | None


@dataclass(frozen=True)
class Column(Generic[T]):
    """One exported column: its (translatable) header and how to read it from a row."""

    header: str | Promise
    value: Callable[[T], Any]


def chunked(rows: QuerySet[M], size: int = CHUNK_SIZE) -> Iterator[list[M]]:
    """``rows`` in lists of ``size``, read with one cursor (for per-chunk look-ups)."""
    chunk: list[M] = []
    for row in rows.iterator(chunk_size=size):
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def escape_formula(value: str) -> str:
    """``=1+1`` → ``'=1+1``: a spreadsheet must never run text from the database."""
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def cell_value(value: Any) -> Cell:
    """A safe, spreadsheet-friendly value: text escaped, datetimes local and naive."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(tzinfo=None, microsecond=0)
    if isinstance(value, int | float | Decimal | dt.date):
        return value
    return escape_formula(str(value))


def _csv_text(value: Cell) -> str:
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    return "" if value is None else str(value)


class _Echo:
    """A file-like object whose ``write`` returns the line (the csv module's streaming idiom)."""

    def write(self, value: str) -> str:
        return value


def _rows(rows: Iterable[T], columns: Sequence[Column[T]]) -> Iterator[list[Cell]]:
    items = rows.iterator(chunk_size=CHUNK_SIZE) if isinstance(rows, QuerySet) else rows
    for item in items:
        yield [cell_value(column.value(item)) for column in columns]


def _csv_response(
    headers: list[str], rows: Iterator[list[Cell]], filename: str, language: str | None
) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        # The rows are read while the response streams, after the view returned.
        with translation.override(language):
            yield BOM + writer.writerow(headers)
            for row in rows:
                yield writer.writerow([_csv_text(v) for v in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def _xlsx_response(
    headers: list[str], rows: Iterator[list[Cell]], filename: str, title: str
) -> FileResponse:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31] or "Sheet1")
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    # Anonymous temporary file: gone when FileResponse closes it.
    output = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 (closed by FileResponse)
    workbook.save(output)
    output.seek(0)
    return FileResponse(
        output,
        as_attachment=True,
        filename=f"{filename}.xlsx",
        content_type=XLSX_CONTENT_TYPE,
    )


def export_response(
    *,
    rows: Iterable[T],
    columns: Sequence[Column[T]],
    fmt: str,
    filename: str,
    title: str = "",
) -> HttpResponseBase:
    """Every row of ``rows`` (a QuerySet is iterated in chunks) as a CSV or XLSX download."""
    if fmt not in FORMATS:
        raise Http404("unknown export format")
    headers = [escape_formula(str(column.header)) for column in columns]
    data = _rows(rows, columns)
    if fmt == CSV:
        return _csv_response(headers, data, filename, translation.get_language())
    return _xlsx_response(headers, data, filename, escape_formula(title or filename))
