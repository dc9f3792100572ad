"""Rule tests: YAML cases written beside the rules, read with their positions.

A rule set's tests live in its ``tests/`` folder, one or more ``.yaml`` files::

    period: 2016Q2                 # default for every case of the file
    defaults:                      # inputs every listed subject gets
      sections: {实际入库: 100, 收入计划: 100}
    cases:
      - name: 完成计划得满分
        sections:
          s04: {实际入库: 120}     # overrides the defaults
        events:
          - {subject: s04, item: provincial_commendation, count: 1}
        expect:
          s04: {revenue: 20, grade: 优秀, links: [section_excellent_head]}

This module knows the shape only (pydantic, like the rule files) and keeps a
span for every name and value, so the compiler can say "no indicator
`revnue` (did you mean `revenue`?)" at the right line, and a failing
expectation points at the value that was expected.  Meaning (which subjects,
inputs, indicators and links exist) is checked in ``compiler.ruletests``.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import Field, ValidationError

from dsl.diagnostics import Diagnostic
from dsl.ruleset import RuleSource
from dsl.schema import Model, Number, Text
from dsl.spans import SourceFile, Span
from dsl.validation import schema_diagnostics
from dsl.yamlsource import YNode, load_yaml, node_at, to_plain

TESTS_FOLDER = "tests"


class EventSpec(Model):
    subject: Text
    item: Text
    count: int = Field(default=1, ge=1, le=1000)
    points: Number | None = None  # for an item with points from data
    day: datetime.date | None = Field(default=None, alias="date")
    reason: Text = ""
    # for a veto item whose duration each event gives (lasts: {column, unit}):
    # the event's cell in that column (6 months, 2 years, or the last day)
    lasts: int | datetime.date | Text | None = None


class PastSanction(Model):
    """A sanction in force in an earlier period, stated with its last day:
    raised then or carried into it (``raised``: the period it was raised in,
    default the history's period)."""

    item: Text
    until: datetime.date
    raised: Text | None = None


class PastResult(Model):
    """One subject's result in an earlier year, for links with ``history``."""

    # rank and total only where a history link reads them (compiler.ruletests checks)
    rank: int | None = Field(default=None, ge=1)
    count: int | None = Field(default=None, ge=1)  # subjects ranked; default: those listed
    total: Number | None = None
    grade: Text | None = None
    vetoes: list[Literal["fail", "no_excellent"]] = Field(default_factory=list)
    # veto items with sanctions raised that year: those that last carry into later
    # years; or {item, until} for a sanction in force then until a stated day
    sanctions: list[Text | PastSanction] = Field(default_factory=list)


class Defaults(Model):
    sections: dict[Text, Any] = Field(default_factory=dict)
    people: dict[Text, Any] = Field(default_factory=dict)


class CaseSpec(Model):
    name: Text = Field(min_length=1)
    period: Text | None = None
    population: Literal["listed", "all"] = "listed"
    sections: dict[Text, dict[Text, Any] | None] = Field(default_factory=dict)
    people: dict[Text, dict[Text, Any] | None] = Field(default_factory=dict)
    events: list[EventSpec] = Field(default_factory=list)
    history: dict[Text, dict[Text, PastResult]] = Field(default_factory=dict)
    expect: dict[Text, dict[Text, Any]] = Field(default_factory=dict)
    properties: list[Text] = Field(default_factory=list)


class TestFileSpec(Model):
    period: Text | None = None
    defaults: Defaults = Field(default_factory=Defaults)
    cases: list[Any] = Field(min_length=1)  # each validated on its own as a CaseSpec


# -- located cases -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Named:
    """A name or value as written, with where it was written."""

    value: Any
    span: Span


@dataclass(frozen=True, slots=True)
class SubjectInputs:
    subject: Named
    inputs: tuple[tuple[Named, Named], ...]  # (input name, cell value)
    line: int  # the subject's line in the test file: the "row" of its data


@dataclass(frozen=True, slots=True)
class EventCase:
    subject: Named
    item: Named
    count: int
    day: datetime.date | None
    reason: str
    line: int
    day_span: Span  # the date as written, or the event when it has none
    points: object = None  # as written, for an item with points from data
    lasts: object = None  # as written, for an item whose duration each event gives
    lasts_span: Span | None = None  # where ``lasts`` is written


@dataclass(frozen=True, slots=True)
class Expectation:
    subject: Named
    key: Named
    value: Named


@dataclass(frozen=True, slots=True)
class PastCase:
    period: Named
    subject: Named
    result: PastResult
    grade: Span | None = None  # where the grade is written (a wrong one is shown there)


@dataclass(frozen=True, slots=True)
class TestCase:
    name: str
    span: Span  # the case's `name:` value
    period: Named | None
    population: Literal["listed", "all"]
    defaults: tuple[tuple[str, tuple[tuple[Named, Named], ...]], ...]  # kind -> inputs
    sections: tuple[SubjectInputs, ...]
    people: tuple[SubjectInputs, ...]
    events: tuple[EventCase, ...]
    history: tuple[PastCase, ...]
    expectations: tuple[Expectation, ...]
    properties: tuple[Named, ...]

    @property
    def path(self) -> str:
        return self.span.path

    @property
    def line(self) -> int:
        return self.span.file.line_col(self.span.start)[0]


@dataclass
class LoadedTests:
    cases: list[TestCase]
    files: list[str]
    diagnostics: list[Diagnostic]


def load_tests(source: RuleSource, only: list[str] | None = None) -> LoadedTests:
    """Every case of the rule set's ``tests/*.yaml`` (or of the files ``only``
    names), with every problem of every file."""
    loaded = LoadedTests([], [], [])
    names = only if only is not None else source.list_yaml_in(TESTS_FOLDER)
    for name in names:
        display = source.display(name)
        try:
            text = source.read_text(name)
        except UnicodeDecodeError:
            loaded.diagnostics.append(
                Diagnostic("E0903", {"path": display}, None, location=display)
            )
            continue
        except OSError as error:
            args = {"path": display, "problem": error.strerror}
            loaded.diagnostics.append(Diagnostic("E0902", args, None, location=display))
            continue
        loaded.files.append(display)
        file = SourceFile(display, text)
        root, problems = load_yaml(file)
        loaded.diagnostics.extend(problems)
        if problems:
            continue
        try:
            spec = TestFileSpec.model_validate(to_plain(root) or {})
        except ValidationError as error:
            loaded.diagnostics.extend(_test_schema_diagnostics(error, file, root))
            continue
        # Case by case: a mistake in one case does not hide the others' problems.
        valid: list[tuple[int, CaseSpec]] = []
        for index, item in enumerate(spec.cases):
            try:
                valid.append((index, CaseSpec.model_validate(item)))
            except ValidationError as error:
                found = _test_schema_diagnostics(error, file, root, ("cases", index))
                loaded.diagnostics.extend(found)
        loaded.cases.extend(_cases(spec, valid, file, root))
    return loaded


def _test_schema_diagnostics(
    error: ValidationError, file: SourceFile, root: YNode | None, prefix: tuple[str | int, ...] = ()
) -> list[Diagnostic]:
    """Schema problems located in the test file; unknown keys list the keys a
    test file allows (the rule-file schema's list would mislead)."""
    found = []
    for diagnostic in schema_diagnostics(error, file, root, prefix):
        if diagnostic.code == "E0201":
            diagnostic = Diagnostic(
                "E0201", diagnostic.args, diagnostic.span, help=("E1001.help", {})
            )
        found.append(diagnostic)
    return found


def _cases(
    spec: TestFileSpec, valid: list[tuple[int, CaseSpec]], file: SourceFile, root: YNode | None
) -> list[TestCase]:
    def at(*path: str | int) -> Span:
        node, _ = node_at(root, path)
        return node.span if node is not None else Span(file, 0, 0)

    def key_at(*path: str | int) -> Span:
        _, key = node_at(root, path)
        return key.span if key is not None else at(*path)

    def line(span: Span) -> int:
        return file.line_col(span.start)[0]

    def inputs(values: dict[str, Any] | None, *path: str | int) -> tuple[tuple[Named, Named], ...]:
        return tuple(
            (Named(name, key_at(*path, name)), Named(value, at(*path, name)))
            for name, value in (values or {}).items()
        )

    def subjects(kind: str, index: int, given: dict[str, Any]) -> tuple[SubjectInputs, ...]:
        found = []
        for ident, values in given.items():
            where = key_at("cases", index, kind, ident)
            found.append(
                SubjectInputs(
                    Named(ident, where), inputs(values, "cases", index, kind, ident), line(where)
                )
            )
        return tuple(found)

    period_default = Named(spec.period, at("period")) if spec.period is not None else None
    defaults = tuple(
        (kind, inputs(getattr(spec.defaults, kind), "defaults", kind))
        for kind in ("sections", "people")
    )
    cases = []
    for index, case in valid:
        events = tuple(
            EventCase(
                Named(event.subject, at("cases", index, "events", n, "subject")),
                Named(event.item, at("cases", index, "events", n, "item")),
                event.count,
                event.day,
                event.reason,
                line(at("cases", index, "events", n)),
                at("cases", index, "events", n, "date"),
                event.points,
                event.lasts,
                at("cases", index, "events", n, "lasts") if event.lasts is not None else None,
            )
            for n, event in enumerate(case.events)
        )
        history = tuple(
            PastCase(
                Named(period, key_at("cases", index, "history", period)),
                Named(subject, key_at("cases", index, "history", period, subject)),
                result,
                at("cases", index, "history", period, subject, "grade")
                if result.grade is not None
                else None,
            )
            for period, results in case.history.items()
            for subject, result in results.items()
        )
        expectations = tuple(
            Expectation(
                Named(subject, key_at("cases", index, "expect", subject)),
                Named(key, key_at("cases", index, "expect", subject, key)),
                Named(value, at("cases", index, "expect", subject, key)),
            )
            for subject, expected in case.expect.items()
            for key, value in expected.items()
        )
        properties = tuple(
            Named(ident, at("cases", index, "properties", n))
            for n, ident in enumerate(case.properties)
        )
        period = (
            Named(case.period, at("cases", index, "period"))
            if case.period is not None
            else period_default
        )
        cases.append(
            TestCase(
                case.name,
                at("cases", index, "name"),
                period,
                case.population,
                defaults,
                subjects("sections", index, case.sections),
                subjects("people", index, case.people),
                events,
                history,
                expectations,
                properties,
            )
        )
    return cases


def cell_text(value: object) -> str:
    """An input value written in a test as the text a data cell would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ";".join(cell_text(v) for v in value)
    return str(value)
