"""Progress of long commands (``verify``, dry-runs over several periods) on stderr.

Shown only when stderr is a terminal and the user did not ask for ``--quiet``:
a pipe, a log file or a test's captured stream never receives the carriage
returns a bar is drawn with, so outputs stay byte-identical.  The tools report
steps through a plain callback (``Step``) and know nothing of terminals.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TextIO

Step = Callable[[int, int, str], None]  # (done, total, what is being done)

_WIDTH = 20


def progress_bar(stream: TextIO, name: str, quiet: bool = False) -> Step | None:
    """A callback drawing ``name [████····] 3/7 label`` on ``stream``, or None
    when nothing should be drawn (not a terminal, or ``quiet``)."""
    if quiet or not stream.isatty():
        return None

    def step(done: int, total: int, label: str) -> None:
        filled = _WIDTH * done // total if total else _WIDTH
        bar = "█" * filled + "·" * (_WIDTH - filled)
        stream.write(f"\r\x1b[K{name} [{bar}] {done}/{total} {label}")
        if done >= total:
            stream.write("\r\x1b[K")
        stream.flush()

    return step
