"""Rule files read from a git revision, without touching the working tree.

``rules/yongzhou@v4.0`` or ``rules/yongzhou@HEAD~1`` names the folder as it
was in that revision: files are listed with ``git ls-tree`` and read with
``git show``, so a dry-run of last year's rules never checks anything out.
A spec may also end in ``#2016-03-31``: the rule set as in force on that
date (see ``compiler.passes.view``).
"""

from __future__ import annotations

import errno
import re
import subprocess
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from dsl.ruleset import MANIFEST, DirectorySource, RuleSource

# Everything after ``#`` is the date, so that a date written wrongly is reported
# as such (E0908) rather than taken as part of a folder name (E0901).
_SPEC = re.compile(r"^(?P<path>[^@#]+)(?:@(?P<rev>[^#]+))?(?:#(?P<date>[^#]*))?$")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


class RevisionError(Exception):
    """A git revision that cannot be read (not a repository, unknown revision)."""

    def __init__(self, spec: str, problem: str) -> None:
        super().__init__(problem)
        self.spec = spec
        self.problem = problem


@dataclass(frozen=True, slots=True)
class RulesSpec:
    path: str
    revision: str | None
    as_of: date | None
    text: str


def parse_spec(text: str) -> RulesSpec:
    """``PATH[@REVISION][#YYYY-MM-DD]``."""
    match = _SPEC.match(text.strip())
    if match is None:
        return RulesSpec(text, None, None, text)
    when = match.group("date")
    if when is not None and not _DATE.fullmatch(when):
        raise RevisionError(text, f"not a date: {when} (write YYYY-MM-DD)")
    try:
        as_of = date.fromisoformat(when) if when is not None else None
    except ValueError:
        raise RevisionError(text, f"not a date: {when}") from None
    return RulesSpec(match.group("path"), match.group("rev"), as_of, text)


def _git(folder: Path, *args: str) -> bytes:
    try:
        done = subprocess.run(
            ["git", "-C", str(folder), *args], capture_output=True, check=True, timeout=30
        )
    except FileNotFoundError:
        raise RevisionError(str(folder), "git is not installed") from None
    except subprocess.CalledProcessError as error:
        message = error.stderr.decode("utf-8", "replace").strip().splitlines()
        raise RevisionError(str(folder), message[-1] if message else "git failed") from None
    except subprocess.TimeoutExpired:
        raise RevisionError(str(folder), "git did not answer") from None
    return done.stdout


@dataclass
class GitSource:
    """A rule-set folder as it is in one git revision."""

    root: str
    revision: str
    commit: str = field(init=False)
    _prefix: str = field(init=False)
    _names: list[str] = field(init=False)

    def __post_init__(self) -> None:
        folder = Path(self.root)
        probe = folder if folder.is_dir() else next(
            (p for p in folder.parents if p.is_dir()), Path(".")
        )  # fmt: skip
        top = Path(_git(probe, "rev-parse", "--show-toplevel").decode().strip())
        self.commit = (
            _git(top, "rev-parse", "--verify", f"{self.revision}^{{commit}}").decode().strip()
        )
        self._prefix = str(folder.resolve().relative_to(top.resolve())).replace("\\", "/")
        listing = _git(top, "ls-tree", "--name-only", f"{self.commit}:{self._prefix}")
        self._names = sorted(
            n for n in listing.decode("utf-8").splitlines() if n.endswith((".yaml", ".yml"))
        )
        self._top = top

    def exists(self) -> bool:
        return bool(self._names)

    def manifest_name(self) -> str:
        return MANIFEST

    def list_yaml(self) -> list[str]:
        return list(self._names)

    def list_yaml_in(self, folder: str) -> list[str]:
        """``folder/name.yaml`` of each YAML file in a sub-folder, as in the revision."""
        try:
            listing = _git(
                self._top, "ls-tree", "--name-only", f"{self.commit}:{self._prefix}/{folder}"
            )
        except RevisionError:
            return []  # the revision has no such folder
        names = listing.decode("utf-8").splitlines()
        return sorted(f"{folder}/{n}" for n in names if n.endswith((".yaml", ".yml")))

    def read_text(self, name: str) -> str:
        return _git(self._top, "show", f"{self.commit}:{self._prefix}/{name}").decode("utf-8")

    def read_bytes(self, name: str) -> bytes:
        """A file of the rule set (a roster table) as it is in the revision."""
        try:
            return _git(self._top, "show", f"{self.commit}:{self._prefix}/{name}")
        except RevisionError as error:  # not in the revision: read like a missing file
            raise OSError(errno.ENOENT, error.problem) from None

    def display(self, name: str) -> str:
        return f"{self.root}@{self.revision}/{name}"


def open_source(spec: RulesSpec) -> RuleSource:
    """The source a spec names: a folder on disk, or a folder in a revision."""
    if spec.revision is None:
        return DirectorySource(spec.path)
    return GitSource(spec.path, spec.revision)
