"""The cyclic garbage collector paused while a roster becomes declarations.

Reading a national roster makes a few hundred thousand long-lived objects
(an ``Ident`` and a ``Span`` per cell, a declaration per row, then the
organization's sections and people) that form no reference cycles.  At its
default thresholds CPython's collector scans them again and again as they
pile up: at 100,000 people it was 1.5 of 3.4 CPU seconds of ``check``.
Reference counting still frees everything not in a cycle; cycles made inside
the block are collected by the next collection after it.  Nothing computed
depends on when the collector runs.

An evaluation pauses it with the same function, for the whole command
(``runtime.inputs.collection`` says why); blocks may nest or overlap in
threads (the workbench evaluates in several): the collector comes back as it
was when the last ends.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_LOCK = threading.Lock()
_open = 0  # blocks open
_was_enabled = True


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic collector off inside the block (as it was before, after)."""
    global _open, _was_enabled
    with _LOCK:
        if _open == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _open += 1
    try:
        yield
    finally:
        with _LOCK:
            _open -= 1
            if _open == 0 and _was_enabled:
                gc.enable()
