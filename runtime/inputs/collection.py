"""The cyclic garbage collector paused while a large evaluation builds its data.

Reading a data folder and evaluating it allocates millions of lists, tuples
and dicts (cells, rows, values, results) that live until the command ends
and form no reference cycles.  CPython's collector, at its default
thresholds, scans them again and again as they pile up: at 100,000 people it
was 12 of 39 CPU seconds of an evaluation (a third at 20,000 too), while the
objects it freed numbered a few thousand.  Raising the thresholds tenfold
still left most of it (the full collections over a heap of a gigabyte), so
within ``collector_paused()`` the collector does not run at all; reference
counting still frees everything that is not in a cycle (all of the data),
and what cycles are made are collected by the next collection after the
block.  Nothing about the results depends on when the collector runs.

One thing does make cycles: compiling (the compiler's pass state refers to
itself, and through it to the whole syntax tree, 180,000 objects at 20,000
people).  ``collect_young()`` frees them before the data is read, scanning
only the objects made since the last collection.

The pause itself is ``dsl.collector``'s, one count for every block: the
compiler pauses it while a roster becomes declarations, inside or outside an
evaluation.
"""

from __future__ import annotations

import gc

from dsl.collector import collector_paused

__all__ = ["collect_young", "collector_paused"]


def collect_young() -> None:
    """Collect the youngest generation now (inside ``collector_paused``: every
    object made since the last collection, the cycles among them freed)."""
    gc.collect(0)
