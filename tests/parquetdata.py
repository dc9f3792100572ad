"""CSV data folders converted to Parquet with typed columns, as a warehouse exports them.

Shared by the Parquet tests and the reading measurement: each CSV file of a
folder becomes a ``.parquet`` file of the same name whose columns are typed
where the text allows it (whole numbers ``int64``, numbers with decimals
``decimal128`` at the column's largest scale, days ``date32``, anything else
text), empty cells null.  A decimal column's cells then carry its scale
(``13.4`` in a column that also holds ``12.33`` is ``13.40``), which is what
a warehouse's DECIMAL(p, s) column holds.
"""

from __future__ import annotations

import csv
import datetime
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

_INTEGER = re.compile(r"-?(0|[1-9][0-9]{0,17})")
_DECIMAL = re.compile(r"-?(0|[1-9][0-9]{0,15})\.([0-9]{1,6})")
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def typed_column(cells: list[str]) -> pa.Array:
    """One CSV column as the typed array a warehouse would hold."""
    present = [cell for cell in cells if cell != ""]
    if present and all(_INTEGER.fullmatch(cell) for cell in present):
        return pa.array([int(c) if c else None for c in cells], pa.int64())
    if present and all(_INTEGER.fullmatch(c) or _DECIMAL.fullmatch(c) for c in present):
        scale = max(len(c.partition(".")[2]) for c in present)
        values = [Decimal(c).quantize(Decimal(1).scaleb(-scale)) if c else None for c in cells]
        return pa.array(values, pa.decimal128(18, scale))
    if present and all(_DAY.fullmatch(cell) for cell in present):
        days = [datetime.date.fromisoformat(c) if c else None for c in cells]
        return pa.array(days, pa.date32())
    return pa.array([c if c else None for c in cells], pa.string())


def csv_to_parquet(source: Path, target: Path, typed: bool = True) -> None:
    """Write ``source`` (a UTF-8 CSV file) as the Parquet file ``target``."""
    with source.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    header, body = rows[0], rows[1:]
    columns: dict[str, Any] = {}
    for index, name in enumerate(header):
        cells = [row[index] if index < len(row) else "" for row in body]
        columns[name] = typed_column(cells) if typed else pa.array(cells, pa.string())
    pq.write_table(pa.table(columns), target)


def folder_to_parquet(source: Path, target: Path, typed: bool = True) -> list[Path]:
    """Every CSV file of ``source`` as Parquet in ``target`` (made if needed)."""
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for file in sorted(source.glob("*.csv")):
        out = target / (file.stem + ".parquet")
        csv_to_parquet(file, out, typed)
        written.append(out)
    return written
