"""Checking rule tests against the rules they test.

Every name a test case writes is resolved here, against the checked
programs: subjects against the organization, inputs against the declared
inputs, items, indicators and other values, grades, links and properties
against the rules.  A misspelt name is an error at its line with "did you
mean"; every problem of every case is reported at once, before anything is
evaluated.  Input values stay text: the runtime reads them exactly as it
reads a data file's cells, so a test exercises the same conversions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

from compiler import ir
from compiler.links import LINK_INPUTS
from dsl.diagnostics import Diagnostic, suggest
from dsl.ruletests import EventCase, Named, PastCase, SubjectInputs, TestCase, cell_text
from dsl.schema import number_text
from dsl.spans import Span
from semantics.calendar import parse_date

Kind = Literal["section", "person"]
# What an expectation compares: a slot's value, or a population result.
Target = Literal[
    "slot", "grade", "rank", "vetoes", "links", "receives", "overridden",
    "sanction", "sanctions", "scoring",
]  # fmt: skip
_SPECIAL: dict[str, Target] = {
    "grade": "grade",
    "rank": "rank",
    "vetoes": "vetoes",
    "links": "links",
    "receives": "receives",
    "overridden": "overridden",  # links whose consequence for it another link replaced
    "sanction": "sanction",  # the veto item that decided the grade (null: none)
    "sanctions": "sanctions",  # the sanctions holding (raised now or carried)
    "scoring": "scoring",  # not_scored or ranked_last (null: scored as usual)
}
_LABEL = re.compile(r"(\d{4})(?:Q[1-4](?:\.\.\d{4}Q[1-4])?)?")  # 2015Q2, 2015Q1..2015Q3, 2015
SECTION_TOTAL = "section_total"  # a person's input that may name their section's total


@dataclass(frozen=True, slots=True)
class CheckedInputs:
    kind: Kind
    subject: str
    cells: tuple[tuple[str, str, Span], ...]  # (input name, value as cell text, where)
    line: int
    # A person's section total given by the test (else their section's result in the case).
    section_total: Decimal | None = None


@dataclass(frozen=True, slots=True)
class CheckedExpectation:
    kind: Kind
    subject: str
    key: str
    target: Target
    slot: int | None
    expected: object  # Decimal, bool, text, None (not scored), int, or a tuple of ids
    span: Span  # the expected value as written


@dataclass(frozen=True, slots=True)
class CheckedCase:
    name: str
    path: str
    line: int
    span: Span
    period: str | None
    period_span: Span
    population: Literal["listed", "all"]
    defaults: dict[Kind, tuple[tuple[str, str, Span], ...]]
    subjects: tuple[CheckedInputs, ...]
    events: tuple[EventCase, ...]
    history: tuple[PastCase, ...]
    expectations: tuple[CheckedExpectation, ...]
    properties: tuple[tuple[Kind, str, Span], ...]


def check_tests(
    cases: list[TestCase], sections: ir.Program, people: ir.Program | None
) -> tuple[list[CheckedCase], list[Diagnostic]]:
    checker = _Checker(sections, people)
    checked = [checker.case(case) for case in cases]
    # A file's defaults are checked with each of its cases: report each problem once.
    unique: dict[tuple[str, object, str], Diagnostic] = {}
    for problem in checker.problems:
        unique.setdefault((problem.code, problem.span, repr(sorted(problem.args.items()))), problem)
    return checked, list(unique.values())


class _Checker:
    def __init__(self, sections: ir.Program, people: ir.Program | None) -> None:
        self.programs: dict[Kind, ir.Program] = {"section": sections}
        if people is not None:
            self.programs["person"] = people
        org = sections.organization
        self.ids: dict[Kind, list[str]] = {
            "section": [s.id for s in org.sections] if org else [],
            "person": [p.id for p in org.people] if org else [],
        }
        self.problems: list[Diagnostic] = []

    def error(self, code: str, args: dict[str, object], span: Span, **extra: object) -> None:
        self.problems.append(Diagnostic(code, args, span, **extra))  # type: ignore[arg-type]

    def kind_of(self, subject: Named, expected: Kind | None = None) -> Kind | None:
        """Which kind of subject an id names, or None after reporting it."""
        ident = str(subject.value)
        kinds: tuple[Kind, ...] = (expected,) if expected else ("section", "person")
        for kind in kinds:
            if ident in self.ids[kind]:
                if kind not in self.programs:
                    self.error("E1010", {"subject": ident}, subject.span)
                    return None
                return kind
        if expected is not None:
            other: Kind = "person" if expected == "section" else "section"
            if ident in self.ids[other]:
                where = "people" if other == "person" else "sections"
                self.error("E1015", {"subject": ident, "kind": (f"kind.{other}", {}),
                                     "key": where}, subject.span)  # fmt: skip
                return None
        known = self.ids[expected] if expected else self.ids["section"] + self.ids["person"]
        self.error(
            "E1002",
            {"subject": ident},
            subject.span,
            help=suggest(ident, known, ("E1002.help", {})),
        )
        return None

    def cells(
        self, kind: Kind, given: tuple[tuple[Named, Named], ...]
    ) -> tuple[tuple[str, str, Span], ...]:
        program = self.programs[kind]
        names = [f.name for f in program.inputs if f.kind not in ir.RUNTIME_INPUT_KINDS]
        found = []
        for name, value in given:
            if str(name.value) not in names:
                self.error(
                    "E1003", {"name": name.value}, name.span,
                    help=suggest(str(name.value), names, ("E1003.help", {"inputs": "、".join(names)})),
                )  # fmt: skip
                continue
            if isinstance(value.value, dict):
                self.error("E1006", {"key": name.value, "expected": ("E1006.cell", {})}, value.span)
                continue
            found.append((str(name.value), cell_text(value.value), value.span))
        return tuple(found)

    def section_total(self, given: tuple[tuple[Named, Named], ...]) -> Decimal | None:
        """``section_total: 85.5`` in a person's inputs: the total their own
        score combines with, so a case needs no inputs of their section."""
        for name, value in given:
            if name.value == SECTION_TOTAL:
                text = str(value.value).strip()
                number = None if isinstance(value.value, bool) else number_text(text)
                if number is None or text.endswith("%"):  # points, not a share
                    self.invalid(SECTION_TOTAL, "E1006.points", value)
                    return None
                return number
        return None

    def case(self, case: TestCase) -> CheckedCase:
        defaults: dict[Kind, tuple[tuple[str, str, Span], ...]] = {}
        for kind_name, given in case.defaults:
            kind: Kind = "section" if kind_name == "sections" else "person"
            if given and kind not in self.programs:
                self.error("E1010", {"subject": kind_name}, given[0][0].span)
                continue
            defaults[kind] = self.cells(kind, given) if kind in self.programs else ()
        subjects = []
        listed_by_kind: tuple[tuple[Kind, tuple[SubjectInputs, ...]], ...] = (
            ("section", case.sections),
            ("person", case.people),
        )
        for kind, listed in listed_by_kind:
            for entry in listed:
                if self.kind_of(entry.subject, kind) is None:
                    continue
                given = entry.inputs
                total = None
                if kind == "person":
                    total = self.section_total(given)
                    given = tuple(pair for pair in given if pair[0].value != SECTION_TOTAL)
                cells = self.cells(kind, given)
                ident = str(entry.subject.value)
                subjects.append(CheckedInputs(kind, ident, cells, entry.line, total))
        for event in case.events:
            found = self.kind_of(event.subject)
            if found is None:
                continue
            items = [i.id for i in self.programs[found].items]
            if str(event.item.value) not in items:
                self.error(
                    "E1004", {"item": event.item.value}, event.item.span,
                    help=suggest(str(event.item.value), items, ("E1004.help", {"items": "、".join(items)})),
                )  # fmt: skip
            else:
                self.event_lasts(found, event)
        for past in case.history:
            self.past(past)
        expectations = []
        for expectation in case.expectations:
            found = self.kind_of(expectation.subject)
            if found is not None:
                checked = self.expectation(
                    found, expectation.subject, expectation.key, expectation.value
                )
                if checked is not None:
                    expectations.append(checked)
        properties = []
        for prop in case.properties:
            owner = next(
                (
                    k
                    for k, p in self.programs.items()
                    if any(q.id == prop.value for q in p.properties)
                ),
                None,
            )
            if owner is None:
                declared = [q.id for p in self.programs.values() for q in p.properties]
                self.error(
                    "E1009", {"id": prop.value}, prop.span,
                    help=suggest(str(prop.value), declared, ("E1009.help", {})),
                )  # fmt: skip
                continue
            properties.append((owner, str(prop.value), prop.span))
        if case.period is None:
            self.error("E1012", {"name": case.name}, case.span)
        return CheckedCase(
            case.name, case.path, case.line, case.span,
            str(case.period.value) if case.period is not None else None,
            case.period.span if case.period is not None else case.span,
            case.population, defaults, tuple(subjects), case.events, case.history,
            tuple(expectations), tuple(properties),
        )  # fmt: skip

    def expectation(
        self, kind: Kind, subject: Named, key: Named, value: Named
    ) -> CheckedExpectation | None:
        program = self.programs[kind]
        name = str(key.value)
        ident = str(subject.value)
        target = _SPECIAL.get(name)
        if target is None:
            slots = {s.name: s for s in program.slots if s.kind != "input"}
            slot = slots.get(name)
            if slot is None:
                keys = [*_SPECIAL, *slots]
                self.error(
                    "E1005", {"key": name}, key.span,
                    help=suggest(name, keys, ("E1005.help", {"keys": ", ".join(_SPECIAL)})),
                )  # fmt: skip
                return None
            expected = self.slot_value(slot, name, value)
            if expected is _INVALID:
                return None
            return CheckedExpectation(kind, ident, name, "slot", slot.index, expected, value.span)
        if target in ("sanction", "scoring"):
            return self.sanction_expectation(program, kind, ident, name, target, value)
        if target == "grade":
            grades = [g.grade for g in program.grades] + ["ungraded"]
            grades += [program.ungraded] if program.ungraded else []
            if value.value is None or str(value.value) not in grades:
                self.error(
                    "E1007", {"grade": value.value}, value.span,
                    help=suggest(str(value.value), grades, ("E1007.ungraded", {"grades": "、".join(grades)})),
                )  # fmt: skip
                return None
            return CheckedExpectation(kind, ident, name, target, None, str(value.value), value.span)
        if target == "rank":
            if isinstance(value.value, bool) or not isinstance(value.value, int) or value.value < 1:
                self.invalid(name, "E1006.rank", value)
                return None
            return CheckedExpectation(kind, ident, name, target, None, value.value, value.span)
        listed = value.value if isinstance(value.value, list) else None
        if listed is None or not all(isinstance(v, str) for v in listed):
            self.invalid(name, "E1006.list", value)
            return None
        if len(set(listed)) != len(listed):
            self.invalid(name, "E1006.duplicate", value)
            return None
        if target == "vetoes":
            known = ["fail", "no_excellent"]
        elif target == "sanctions":
            known = sanction_items(program)
        elif target == "links":
            known = [link.id for link in program.links]
        else:
            known = [link.id for p in self.programs.values() for link in p.links]
        unknown = [v for v in listed if v not in known]
        others = {link.id for p in self.programs.values() for link in p.links} - set(known)
        for ident_ in unknown:
            code = "E1008" if target not in ("vetoes", "sanctions") else "E1006"
            args: dict[str, object] = (
                {"link": ident_}
                if code == "E1008"
                else {"key": name, "expected": (f"E1006.{target}", {})}
            )
            found = suggest(ident_, known, None)
            if ident_ in others:  # a link of the other kind of subject
                found = ("E1008.other", {"link": ident_})
            self.error(code, args, value.span, help=found)
        if unknown:
            return None
        return CheckedExpectation(
            kind, ident, name, target, None, tuple(sorted(listed)), value.span
        )

    def sanction_expectation(
        self, program: ir.Program, kind: Kind, ident: str, name: str, target: Target, value: Named
    ) -> CheckedExpectation | None:
        """``sanction: ITEM`` (the item that decided the grade) or ``scoring:
        not_scored | ranked_last``; null expects none."""
        known = sanction_items(program) if target == "sanction" else ["not_scored", "ranked_last"]
        given = value.value
        if given is not None and str(given) not in known:
            self.error(
                "E1006", {"key": name, "expected": (f"E1006.{target}", {})}, value.span,
                help=suggest(str(given), known, None),
            )  # fmt: skip
            return None
        expected = None if given is None else str(given)
        return CheckedExpectation(kind, ident, name, target, None, expected, value.span)

    def past(self, past: PastCase) -> None:
        """An earlier year's result: a period label before the rules' year, a
        known subject, a grade of its kind, a rank within the count."""
        kind = self.kind_of(past.subject)
        label = str(past.period.value)
        program = self.programs["section"]
        year = program.last_year or program.year  # before the last year the rules assess
        match = _LABEL.fullmatch(label)
        if match is None or int(match.group(1)) >= year:
            self.error("E1016", {"period": label, "year": year}, past.period.span)
        result = past.result
        if result.count is not None and result.rank is not None and result.rank > result.count:
            self.error("E1006", {"key": "rank", "expected": ("E1006.rank_count", {})},
                       past.subject.span)  # fmt: skip
        if kind is not None and result.sanctions:
            known = sanction_items(self.programs[kind])
            named = [i if isinstance(i, str) else i.item for i in result.sanctions]
            for unknown in [i for i in named if i not in known]:
                self.error(
                    "E1006", {"key": "sanctions", "expected": ("E1006.sanctions", {})},
                    past.subject.span, help=suggest(unknown, known, None),
                )  # fmt: skip
            per_event = {
                i.id: i.sanction.column
                for i in self.programs[kind].items
                if i.sanction is not None and i.sanction.column is not None
            }
            for ident in [i for i in result.sanctions if isinstance(i, str) and i in per_event]:
                # Its duration came from its event: history states the last day.
                self.error("E1020", {"item": ident, "column": per_event[ident]},
                           past.subject.span, help=("E1020.help", {"item": ident}))  # fmt: skip
        if kind is not None and result.grade is not None:
            grades = [g.grade for g in self.programs[kind].grades] + ["ungraded"]
            ungraded = self.programs[kind].ungraded
            grades += [ungraded] if ungraded else []
            if result.grade not in grades:
                listed = "、".join(grades)
                self.error("E1007", {"grade": result.grade}, past.grade or past.subject.span,
                           help=suggest(result.grade, grades, ("E1007.ungraded", {"grades": listed})))  # fmt: skip
        if kind is not None:
            self.past_needs(kind, past)

    def event_lasts(self, kind: Kind, event: EventCase) -> None:
        """An event of an item whose duration each event gives states it
        (``lasts:``, E1022); an event of any other item does not (E1021)."""
        item = next(i for i in self.programs[kind].items if i.id == str(event.item.value))
        column = item.sanction.column if item.sanction is not None else None
        if column is None and event.lasts is not None:
            self.error("E1021", {"item": item.id}, event.lasts_span or event.item.span)
        elif column is not None and event.lasts is None:
            unit = item.sanction.unit if item.sanction is not None else None
            self.error("E1022", {"item": item.id, "column": column}, event.item.span,
                       help=("E1022.help", {"unit": (f"E0557.{unit}", {})}))  # fmt: skip

    def past_needs(self, kind: Kind, past: PastCase) -> None:
        """An earlier result gives what the history links of its kind read:
        ``rank`` and ``total`` are asked for only when a link's condition reads them."""
        given = {"rank": past.result.rank, "total": past.result.total}
        for link in self.programs[kind].links:
            if link.history_years is None:
                continue
            reads = {
                LINK_INPUTS[node.slot][0]
                for expr in (link.condition, link.since)
                if expr is not None
                for node in ir.walk(expr)
                if isinstance(node, ir.Ref)
            }
            # ``base`` falls back to the total when a result does not give it.
            missing = [k for k in ("rank", "total") if given[k] is None and (
                k in reads or (k == "total" and "base" in reads))]  # fmt: skip
            for key in missing:
                self.error("E0470", {"key": key, "link": link.id}, past.subject.span,
                           help=("E0470.help", {"key": key}))  # fmt: skip

    def invalid(self, key: str, expected: str, value: Named) -> None:
        self.error("E1006", {"key": key, "expected": (expected, {})}, value.span)

    def slot_value(self, slot: ir.Slot, key: str, value: Named) -> object:
        written = value.value
        if written is None:
            return None  # not scored (not applicable, exempt, not in force)
        if slot.type.kind == "bool":
            if isinstance(written, bool):
                return written
            self.invalid(key, "E1006.bool", value)
            return _INVALID
        if slot.type.kind == "number":
            number = None if isinstance(written, bool) else number_text(str(written))
            if number is None:
                self.invalid(key, "E1006.number", value)
                return _INVALID
            return number
        if slot.type.kind == "date":
            # As a data cell reads it (semantics.calendar: 2016-07-05, 2016/7/5, 2016年7月5日).
            day = written if isinstance(written, date) else parse_date(str(written))
            if day is None:
                self.invalid(key, "E1006.date", value)
                return _INVALID
            return day
        return str(written)


_INVALID = object()


def sanction_items(program: ir.Program) -> list[str]:
    """The ids of the veto items with a sanction of a program."""
    return [item.id for item in program.items if item.sanction is not None]
