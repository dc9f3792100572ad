"""Reading data files as tables of text cells: CSV files and XLSX workbooks.

Every table is a header row and numbered rows of cell text; each sheet of a
workbook is a table of its own, shown as ``file.xlsx (sheet 名称)`` in every
message.  Cells become text here and are read by their input's kind later,
the same way for both formats.  A number Excel stores is taken as the
shortest decimal that round-trips it (what Excel displays, ``0.1`` not
``0.1000000000000000055…``), so no binary float reaches a score.
"""

from __future__ import annotations

import csv
import datetime
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

DATA_SUFFIXES = (".csv", ".xlsx")


@dataclass(frozen=True, slots=True)
class Table:
    shown: str  # "file.csv" or "file.xlsx (sheet 科室)"
    header: list[str]
    rows: list[tuple[int, list[str]]]  # (row number in the file or sheet, cells)


class TableError(Exception):
    """A data file that cannot be read at all."""


def data_files(location: Path) -> list[Path]:
    if location.is_dir():
        return sorted(p for p in location.iterdir() if p.suffix.lower() in DATA_SUFFIXES)
    return [location]


def read_tables(path: Path) -> list[Table]:
    if path.suffix.lower() == ".xlsx":
        return _xlsx(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise TableError(str(error)) from None
    rows = csv.reader(text.splitlines())
    header = [cell.strip() for cell in next(rows, [])]
    numbered = [
        (n, cells) for n, cells in enumerate(rows, start=2) if any(c.strip() for c in cells)
    ]
    return [Table(str(path), header, numbered)]


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(Decimal(repr(value)))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


def _xlsx(path: Path) -> list[Table]:
    import openpyxl  # only when a workbook is read
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (OSError, InvalidFileException, KeyError, ValueError) as error:
        raise TableError(str(error)) from None
    tables = []
    try:
        for sheet in workbook.worksheets:
            rows = sheet.iter_rows(values_only=True)
            header = [_text(v) for v in next(rows, ())]
            numbered = []
            for number, values in enumerate(rows, start=2):
                cells = [_text(v) for v in values]
                if any(cells):
                    numbered.append((number, cells))
            tables.append(Table(f"{path} (sheet {sheet.title})", header, numbered))
    finally:
        workbook.close()
    return tables
