"""Reading period data: wide CSV tables, one row per subject and period.

Every cell is read by the kind its input declares (numbers as Decimal,
percentages such as ``85%``, whole counts, levels of an enumeration, dates,
yes/no), checked against the declared range, and an empty cell means what the
rule says (an error, "exempt", or a default).  Every problem names the data
file, row and column; all of them are collected before anything is reported,
so one run shows the whole list of what to fix.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from compiler import ir
from dsl.diagnostics import Diagnostic

PERIOD_COLUMN = "period"
SUBJECT_COLUMN = "subject"
NAME_COLUMN = "name"
_TRUE = {"true", "yes", "1", "是", "真", "有"}
_FALSE = {"false", "no", "0", "否", "假", "无"}


@dataclass(frozen=True, slots=True)
class Row:
    """One subject's inputs for one period, with where they came from."""

    period: str
    subject: str
    name: str
    values: tuple[object, ...]  # in program.inputs order
    source: str  # "file:row"


@dataclass
class Dataset:
    rows: list[Row] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def periods(self) -> list[str]:
        return sorted({row.period for row in self.rows})


def _where(path: str, row: int, column: str | None = None) -> str:
    return f"{path}:{row}" + (f" [{column}]" if column else "")


def load_data(program: ir.Program, location: str) -> Dataset:
    """Read every ``.csv`` table of a data folder (or one file)."""
    dataset = Dataset()
    path = Path(location)
    if not path.exists():
        dataset.diagnostics.append(Diagnostic("E0801", {"path": location}, None, location=location))
        return dataset
    files = sorted(path.glob("*.csv")) if path.is_dir() else [path]
    seen: dict[tuple[str, str], str] = {}
    for file in files:
        _load_table(program, file, dataset, seen)
    return dataset


def _load_table(
    program: ir.Program, file: Path, dataset: Dataset, seen: dict[tuple[str, str], str]
) -> None:
    shown = str(file)
    try:
        text = file.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        dataset.diagnostics.append(
            Diagnostic("E0902", {"path": shown, "problem": str(error)}, None, location=shown)
        )
        return
    reader = csv.reader(text.splitlines())
    header = next(reader, [])
    columns = {name.strip(): index for index, name in enumerate(header)}
    problems: list[Diagnostic] = []
    for needed in (PERIOD_COLUMN, SUBJECT_COLUMN):
        if needed not in columns:
            problems.append(
                Diagnostic("E0804", {"column": needed}, None, location=_where(shown, 1))
            )
    for input_field in program.inputs:
        if input_field.name not in columns and input_field.missing == "error":
            problems.append(
                Diagnostic("E0804", {"column": input_field.name}, None, location=_where(shown, 1))
            )
    if problems:
        dataset.diagnostics.extend(problems)
        return
    for number, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        cells = cells + [""] * (len(header) - len(cells))
        period = cells[columns[PERIOD_COLUMN]].strip()
        subject = cells[columns[SUBJECT_COLUMN]].strip()
        name = cells[columns[NAME_COLUMN]].strip() if NAME_COLUMN in columns else subject
        key = (period, subject)
        if key in seen:
            dataset.diagnostics.append(
                Diagnostic(
                    "E0805",
                    {"row": number, "subject": subject, "first": seen[key]},
                    None,
                    location=_where(shown, number, SUBJECT_COLUMN),
                )
            )
            continue
        seen[key] = f"{shown}:{number}"
        values: list[object] = []
        ok = True
        for input_field in program.inputs:
            index = columns.get(input_field.name)
            raw = cells[index].strip() if index is not None else ""
            value, problem = read_cell(input_field, raw, shown, number)
            if problem is not None:
                dataset.diagnostics.append(problem)
                ok = False
            values.append(value)
        if ok:
            dataset.rows.append(Row(period, subject, name, tuple(values), f"{shown}:{number}"))


def read_cell(
    input_field: ir.InputField, raw: str, path: str, row: int
) -> tuple[object, Diagnostic | None]:
    """One cell as the value its input declares, or the located problem."""
    where = _where(path, row, input_field.name)
    args: dict[str, object] = {"row": row, "column": input_field.name, "text": raw}
    if raw == "":
        if input_field.missing == "default":
            return input_field.default, None
        if input_field.missing == "exempt":
            return None, None
        return None, Diagnostic("E0803", args, None, location=where, help=("E0803.help", {}))
    kind = input_field.kind
    if input_field.type.kind == "number":
        text = raw.replace(",", "")
        try:
            value = Decimal(text[:-1]) / 100 if text.endswith("%") else Decimal(text)
        except InvalidOperation:
            return None, Diagnostic("E0802", args, None, location=where)
        if not value.is_finite():
            return None, Diagnostic("E0802", args, None, location=where)
        if kind in ("integer", "count") and value != value.to_integral_value():
            return None, Diagnostic("E0808", {**args, "kind": kind}, None, location=where)
        low = (
            input_field.minimum
            if input_field.minimum is not None
            else (Decimal(0) if kind == "count" else None)
        )
        high = input_field.maximum
        if (low is not None and value < low) or (high is not None and value > high):
            return None, Diagnostic(
                "E0807",
                {
                    **args,
                    "low": low if low is not None else "-∞",
                    "high": high if high is not None else "∞",
                },
                None,
                location=where,
            )
        return value, None
    if input_field.type.kind == "level":
        if raw not in input_field.type.members:
            return None, Diagnostic(
                "E0806",
                {
                    **args,
                    "enum": input_field.type.enum,
                    "members": "、".join(input_field.type.members),
                },
                None,
                location=where,
            )
        return raw, None
    if input_field.type.kind == "bool":
        lowered = raw.lower()
        if lowered in _TRUE:
            return True, None
        if lowered in _FALSE:
            return False, None
        return None, Diagnostic("E0808", {**args, "kind": "bool"}, None, location=where)
    if input_field.type.kind == "date":
        try:
            return date.fromisoformat(raw), None
        except ValueError:
            return None, Diagnostic("E0808", {**args, "kind": "date"}, None, location=where)
    if input_field.type.kind == "list":
        items = [part.strip() for part in raw.split(";") if part.strip()]
        try:
            return tuple(Decimal(item) for item in items), None
        except InvalidOperation:
            return None, Diagnostic("E0802", args, None, location=where)
    return raw, None
