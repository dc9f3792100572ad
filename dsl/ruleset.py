"""Loading a rule set: files -> YAML nodes -> schema -> AST, all problems at once.

A rule set is a folder with a manifest, ``ruleset.yaml`` (scheme, version,
year, places, rounding) and any number of other ``.yaml`` files holding rule
sections; a single manifest file holding everything is also a rule set.  Each
file is loaded and validated on its own, so one broken file does not hide the
problems of the others.

Files are read through a ``RuleSource`` so the same loader reads a working
copy or (later) a git revision without touching the working tree.  The three
steps live beside this module: ``dsl.yamlsource`` (YAML with spans),
``dsl.validation`` (schema, part by part) and ``dsl.astbuilder`` (the AST).
"""

from __future__ import annotations

import dataclasses
import errno
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from dsl import ast
from dsl.astbuilder import FilePart, build_ruleset
from dsl.diagnostics import Diagnostic
from dsl.rostertables import with_tables
from dsl.spans import SourceFile, Span
from dsl.validation import problem_text, validate_partially
from dsl.yamlsource import load_yaml, to_plain

MANIFEST = "ruleset.yaml"


class RuleSource(Protocol):
    """Where rule files come from (a folder, or a git revision)."""

    root: str

    def exists(self) -> bool: ...
    def manifest_name(self) -> str: ...
    def list_yaml(self) -> list[str]: ...
    def list_yaml_in(self, folder: str) -> list[str]: ...
    def read_text(self, name: str) -> str: ...
    def read_bytes(self, name: str) -> bytes: ...
    def display(self, name: str) -> str: ...


@dataclass
class DirectorySource:
    """Rule files in a folder (or a single manifest file) on disk."""

    root: str

    def _base(self) -> Path:
        path = Path(self.root)
        return path.parent if path.is_file() else path

    def exists(self) -> bool:
        return Path(self.root).exists()

    def manifest_name(self) -> str:
        path = Path(self.root)
        return path.name if path.is_file() else MANIFEST

    def list_yaml(self) -> list[str]:
        path = Path(self.root)
        if path.is_file():
            return [path.name]
        return sorted(
            p.name for p in path.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file()
        )

    def list_yaml_in(self, folder: str) -> list[str]:
        """``folder/name.yaml`` of each YAML file in a sub-folder (rule tests)."""
        path = self._base() / folder
        if not path.is_dir():
            return []
        return sorted(
            f"{folder}/{p.name}"
            for p in path.iterdir()
            if p.suffix in (".yaml", ".yml") and p.is_file()
        )

    def read_text(self, name: str) -> str:
        return (self._base() / name).read_bytes().decode("utf-8")

    def read_bytes(self, name: str) -> bytes:
        """A file of the rule set (a roster table); a link leading out of the
        rule set's folder is refused like a path that does."""
        base = self._base().resolve()
        path = (base / name).resolve()
        if not path.is_relative_to(base):
            raise OSError(errno.EACCES, "outside the rule set's folder")
        return path.read_bytes()

    def display(self, name: str) -> str:
        return str(self._base() / name)


@dataclass
class LoadResult:
    ruleset: ast.RuleSet | None
    diagnostics: list[Diagnostic] = field(default_factory=list)


def load_ruleset(source: RuleSource) -> LoadResult:
    """Read, validate and build the AST of a rule set, collecting every problem."""
    diagnostics: list[Diagnostic] = []
    if not source.exists():
        return LoadResult(
            None, [Diagnostic("E0901", {"path": source.root}, None, location=source.root)]
        )
    manifest_name = source.manifest_name()
    names = source.list_yaml()
    if manifest_name not in names:
        diagnostics.append(
            Diagnostic("E0204", {}, None, location=source.root, help=("E0204.help", {}))
        )
        return LoadResult(None, diagnostics)
    manifest = _load_file(source, manifest_name, diagnostics)
    if manifest is not None and manifest.model.files is not None:
        names = [manifest_name, *[n for n in manifest.model.files if n != manifest_name]]
    else:
        names = [manifest_name, *[n for n in names if n != manifest_name]]
    loaded = [manifest] + [_load_file(source, name, diagnostics) for name in names[1:]]
    files = [f for f in loaded if f is not None]
    if manifest is None:
        return LoadResult(None, diagnostics)
    ruleset = build_ruleset(source.root, manifest, files, diagnostics)
    return LoadResult(_with_tables(ruleset, source, diagnostics), diagnostics)


def _with_tables(
    ruleset: ast.RuleSet, source: RuleSource, diagnostics: list[Diagnostic]
) -> ast.RuleSet | None:
    """The organization's parts read from the rule set's tables, if it names
    any (``dsl.rostertables``); the tables join the rule set's files, so the
    rules digest covers them.  None when a table cannot be read at all."""
    organization: ast.OrganizationDecl | None = ruleset.organization
    if organization is None or organization.tables is None:
        return ruleset
    organization, tables = with_tables(organization, source, diagnostics)
    if organization is None:
        return None
    return dataclasses.replace(ruleset, organization=organization, files=(*ruleset.files, *tables))


def _load_file(source: RuleSource, name: str, diagnostics: list[Diagnostic]) -> FilePart | None:
    display = source.display(name)
    try:
        text = source.read_text(name)
    except UnicodeDecodeError:
        diagnostics.append(Diagnostic("E0903", {"path": display}, None, location=display))
        return None
    except OSError as error:
        diagnostics.append(
            Diagnostic(
                "E0902", {"path": display, "problem": error.strerror}, None, location=display
            )
        )
        return None
    file = SourceFile(display, text)
    root, problems = load_yaml(file)
    diagnostics.extend(problems)
    if problems:
        return None
    data = to_plain(root)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        diagnostics.append(
            Diagnostic(
                "E0203",
                {"problem": problem_text({"type": "dict_type", "msg": ""})},
                root.span if root else Span(file, 0, 0),
            )
        )
        return None
    positions: list[int] = []
    model = validate_partially(data, file, root, diagnostics, positions)
    return FilePart(file, root, model, {("indicators",): positions})
