"""A large CSV file's cells a column at a time (pyarrow), when the careful reader would read the same cells.

The careful reader (``dsl.tablefiles.csv_lines`` and the csv module) takes a
record at a time in Python; at a million records that is seconds.  pyarrow
splits a file into columns in C++, but it is another reader: it differs on
quoted cells, on line breaks other than ``\\n`` and ``\\r\\n`` (``csv_lines``
splits lines with ``str.splitlines``, which also breaks them at ``\\v``,
``\\f``, ``\\x1c``-``\\x1e``, U+0085, U+2028 and U+2029), on NUL bytes, on
records of another width and on cells over the csv module's field limit.
So a file is read here only when none of those can occur and it is UTF-8
(with or without a BOM): then both readers split it into the same cells,
record N being row N + 1 of the table (blank records included).  Anything
else is ``NotPlain``, before or while the file is read, and the caller reads
the file the careful way, which says what is wrong exactly as before.
pyarrow is imported only here, when a file is read so.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pyarrow as pa

# The bytes that make a file not plain (a quote, NUL, \v, \f, \x1c-\x1e), and
# those that may (\r not followed by \n; the first bytes of U+0085 and of
# U+2028/U+2029 in UTF-8): all of them are picked out of the file in one pass.
_NEVER = b'"\x00\x0b\x0c\x1c\x1d\x1e'
_MAYBE = b"\r\xc2\xe2"
_OTHERS = bytes(b for b in range(256) if b not in _NEVER + _MAYBE)
_BLOCK = 1 << 22  # bytes pyarrow reads at a time: one block's columns held at once


class NotPlain(Exception):
    """The file is to be read the careful way."""


def plain(raw: bytes) -> bool:
    """No byte of ``raw`` lets the two readers split it differently."""
    suspects = raw.translate(None, _OTHERS)
    if not suspects:
        return True
    if any(byte in suspects for byte in _NEVER):
        return False
    if b"\r" in suspects and raw.count(b"\r") != raw.count(b"\r\n"):
        return False
    if b"\xc2" in suspects and b"\xc2\x85" in raw:
        return False
    return not (b"\xe2" in suspects and (b"\xe2\x80\xa8" in raw or b"\xe2\x80\xa9" in raw))


def columns(raw: bytes, width: int) -> Iterator[list[pa.Array]]:
    """The records after the first (the header) of a file ``plain`` accepted,
    a block at a time, as ``width`` text columns.  ``NotPlain`` when the
    file is not UTF-8, or a record has another number of cells, or a cell
    is longer than the csv module's field limit."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pcsv

    if b'"' in raw:  # quotes are not looked for below
        raise NotPlain("a quote")
    names = [str(n) for n in range(width)]
    limit = csv.field_size_limit()
    try:
        # The whole file checked as UTF-8 once, then the cells read as bytes
        # and seen as text (checking them a cell at a time took longer).
        ends = pa.array([0, len(raw)], pa.int64()).buffers()[1]
        pa.Array.from_buffers(pa.large_string(), 1, [None, ends, pa.py_buffer(raw)]).validate(
            full=True
        )
        reader = pcsv.open_csv(
            pa.py_buffer(raw),
            read_options=pcsv.ReadOptions(
                use_threads=False, block_size=_BLOCK, skip_rows=1, column_names=names
            ),
            # A blank record is a row of empty cells, so records keep their
            # numbers; a plain file has no quote, so none is looked for.
            parse_options=pcsv.ParseOptions(
                ignore_empty_lines=False, quote_char=False, double_quote=False
            ),
            convert_options=pcsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.binary()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
        for batch in reader:
            for column in batch.columns:
                longest = pc.max(pc.binary_length(column)).as_py()
                if longest is not None and longest > limit:
                    raise NotPlain(f"a cell of {longest} bytes")
            yield [column.view(pa.string()) for column in batch.columns]
    except pa.ArrowInvalid as error:
        raise NotPlain(str(error)) from None


def give_back() -> None:
    """The memory pyarrow's allocator keeps after the columns are dropped,
    given back: what is made next reuses it (else a 100,000-person
    evaluation's peak grew by 130 MiB)."""
    import pyarrow as pa

    pa.default_memory_pool().release_unused()


def texts(column: pa.Array) -> list[str]:
    """A text column's cells as Python strings, equal cells one string:
    each distinct text is made once (most cells of a large table repeat
    one another; made a cell at a time they were 100 MiB of garbage)."""
    import numpy as np
    import pyarrow.compute as pc

    encoded = pc.dictionary_encode(column)
    distinct = np.array(encoded.dictionary.to_pylist(), dtype=object)
    made: list[str] = distinct[encoded.indices.to_numpy()].tolist()
    return made
