"""Dry-runs and the rules' findings in the workbench: two versions of the server's own rules compared
on the data, as ``jixiao dry-run`` compares them.

A version is the working copy, a git revision (``PATH@REV``) or the rules in
force on a date (``PATH#DATE``) of the rules the server was started with;
no other path can be named from a browser, so a form field never opens a
file the server was not given.  Compilations and reports are remembered
(a revision's text does not change; the working copy's and the data's state
are part of the key), since a dry-run evaluates every period twice.  The working copy's
``check``/``verify`` findings are computed again when a rule file changes.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

from compiler.pipeline import Compilation, compile_rules
from dsl.diagnostics import Diagnostic, Lang, UserError, render_all
from dsl.gitsource import RevisionError, open_source, parse_spec
from dsl.ruleset import DirectorySource
from runtime.inputs.periods import Period, PeriodError, parse_periods
from runtime.render.verify import to_text as verify_text
from runtime.store import Store
from runtime.tools.dryrun import DryRun, compare, published_results
from runtime.tools.verify import VerifyReport, run_verify

KINDS = ("working", "revision", "date")
_REVISION = re.compile(r"[\w~^][\w./~^-]{0,99}")  # never an option (-…) or a path (/…)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True, slots=True)
class Version:
    """One side of a dry-run as the form gives it."""

    kind: str  # working, revision or date
    value: str  # the revision or the date ("" for the working copy)

    def spec(self, rules: str) -> str:
        """The rules spec (``PATH``, ``PATH@REV``, ``PATH#DATE``) of the
        server's rules; E1110 for a kind or value that names anything else."""
        path = parse_spec(rules).path
        value = self.value.strip()
        if self.kind == "working":
            return path
        if self.kind == "revision" and _REVISION.fullmatch(value) and ".." not in value:
            return f"{path}@{value}"
        if self.kind == "date" and _DATE.fullmatch(value):
            return f"{path}#{value}"
        where = f"{self.kind}:{value}"
        raise UserError([Diagnostic("E1110", {"kind": self.kind, "value": value}, None,
                                    location=where, help=("E1110.help", {}))])  # fmt: skip


class Trials:
    """Dry-runs of one workbench's rules, remembered per versions, periods and
    the state of the data (``state``: the data files' names, sizes, times)."""

    def __init__(
        self,
        rules: str,
        folder: Callable[[list[Period]], AbstractContextManager[str]],
        year: int,
        state: Callable[[], str],
        rules_state: Callable[[], str] = lambda: "",
    ) -> None:
        self.rules = rules
        self.folder = folder
        self.year = year
        self.state = state
        # The working copy's files (names, sizes, times): a version read from
        # them (the working copy, a date) is compiled again when they change.
        self.rules_state = rules_state
        self._compiled: dict[tuple[str, str], Compilation] = {}
        self._runs: dict[tuple[str, str, str, str, str], DryRun] = {}
        self._lock = threading.Lock()

    def periods(self, text: str) -> list[Period]:
        try:
            periods = parse_periods(text)
        except PeriodError:
            raise UserError(
                [Diagnostic("E0812", {"text": text.strip()}, None, location=text)]
            ) from None
        outside = [p for p in periods if p.year != self.year]
        if outside:
            args = {"period": outside[0], "year": self.year}
            raise UserError([Diagnostic("E0811", args, None, location=text)])
        return periods

    def compiled(self, spec: str) -> Compilation:
        """A version compiled as ``dry-run`` compiles it (every context: past
        periods may lack data a revision needs)."""
        parsed = parse_spec(spec)
        key = (spec, self.rules_state() if parsed.revision is None else "")
        with self._lock:
            if key in self._compiled:
                return self._compiled[key]
        try:
            source = open_source(parsed)
        except RevisionError as error:
            args = {"spec": spec, "problem": error.problem}
            raise UserError([Diagnostic("E0908", args, None, location=spec)]) from None
        found = compile_rules(source, parsed.as_of, True)
        if not found.ok:
            raise UserError(found.diagnostics)
        with self._lock:
            if len(self._compiled) > 32:
                self._compiled.clear()
            self._compiled[key] = found
        return found

    def run(self, baseline: Version, candidate: Version, periods: str, store: Store) -> DryRun:
        """The dry-run report, on the data folder (or the periods'
        submissions written out as one: ``folder``)."""
        chosen = self.periods(periods)
        specs = (baseline.spec(self.rules), candidate.spec(self.rules))
        key = (*specs, ",".join(map(str, chosen)), self.state(), self.rules_state())
        with self._lock:
            if key in self._runs:
                return self._runs[key]
        before, after = self.compiled(specs[0]), self.compiled(specs[1])
        assert "section" in before.programs
        published = published_results(store, before.programs["section"].scheme, chosen)
        with self.folder(chosen) as data:
            found = compare(before, after, data, chosen, specs, published)
        with self._lock:
            if len(self._runs) > 32:
                self._runs.clear()
            self._runs[key] = found
        return found


@dataclass(frozen=True, slots=True)
class Findings:
    """The working copy's ``check`` and ``verify`` findings, as of one state
    of its files."""

    state: str  # the files' content digest
    text: str  # located, as the CLI prints them ("" when there are none)
    verified: str  # verify's summary ("" when check failed or while verifying)
    ok: bool
    pending: bool = False  # check done, verify still running (its findings to come)
    diagnostics: tuple[Diagnostic, ...] = ()


@dataclass(slots=True)
class _Checked:
    """One content of the rule files: check's findings, and verify's once done."""

    diagnostics: list[Diagnostic]
    ok: bool  # compiled
    report: VerifyReport | None = None
    worker: threading.Thread | None = None


class Watch:
    """The working copy's findings, computed again when a rule file's
    content changes (names, sizes and times polled; the content hashed only
    when they moved, so a file saved unchanged costs no verification).
    ``check`` (compiling, fast) is done on the request; ``verify`` (seconds)
    runs in a thread of its own, one at a time, and the findings say
    ``pending`` until it is done: the page polls, so they appear when ready
    and no request waits for them (unless asked to: ``wait``)."""

    def __init__(self, rules: str, examples: int = 100) -> None:
        self.path = Path(parse_spec(rules).path)
        self.examples = examples
        self._seen: tuple[str, str] | None = None  # (state, digest)
        self._checked: dict[str, _Checked] = {}
        self._lock = threading.Lock()
        self._verifying = threading.Lock()

    def _files(self) -> list[Path]:
        if self.path.is_file():
            return [self.path]
        return sorted(p for p in self.path.rglob("*") if p.is_file() and ".git" not in p.parts)

    def state(self) -> str:
        """The rule files' names, sizes and times."""
        files = self._files()
        return json.dumps([(str(f), f.stat().st_size, f.stat().st_mtime_ns) for f in files])

    def digest(self) -> str:
        """The rule files' content (hashed again only when ``state`` moved)."""
        state = self.state()
        with self._lock:
            if self._seen is not None and self._seen[0] == state:
                return self._seen[1]
        digest = hashlib.sha256()
        for file in self._files():
            digest.update(str(file.relative_to(self.path) if file != self.path else file.name)
                          .encode() + b"\0" + file.read_bytes() + b"\0")  # fmt: skip
        found = digest.hexdigest()
        with self._lock:
            self._seen = (state, found)
        return found

    def findings(self, lang: Lang, wait: bool = False) -> Findings:
        digest = self.digest()
        with self._lock:
            checked = self._checked.get(digest)
            if checked is None:
                compilation = compile_rules(DirectorySource(str(self.path)), None)
                checked = _Checked(list(compilation.diagnostics), compilation.ok)
                self._checked = {digest: checked}  # only the current content is kept
                if compilation.ok:
                    checked.worker = threading.Thread(
                        target=self._verify, args=(digest, checked, compilation), daemon=True
                    )
                    checked.worker.start()
            worker = checked.worker
        if wait and worker is not None:
            worker.join()
        with self._lock:
            report = checked.report
        diagnostics = checked.diagnostics + (report.findings if report is not None else [])
        text = render_all(diagnostics, lang, "full") if diagnostics else ""
        ok = checked.ok and not any(d.severity == "error" for d in diagnostics)
        verified = verify_text(report, lang) if report is not None else ""
        pending = checked.ok and report is None
        return Findings(digest, text, verified, ok, pending, tuple(diagnostics))

    def _verify(self, digest: str, checked: _Checked, compilation: Compilation) -> None:
        with self._verifying:  # one verification at a time
            with self._lock:
                if self._checked.get(digest) is not checked:
                    return  # the files changed again meanwhile
            report = run_verify(compilation, self.examples)
            with self._lock:
                checked.report = report
