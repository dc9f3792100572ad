"""Workbooks and CSV as an office makes them, shared by every XLSX and CSV renderer.

The performance office sends these files on as they are, so each sheet is
ready to print and to sum: a bold header row that stays frozen and repeats on
every printed page, columns wide enough for their text (a CJK character
counts double), numbers stored as numbers with the rule set's places as the
number format (never text, which Excel flags and SUM skips), A4 landscape
fitted to the page width.  CSV starts with the UTF-8 byte order mark, without
which Excel on Chinese Windows reads the file as GBK and shows garbled text.
The same content always gives the same bytes (``fixed_zip``).
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

from dsl.diagnostics import display_width
from runtime.render.files import fixed_zip

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

Cell = str | int | Decimal | datetime.date | None

BOM = "\ufeff"
_MAX_WIDTH = 60  # a long text column wraps in print rather than pushing others off the page
_FIXED = datetime.datetime(2000, 1, 1)


def number_format(places: int) -> str:
    """Excel's format for ``places`` decimals: ``0`` or ``0.00``."""
    return "0" if places <= 0 else "0." + "0" * places


def new_workbook(title: str = "") -> Workbook:
    """An empty workbook (its one sheet still to be filled) with fixed dates."""
    import openpyxl  # only when a workbook is written

    workbook = openpyxl.Workbook()
    workbook.properties.created = _FIXED
    workbook.properties.modified = _FIXED
    if title:
        workbook.properties.title = title
    return workbook


def sheet_title(name: str, taken: Sequence[str]) -> str:
    """A valid sheet title from ``name``: at most 31 characters, none of
    ``[]:*?/\\``, distinct from ``taken`` (a number appended)."""
    base = re.sub(r"[\[\]:*?/\\]", "_", name).strip("'") or "_"
    title, number = base[:31], 2
    while title in taken:
        suffix = f"({number})"
        title, number = base[: 31 - len(suffix)] + suffix, number + 1
    return title


def fill_sheet(
    sheet: Worksheet,
    heads: Sequence[str],
    rows: Sequence[Sequence[Cell]],
    places: int = 2,
    header: str = "",
    footer: str = "",
) -> None:
    """Write ``heads`` and ``rows`` to ``sheet`` and make it ready to print:
    bold frozen header repeated on every page, widths, number and date
    formats, A4 landscape fitted to one page wide.  ``header``/``footer`` are
    printed at the top/bottom of every page (a title, signature lines)."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.properties import PageSetupProperties

    sheet.append(list(heads))
    for row in rows:
        sheet.append(list(row))
    bold = Font(bold=True)
    for cell in sheet[1]:
        cell.font = bold
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    decimals = number_format(places)
    for number, head in enumerate(heads, start=1):
        letter = get_column_letter(number)
        width = display_width(head)
        for row in rows:
            value = row[number - 1] if number <= len(row) else None
            width = max(width, _width(value, places))
        sheet.column_dimensions[letter].width = min(width, _MAX_WIDTH) + 2
        for cell in sheet[letter][1:]:
            if isinstance(cell.value, datetime.date):
                cell.number_format = "yyyy-mm-dd"
            elif isinstance(cell.value, Decimal | float):
                cell.number_format = decimals
    sheet.freeze_panes = "A2"
    sheet.print_title_rows = "1:1"
    setup = sheet.page_setup
    setup.paperSize = sheet.PAPERSIZE_A4
    setup.orientation = sheet.ORIENTATION_LANDSCAPE
    setup.fitToWidth = 1
    setup.fitToHeight = 0  # as many pages down as the rows need
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.print_options.gridLines = True
    top, bottom = sheet.oddHeader, sheet.oddFooter
    assert top is not None and bottom is not None
    if header:
        top.center.text = header.replace("&", "&&")  # & starts a code in Excel's headers
    if footer:
        bottom.left.text = footer.replace("&", "&&")
    bottom.right.text = "&P / &N"  # page of pages


def _width(value: Cell, places: int) -> int:
    if value is None:
        return 0
    if isinstance(value, datetime.date):
        return 10
    if isinstance(value, Decimal):
        return len(f"{value:.{max(places, 0)}f}")
    return display_width(str(value))


def workbook_bytes(workbook: Workbook) -> bytes:
    """The saved workbook, byte-identical for the same content."""
    buffer = io.BytesIO()
    workbook.save(buffer)
    return fixed_zip(buffer.getvalue())


def csv_text(heads: Sequence[str], rows: Sequence[Sequence[Cell]]) -> str:
    """CSV for Excel: the byte order mark, then ``heads`` and ``rows``; numbers
    unquoted (they are written as digits, which need no quotes)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(heads)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return BOM + buffer.getvalue()
