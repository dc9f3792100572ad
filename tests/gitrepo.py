"""Temporary git repositories of the bundled rules, for tests of revisions."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path


def git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
        check=True, capture_output=True,
    )  # fmt: skip


def repository_of_bundled_rules(root: Path) -> Path:
    """A repository whose first commit holds rules/yongzhou as ``rules/``."""
    repo = root / "repo"
    shutil.copytree("rules/yongzhou", repo / "rules")
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "4.0")
    return repo
