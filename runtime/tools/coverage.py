"""What rule tests reach: grade bands, their quotas and prerequisites, formula
branches, level tables, caps, vetoes and links.

The targets come from the compiled programs (so a revision that adds a band
or a branch is uncovered until a test reaches it); hits come from the
results the tests produced.  A formula branch or a level counts as reached
when some test's values take it: an instrumented build of the program's
formulas (``runtime.engine.conditions.Probes``, built only here, so the
evaluator itself carries no probe) evaluates them again on the subject's
slot values (formulas are pure, so this is what the evaluation did) and
reports each arm taken and each level looked up.
"""

from __future__ import annotations

import dataclasses
import decimal
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from compiler import ir
from dsl.spans import Span
from runtime.engine.conditions import Hit, Probes
from runtime.engine.population import passes
from runtime.engine.results import SubjectResult
from runtime.inputs.periods import period_end

_QUARTER = re.compile(r"^\d{4}Q[1-4]$")  # a quarter's results, not a roll-up's

Category = Literal["grade", "quota", "requires", "branch", "level", "cap", "veto", "link"]
CATEGORIES: tuple[Category, ...] = (
    "grade", "quota", "requires", "branch", "level", "cap", "veto", "link",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Target:
    category: Category
    kind: str  # section or person
    label: str  # what users call it: "优秀", "revenue: 完成率 >= 100%", "好"
    span: Span


@dataclass
class Coverage:
    """Targets to reach, those reached, and those ``verify`` proves no data can
    reach (left out of the percentages: no test could cover them)."""

    targets: list[Target] = field(default_factory=list)
    hit: set[Target] = field(default_factory=set)
    unreachable: list[Target] = field(default_factory=list)

    def counted(self, category: Category | None = None) -> list[Target]:
        return [t for t in self.targets if category is None or t.category == category]

    def reached(self, category: Category | None = None) -> int:
        return sum(1 for t in self.counted(category) if t in self.hit)

    def percent(self, category: Category | None = None) -> Decimal:
        chosen = self.counted(category)
        if not chosen:
            return Decimal(100)
        share = Decimal(100) * self.reached(category) / len(chosen)
        return share.quantize(Decimal("0.1"), rounding=decimal.ROUND_DOWN)  # never 100 too soon

    def missed(self) -> list[Target]:
        return [t for t in self.targets if t not in self.hit]


class Tracker:
    """Targets of one program and the bookkeeping of which ones results reach."""

    def __init__(
        self,
        program: ir.Program,
        coverage: Coverage,
        unreachable: set[tuple[str, Span]],
        filename: str,
    ) -> None:
        """``filename``: the program's generated module's (where a fault of the
        probes is reported, as for the program itself)."""
        self.program = program
        self.coverage = coverage
        self.unreachable = unreachable
        self.kind = program.kind
        self.grades: dict[str, Target] = {}
        self.quotas: list[tuple[int, ir.GradeBand, Target]] = []
        self.prerequisites: list[tuple[int, ir.GradeBand, Target]] = []
        self.arms: dict[tuple[int, int], Target] = {}  # (id of the Cond, arm) -> target
        self.levels: dict[tuple[int, str], Target] = {}
        self.caps: list[tuple[Target, int, Decimal, ir.Item | None, tuple[int, ...] | None]] = []
        self.vetoes: dict[str, Target] = {}
        self.links: dict[str, Target] = {}
        self._collect()
        self.probes = Probes(program, filename)

    def add(self, target: Target) -> Target:
        if (target.kind, target.span) in self.unreachable:
            self.coverage.unreachable.append(target)
        else:
            self.coverage.targets.append(target)
        return target

    def _collect(self) -> None:
        program = self.program
        for position, band in enumerate(program.grades):
            self.grades[band.grade] = self.add(Target("grade", self.kind, band.grade, band.span))
            if band.quota is not None:
                quota = self.add(Target("quota", self.kind, band.grade, band.span))
                self.quotas.append((position, band, quota))
            if band.requires is not None:  # located at its formula, where a fix goes
                formula = next(d for d in program.definitions if d.slot == band.requires)
                prerequisite = self.add(
                    Target("requires", self.kind, band.grade, formula.expr.span)
                )
                self.prerequisites.append((position, band, prerequisite))
        owners = {s.index: s.name for s in program.slots}
        for definition in program.definitions:
            owner = owners[definition.slot]
            for node in ir.walk(definition.expr):
                if isinstance(node, ir.Cond):
                    for arm, (condition, _) in enumerate(node.branches):
                        label = f"{owner}: {' '.join(condition.span.text.split())}"
                        self.arms[(id(node), arm)] = self.add(
                            Target("branch", self.kind, label, condition.span)
                        )
                    otherwise = len(node.branches)
                    self.arms[(id(node), otherwise)] = self.add(
                        Target("branch", self.kind, f"{owner}: else", node.otherwise.span)
                    )
                elif isinstance(node, ir.Lookup):
                    for level, _ in node.table:
                        self.levels[(id(node), level)] = self.add(
                            Target("level", self.kind, f"{owner}: {level}", node.span)
                        )
        for item in program.items:
            if item.cap is not None and item.points is not None and item.per is not None:
                target = self.add(Target("cap", self.kind, item.id, item.span))
                self.caps.append((target, item.points, item.cap, item, None))
            if item.kind == "veto":
                self.vetoes[item.id] = self.add(Target("veto", self.kind, item.id, item.span))
        for kind, slot in (("bonus", program.bonus), ("deduction", program.deduction)):
            found = next((d for d in program.definitions if d.slot == slot), None)
            if found is None:
                continue
            expr = found.expr
            if (
                isinstance(expr, ir.Call)
                and expr.fn == "min"
                and isinstance(expr.args[1], ir.Const)
            ):
                cap = expr.args[1]
                assert isinstance(cap.value, Decimal)
                target = self.add(Target("cap", self.kind, f"{kind}_cap", cap.span))
                self.caps.append((target, found.slot, cap.value, None, _summed(expr.args[0])))
        for link in program.links:
            self.links[link.id] = self.add(Target("link", self.kind, link.id, link.span))

    def record(self, results: Iterable[SubjectResult]) -> None:
        for result in results:
            self._record(result)

    def _record(self, result: SubjectResult) -> None:
        hit = self.coverage.hit
        values = result.values
        if result.grade in self.grades:
            hit.add(self.grades[result.grade])
        if not _QUARTER.match(result.period) and not self.program.annual:
            # A roll-up (a rule test over a year): its grade and links count; its
            # formulas, quotas and caps are counted in quarters' cases.  An
            # annual rule set's year is evaluated, not rolled up.
            self._record_links(result)
            return
        # A quota binds when it keeps out someone who qualifies for the band
        # and no earlier band took: they got a later band, or none.
        order = [band.grade for band in self.program.grades]
        after = order.index(result.grade) if result.grade in order else len(order)
        for position, band, target in self.quotas:
            if after > position and passes(self.program, band, values, set(result.vetoes)):
                hit.add(target)
        # A prerequisite binds when it alone keeps out someone the band's
        # thresholds admit: without it they would have passed.
        vetoes = set(result.vetoes)
        for position, band, target in self.prerequisites:
            unconditional = dataclasses.replace(band, requires=None)
            if (
                after > position
                and passes(self.program, unconditional, values, vetoes)
                and not passes(self.program, band, values, vetoes)
            ):
                hit.add(target)
        hit.update(self.taken(values))
        end = period_end(result.period)
        for target, slot, cap, item, summed in self.caps:
            if item is not None:
                count = values[item.count]
                assert item.per is not None
                gated = values[slot] is not None and values[slot] == cap
                if gated and isinstance(count, Decimal) and count * item.per > cap:
                    hit.add(target)
            elif summed is not None and values[slot] == cap and _raw(values, summed) > cap:
                hit.add(target)
        for item in self.program.items:
            count = values[item.count]
            if (
                item.kind == "veto"
                and isinstance(count, Decimal)
                and count > 0
                and (end is None or item.in_force(end))
            ):
                hit.add(self.vetoes[item.id])
            elif item.raised is not None and values[item.raised] is True:  # raised by data
                hit.add(self.vetoes[item.id])
        for sanction in result.sanctions:  # carried from an earlier period, it acted too
            if sanction.item in self.vetoes:
                hit.add(self.vetoes[sanction.item])
        self._record_links(result)

    def _record_links(self, result: SubjectResult) -> None:
        for consequence in (*result.consequences, *result.overridden):
            if consequence.source == result.id and consequence.link in self.links:
                self.coverage.hit.add(self.links[consequence.link])

    def taken(self, values: Sequence[object]) -> set[Target]:
        """The formula arms and levels one subject's slot values take."""
        hits: list[Hit] = []
        self.probes.record(values, hits)
        found = set()
        for probe, seen in hits:
            node, arm = self.probes.probes[probe]
            if arm is not None:
                found.add(self.arms[(id(node), arm)])
            elif (id(node), str(seen)) in self.levels:
                found.add(self.levels[(id(node), str(seen))])
        return found


def _summed(expr: ir.Expr) -> tuple[int, ...] | None:
    """The item slots an overall cap's sum adds up, when it is a plain sum."""
    refs = [node.slot for node in ir.walk(expr) if isinstance(node, ir.Ref)]
    return tuple(refs) if refs else None


def _raw(values: Sequence[object], slots: tuple[int, ...]) -> Decimal:
    return sum((v for v in (values[s] for s in slots) if isinstance(v, Decimal)), Decimal(0))
