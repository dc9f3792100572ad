"""A large plain CSV data file's rows that a ``LeftOut`` keeps, split a column at a time (pyarrow).

``dsl.tablefiles._csv_leaving_out`` splits each line's first cells in Python
to decide whether the row is kept: at 100,000 people that is a million lines
and more than a CPU second for one quarter's rows.  Here the file is split
by ``runtime.inputs.plaincsv`` (only when pyarrow and the csv module split
it into the same cells), each distinct deciding text is decided once by the
same ``Deciding.rows``, and only the rows kept become Python strings.  The
result is the table ``_csv_leaving_out`` makes of the same bytes (the same
header, row numbers and cells; ``tests/test_plainrows.py`` compares them):
whenever it would read the table whole, or might, this gives None and the
caller reads the file the careful way (``dsl.tablefiles.read_table_bytes``).
"""

from __future__ import annotations

import codecs
from typing import TYPE_CHECKING, Any

from dsl.tablefiles import LeftOut, Table
from runtime.inputs import plaincsv

if TYPE_CHECKING:
    import pyarrow as pa

# A CSV file of this many bytes or more is read here; a smaller one is read
# by the careful reader in less time than importing pyarrow takes.
BY_COLUMN_FROM = 1 << 20


def kept_rows(raw: bytes, shown: str, left_out: LeftOut) -> Table | None:
    """``_csv_leaving_out(raw, "utf-8", shown, left_out)``'s table when the
    file is large and plain (``plaincsv``) and every row's fate is clear;
    None otherwise (the careful reader then decides)."""
    if len(raw) < BY_COLUMN_FROM or not plaincsv.plain(raw):
        return None
    start = len(codecs.BOM_UTF8) if raw.startswith(codecs.BOM_UTF8) else 0
    end = raw.find(b"\n", start)
    if end < 0:
        return None
    try:
        first = raw[start:end].decode("utf-8").removesuffix("\r")
    except UnicodeDecodeError:
        return None
    if not first:
        return None
    header = [cell.strip() for cell in first.split(",")]
    deciding = left_out.deciding(header)
    if deciding is None:
        return None
    try:
        return _kept(raw, shown, header, deciding.column, deciding.named, deciding.rows)
    except plaincsv.NotPlain:
        return None
    finally:
        plaincsv.give_back()


def _kept(
    raw: bytes,
    shown: str,
    header: list[str],
    at: int,
    named: int | None,
    decide: Any,
) -> Table | None:
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    width = len(header)
    decided: dict[str, int] = {}  # a deciding text -> 1 leave out, 0 keep, -1 read whole
    blank: dict[str, bool] = {}  # a cell's text -> whether it is blanks only (str.strip)
    kept: list[list[pa.Array]] = [[] for _ in range(width)]
    numbers: list[Any] = []
    left: list[pa.Array] = []  # the subject cells of the rows left out
    offset = 2  # the number of the block's first record (the header is row 1)
    for block in plaincsv.columns(raw, width):
        size = len(block[0])
        if not size:
            continue
        encoded = pc.dictionary_encode(block[at])
        texts = encoded.dictionary.to_pylist()
        for text in texts:
            if text not in decided:
                leave = decide(text)
                decided[text] = -1 if leave is None else int(leave)
        verdicts = np.array([decided[text] for text in texts], dtype=np.int8)
        # A row whose deciding text is blanks only may be a blank row (dropped,
        # whatever the verdict) or need the table read whole.
        odd = np.array([decided[t] < 0 or _blank(t, blank) for t in texts], dtype=bool)
        indices = encoded.indices.to_numpy(zero_copy_only=False)
        per_record = verdicts[indices]
        keep = per_record == 0
        if odd[indices].any():
            filled = _filled(block, blank)
            if ((per_record < 0) & filled).any():
                return None  # a cell that says to read it whole, in a row that is not blank
            keep &= filled
        out = per_record > 0
        if out.any() and named is not None and named != at:
            left.append(pc.unique(block[named].filter(pa.array(out))))
        if keep.any():
            mask = pa.array(keep)
            for column, cells in zip(kept, block, strict=True):
                column.append(cells.filter(mask))
            numbers.append(np.flatnonzero(keep) + offset)
        offset += size
    if not numbers:
        return None
    columns = [plaincsv.texts(pa.chunked_array(chunks, pa.string()).combine_chunks())
               for chunks in kept]  # fmt: skip
    if left and named is not None:
        # The rows kept must name every subject the rows left out name (as
        # stripped texts; the same texts as written, in the common case).
        named_kept = pc.unique(pa.chunked_array(kept[named], pa.string()))
        named_left = pc.unique(pa.chunked_array(left, pa.string()))
        if not pc.all(pc.is_in(named_left, value_set=named_kept)).as_py():
            subjects = {text.strip() for text in named_kept.to_pylist()}
            if not {text.strip() for text in named_left.to_pylist()} <= subjects:
                return None
    rows = list(zip(np.concatenate(numbers).tolist(), map(list, zip(*columns, strict=True)),
                    strict=True))  # fmt: skip
    return Table(shown, header, rows)


def _blank(text: str, known: dict[str, bool]) -> bool:
    found = known.get(text)
    if found is None:
        found = known[text] = not text.strip()
    return found


def _filled(block: list[pa.Array], blank: dict[str, bool]) -> Any:
    """Which records of a block hold more than blanks in some cell (the
    careful reader's ``"".join(cells).strip()``), each distinct text
    tested once in Python."""
    import numpy as np
    import pyarrow.compute as pc

    filled = np.zeros(len(block[0]), dtype=bool)
    for column in block:
        encoded = pc.dictionary_encode(column)
        texts = encoded.dictionary.to_pylist()
        full = np.array([not _blank(text, blank) for text in texts], dtype=bool)
        filled |= full[encoded.indices.to_numpy(zero_copy_only=False)]
    return filled
