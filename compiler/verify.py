"""Static analysis of a checked rule set: what can be proven before adoption.

Built on the IR and the interval analysis (``compiler.intervals``):

* points add up to full marks on every date the effective dates produce;
* grade bands cover the possible totals at the declared places, with no gap
  and, under a ``unique`` reading, no overlap (witness values are given);
* grades, formula branches and links that can never be reached;
* quotas that can never be used, caps that can never bind;
* inputs declared but never used; indicators that can never score full marks,
  or may score below zero or above their points;
* the proven bounds of every indicator, the base, the adjustments and the total.

Every finding is a located diagnostic; errors are things that are wrong
(points not adding up, a gap in the grades), warnings things to look at.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from compiler import ir
from compiler.intervals import Interval, bounds, narrow
from dsl.diagnostics import Diagnostic
from dsl.spans import Span
from semantics.builtins import MIN
from semantics.quota import quota_places


@dataclass
class Verification:
    findings: list[Diagnostic] = field(default_factory=list)
    bounds: list[tuple[str, str, str, Interval, Decimal | None]] = field(default_factory=list)
    # (kind, id, name, interval, points or full marks)
    # (kind, span) of grades, branches, caps and links proven never reached:
    # rule-test coverage leaves them out, since no test could reach them.
    unreachable: set[tuple[str, Span]] = field(default_factory=set)


# Findings that prove a part of the rules can never be reached.
_UNREACHABLE = ("V0104", "V0105", "V0107", "V0111", "V0112")


def _span(program: ir.Program) -> Span:
    return program.slots[program.total].span


def _dates(program: ir.Program) -> list[date]:
    """The first day of each stretch of the year (of each year the rules
    cover) with the same indicators in force."""
    starts = {date(program.year, 1, 1)}
    for indicator in program.indicators:
        if indicator.effective_from is not None:
            starts.add(indicator.effective_from)
        if indicator.effective_until is not None:
            starts.add(indicator.effective_until + timedelta(days=1))
    return sorted(d for d in starts if program.covers(d.year))


def _unscaled_sum(program: ir.Program, indicators: list[ir.Indicator]) -> Decimal | None:
    """The points of ``indicators`` added up, when some subject is assessed on
    all of them, so its total is their plain sum; None when every subject has
    an indicator that does not apply to it, so every total is rescaled to full
    marks (``applies_to`` partitions the indicators among the sections)."""
    everything = sum((i.points for i in indicators), Decimal(0))
    organization = program.organization
    if organization is None or all(i.applies_to is None for i in indicators):
        return everything
    if program.kind == "person":  # by each person's section and post
        return everything if everything in organization.person_applicable_sums(indicators) else None
    for section in organization.assessed_sections(program.kind):
        if all(i.applies(section) for i in indicators):
            return everything
    return None


def _points(program: ir.Program, kind: str, found: list[Diagnostic]) -> None:
    days = _dates(program)
    for index, day in enumerate(days):
        last = (
            days[index + 1] - timedelta(days=1)
            if index + 1 < len(days)
            else date(program.last_year or program.year, 12, 31)
        )
        in_force = [i for i in program.indicators if i.in_force(day)]
        total = _unscaled_sum(program, in_force)
        if in_force and total is not None and total != program.full_marks:
            where = next(
                (i.span for i in program.indicators
                 if i.effective_from == day or (i.effective_until and i.effective_until + timedelta(days=1) == day)),
                _span(program),
            )  # fmt: skip
            found.append(
                Diagnostic("V0101", {"kind": (f"kind.{kind}", {}), "start": day, "end": last,
                                     "sum": total, "full": program.full_marks}, where)
            )  # fmt: skip


def _grades(program: ir.Program, total: Interval, found: list[Diagnostic]) -> None:
    if not program.grades:
        return
    quantum = Decimal(1).scaleb(-program.places)
    low = total.low if total.low is not None else Decimal(0)
    high = total.high if total.high is not None else program.full_marks
    # Each band's range; a band without max ends where the previous one starts.
    ranges: list[tuple[ir.GradeBand, Decimal, Decimal]] = []
    ceiling = high
    for band in program.grades:
        start = band.minimum if band.minimum is not None else low
        end = band.maximum if band.maximum is not None else ceiling
        ranges.append((band, start, end))
        if band.minimum is not None:
            ceiling = (
                band.minimum - quantum
                if band.maximum is None
                else min(ceiling, band.minimum - quantum)
            )
    ordered = sorted(ranges, key=lambda r: (r[1], r[2]))
    cursor = low
    for band, start, end in ordered:
        if start > cursor:
            found.append(
                Diagnostic(
                    "V0102", {"low": cursor, "high": start - quantum, "witness": cursor}, band.span
                )
            )
        cursor = max(cursor, end + quantum)
    if cursor <= high:
        found.append(
            Diagnostic(
                "V0102", {"low": cursor, "high": high, "witness": cursor}, program.grades[-1].span
            )
        )
    listed = {id(band): index for index, band in enumerate(program.grades)}
    for (a, _, a_end), (b, b_start, b_end) in itertools.pairwise(ordered):
        if b_start <= a_end and (a.maximum is not None or b.maximum is not None):
            # Named in listed order: the first listed takes the overlap.
            first, second = sorted((a, b), key=lambda band: listed[id(band)])
            found.append(
                Diagnostic("V0103", {"first": first.grade, "second": second.grade, "low": b_start,
                                     "high": min(a_end, b_end)}, b.span)
            )  # fmt: skip
    for band, start, _ in ranges:
        if total.high is not None and start > total.high:
            found.append(Diagnostic("V0104", {"grade": band.grade, "high": total.high}, band.span))


def _branches(program: ir.Program, env: dict[int, Interval], found: list[Diagnostic]) -> None:
    """Formula branches no value within the bounds can reach."""
    for definition in program.definitions:
        stack = [definition.expr]
        while stack:
            node = stack.pop()
            if isinstance(node, ir.Cond):
                scope = dict(env)
                for condition, arm in node.branches:
                    inside = narrow(condition, scope, True)
                    if any(
                        i.low is not None and i.high is not None and i.low > i.high
                        for i in inside.values()
                    ):
                        found.append(
                            Diagnostic(
                                "V0105",
                                {"text": " ".join(condition.span.text.split())},
                                condition.span,
                            )
                        )
                    scope = {**scope, **narrow(condition, scope, False)}
                    stack.append(arm)
                stack.append(node.otherwise)
            else:
                stack.extend(ir.children(node))


def _unused_inputs(program: ir.Program, found: list[Diagnostic]) -> None:
    read: set[int] = set()
    for definition in program.definitions:
        stack = [definition.expr]
        while stack:
            node = stack.pop()
            if isinstance(node, ir.Ref):
                read.add(node.slot)
            stack.extend(ir.children(node))
    for input_field in program.inputs:
        if input_field.kind in ir.RUNTIME_INPUT_KINDS:
            continue
        if input_field.slot not in read:
            found.append(Diagnostic("V0106", {"name": input_field.name}, input_field.span))


def _caps(program: ir.Program, found: list[Diagnostic]) -> None:
    for kind, slot in (("bonus", program.bonus), ("deduction", program.deduction)):
        if slot is None:
            continue
        definition = next(d for d in program.definitions if d.slot == slot)
        if not (isinstance(definition.expr, ir.Call) and definition.expr.fn == MIN.name):
            continue
        cap = definition.expr.args[1]
        assert isinstance(cap, ir.Const) and isinstance(cap.value, Decimal)
        items = [i for i in program.items if i.kind == kind]
        if items and all(i.cap is not None for i in items):
            most = sum((i.cap for i in items if i.cap is not None), Decimal(0))
            if most <= cap.value:
                args = {"kind": (f"V0107.{kind}", {}), "subjects": (f"subjects.{program.kind}", {}),
                        "cap": cap.value, "most": most}  # fmt: skip
                found.append(Diagnostic("V0107", args, cap.span))
    for indicator in program.indicators:
        if indicator.method != "deduct":
            continue
        definition = next(d for d in program.definitions if d.slot == indicator.score)
        for node in ir.walk(definition.expr):
            if isinstance(node, ir.Call) and node.fn == MIN.name:
                cap = node.args[1]
                if (
                    isinstance(cap, ir.Const)
                    and isinstance(cap.value, Decimal)
                    and cap.value >= indicator.points
                ):
                    found.append(
                        Diagnostic(
                            "V0108",
                            {"id": indicator.id, "cap": cap.value, "points": indicator.points},
                            cap.span,
                        )
                    )


def _scores(program: ir.Program, env: dict[int, Interval], result: Verification, kind: str) -> None:
    for indicator in program.indicators:
        interval = env[indicator.score]
        result.bounds.append((kind, indicator.id, indicator.name, interval, indicator.points))
        if interval.high is not None and interval.high < indicator.points:
            result.findings.append(
                Diagnostic("V0109", {"id": indicator.id, "high": interval.high, "points": indicator.points}, indicator.span, severity="warning")
            )  # fmt: skip
        if (
            interval.high is None
            or interval.high > indicator.points
            or interval.low is None
            or interval.low < 0
        ):
            result.findings.append(
                Diagnostic("V0110", {"id": indicator.id, "bounds": str(interval), "points": indicator.points}, indicator.span, severity="warning")
            )  # fmt: skip


def _links(program: ir.Program, found: list[Diagnostic]) -> None:
    grades = {band.grade for band in program.grades}
    for link in program.links:
        for node in ir.walk(link.condition):
            if (
                isinstance(node, ir.Cmp)
                and isinstance(node.left, ir.Ref)
                and node.left.slot == 4  # ``grade`` in compiler.links.LINK_INPUTS
                and isinstance(node.right, ir.Const)
                and isinstance(node.right.value, str)
                and node.right.value not in grades
            ):
                found.append(
                    Diagnostic("V0111", {"id": link.id, "grade": node.right.value}, node.right.span)
                )


def verify(sections: ir.Program, people: ir.Program | None) -> Verification:
    result = Verification()
    section_env = bounds(sections)
    people_env = bounds(people, section_env.get(sections.total)) if people is not None else {}
    for kind, program, env in (("section", sections, section_env), ("person", people, people_env)):
        if program is None:
            continue
        errors: list[Diagnostic] = []
        _points(program, kind, errors)
        total = env.get(program.total, Interval(None, None))
        _grades(program, total, errors)
        result.findings.extend(errors)
        warnings: list[Diagnostic] = []
        _branches(program, env, warnings)
        _unused_inputs(program, warnings)
        _caps(program, warnings)
        _links(program, warnings)
        _quota_use(program, warnings)
        result.findings.extend(
            Diagnostic(d.code, d.args, d.span, "warning", d.labels, d.help) for d in warnings
        )
        links = {link.id: link.span for link in program.links}
        for finding in (*errors, *warnings):
            if finding.code in _UNREACHABLE and finding.span is not None:
                where = links[str(finding.args["id"])] if finding.code == "V0111" else finding.span
                result.unreachable.add((kind, where))
        _scores(program, env, result, kind)
        for name, slot in (("base", program.base), ("bonus", program.bonus),
                           ("deduction", program.deduction), ("total", program.total)):  # fmt: skip
            if slot is not None and slot in env:
                result.bounds.append(
                    (
                        kind,
                        name,
                        name,
                        env[slot],
                        program.full_marks if name in ("base", "total") else None,
                    )
                )
    return result


def _quota_use(program: ir.Program, found: list[Diagnostic]) -> None:
    """A quota that rounds to no place at all in some pool makes its grade unreachable there."""
    if program.organization is None:
        return
    pools: dict[str, int] = {}
    if program.kind == "section":
        for section in program.organization.sections:
            pools[section.group] = pools.get(section.group, 0) + 1
    else:
        pools[""] = len(program.organization.people)
    for band in program.grades:
        quota = band.quota
        if quota is None:
            continue
        sizes = pools.values() if quota.pool == "group" else [sum(pools.values())]
        for size in sizes:
            # Not yet bounded by the pool: at_least beyond it is reported apart (V0113).
            places = quota_places(quota.share, quota.rounding, quota.at_least, quota.at_most, size)
            if places == 0:
                found.append(Diagnostic("V0112", {"grade": band.grade, "size": size}, band.span))
            elif quota.at_least is not None and quota.at_least > size:
                found.append(
                    Diagnostic(
                        "V0113",
                        {"grade": band.grade, "size": size, "least": quota.at_least},
                        band.span,
                    )
                )
