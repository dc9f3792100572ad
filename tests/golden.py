"""Golden files: expected output kept in the repository, compared byte for byte.

Regenerate every golden file with one command:

    UPDATE_GOLDEN=1 python -m pytest

Each golden file starts with a header line naming that command, so whoever
opens one knows how it was made.
"""

from __future__ import annotations

import os
from pathlib import Path

HEADER = "# Golden file; regenerate with: UPDATE_GOLDEN=1 python -m pytest\n"


def assert_golden(path: Path, actual: str) -> None:
    """Compare ``actual`` with the golden file at ``path`` (or rewrite it)."""
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(HEADER + actual, encoding="utf-8")
        return
    assert path.exists(), f"missing golden file {path}; run UPDATE_GOLDEN=1 python -m pytest"
    expected = path.read_text(encoding="utf-8")
    assert expected.startswith(HEADER), f"{path} lacks the golden header"
    assert actual == expected[len(HEADER) :], f"output differs from golden file {path}"


def only_history_warnings(err: str) -> bool:
    """Standard error holds nothing but W0901 warnings (links needing earlier
    years' published results, absent when no results store is given)."""
    blocks = [b for b in err.split("\n\n") if b.strip()]
    return all(b.startswith(("warning[W0901]", "警告[W0901]")) for b in blocks)
