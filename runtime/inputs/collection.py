"""The cyclic garbage collector paced for large evaluations.

Reading a large data folder and evaluating it allocates millions of lists,
tuples and dicts (cells, rows, values, results) that live until the command
ends and hold no reference cycles.  At CPython's default thresholds (a
collection every 700 new container objects, the older generations every 10
of those) the collector scans them over and over: at 20,000 people it was
about a third of an evaluation's CPU time, while freeing a few thousand
objects.  Within ``fewer_collections()`` a collection runs every
``YOUNG`` new objects instead; cycles are still collected, only less often,
and the thresholds the process had are restored at the end.  Nothing about
the results depends on when the collector runs.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

YOUNG = 10_000  # new container objects between two collections of the youngest generation

_LOCK = threading.Lock()
_open = 0  # blocks open (the workbench may evaluate in several threads)
_saved: tuple[int, ...] = ()


@contextmanager
def fewer_collections() -> Iterator[None]:
    """The youngest generation collected every ``YOUNG`` allocations inside
    the block (never more often than the thresholds already set); blocks may
    nest or overlap in threads, the outermost's thresholds come back when
    the last one ends."""
    global _open, _saved
    with _LOCK:
        if _open == 0:
            _saved = gc.get_threshold()
            gc.set_threshold(max(_saved[0], YOUNG), *_saved[1:])
        _open += 1
    try:
        yield
    finally:
        with _LOCK:
            _open -= 1
            if _open == 0:
                gc.set_threshold(*_saved)
