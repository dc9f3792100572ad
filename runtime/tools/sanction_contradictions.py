"""Contradictory sanctions that no precedence decides (``verify``, V0115).

Two veto items contradict when both can hold for one subject and their
outcomes cannot both be honoured: two different forced grades, a forced
grade better than the other's cap (force 优秀, at most 称职), or a forced
grade whose band the other's veto blocks (force 优秀, 一票否优).  The
runtime then lets the harshest stand (``runtime.engine.sanctions``), which
may not be what the scheme means; ``sanctions.precedence`` listing either
item decides, and silences the finding.

Whether both can hold is decided by searching for a witness, as V0114 does
for links: both items are raised by one occurrence each in the same period,
and the subject's inputs are tried at a few telling values (each field's
ends and middle, every level) until the compiled program raises both
(``raised_by``, ``when``).  Items whose effective dates never meet are
apart unless one of them lasts.  No witness found means none was found
among those values: a search, not a proof.
"""

from __future__ import annotations

import decimal
import itertools
from collections.abc import Iterator
from datetime import date
from decimal import Decimal

from compiler import ir
from compiler.pipeline import Compilation
from dsl.diagnostics import Diagnostic, Label
from runtime.engine.compiled import CompiledEvaluator
from semantics import operations as helpers
from semantics.operations import Fault

_LIMIT = 5_000  # input rows tried per pair of items, at most


def sanction_contradictions(compilation: Compilation) -> list[Diagnostic]:
    """One V0115 per pair of veto items of one kind that can contradict with
    no precedence deciding."""
    found: list[Diagnostic] = []
    for kind, program in compilation.programs.items():
        module = compilation.modules.get(kind)
        if module is None:
            continue
        items = [i for i in program.items if i.kind == "veto"]
        evaluator: CompiledEvaluator | None = None
        for first, second in itertools.combinations(items, 2):
            if first.id in program.sanction_precedence or second.id in program.sanction_precedence:
                continue
            clash = _clash(program, first, second) or _clash(program, second, first)
            if clash is None or not _meet(first, second):
                continue
            evaluator = evaluator or CompiledEvaluator(program, module)
            witness = _witness(program, evaluator, first, second)
            if witness is None:
                continue
            forcing_outcome, other_outcome, forcing = clash
            first_outcome, second_outcome = (
                (forcing_outcome, other_outcome)
                if forcing is first
                else (other_outcome, forcing_outcome)
            )
            args: dict[str, object] = {
                "first": first.id, "second": second.id, "where": second.span.location(),
                "target": (f"V0114.{kind}", {}), "first_outcome": first_outcome,
                "second_outcome": second_outcome, "witness": witness,
            }  # fmt: skip
            labels = (Label(second.span, "V0115.label"),)
            found.append(
                Diagnostic("V0115", args, first.span, "warning", labels, help=("V0115.help", {}))
            )
    return found


Outcome = tuple[str, dict[str, object]]


def _clash(
    program: ir.Program, forcing: ir.Item, other: ir.Item
) -> tuple[Outcome, Outcome, ir.Item] | None:
    """``forcing``'s forced grade against ``other``'s outcome, when they
    cannot both hold: (forcing's outcome, other's outcome, forcing)."""
    if forcing.sanction is None or forcing.sanction.grade is None:
        return None
    grade = forcing.sanction.grade
    mine: Outcome = ("V0115.force", {"grade": grade})
    theirs = other.sanction
    order = program.grade_order
    if theirs is not None and theirs.grade is not None and theirs.grade != grade:
        return mine, ("V0115.force", {"grade": theirs.grade}), forcing
    if (
        theirs is not None
        and theirs.at_most is not None
        and grade in order
        and theirs.at_most in order
        and order.index(grade) < order.index(theirs.at_most)
    ):
        return mine, ("V0115.cap", {"grade": theirs.at_most}), forcing
    band = next((b for b in program.grades if b.grade == grade), None)
    if other.veto is not None and band is not None and other.veto in band.blocked_by:
        return mine, ("V0115.blocks", {"grade": grade}), forcing
    return None


def _meet(first: ir.Item, second: ir.Item) -> bool:
    """Whether both can hold on one day: their effective dates overlap, or
    one of them lasts beyond the period it is raised in."""
    for item in (first, second):
        if item.sanction is not None and (
            item.sanction.years or item.sanction.until or item.sanction.column
        ):
            return True
    start = max(first.effective_from or date.min, second.effective_from or date.min)
    end = min(first.effective_until or date.max, second.effective_until or date.max)
    return start <= end


def _witness(
    program: ir.Program, evaluator: CompiledEvaluator, first: ir.Item, second: ir.Item
) -> str | None:
    """Inputs under which the program raises both items, as text; None when
    none was found."""
    counts = {first.count, second.count}
    for row in _rows(program, counts):
        try:
            with decimal.localcontext(helpers.CONTEXT):
                values = evaluator.evaluate(tuple(row))
        except (Fault, ArithmeticError):
            continue
        if _raised(program, first, values) and _raised(program, second, values):
            return _shown(program, row, first, second)
    return None


def _raised(program: ir.Program, item: ir.Item, values: list[object]) -> bool:
    """Whether the values raise the item: its own flag, or (a veto without
    sanctions) an occurrence and its ``when``."""
    if item.raised is not None:
        return values[item.raised] is True
    gate = next((s.index for s in program.slots if s.name == f"{item.id}.when"), None)
    count = values[item.count]
    return isinstance(count, Decimal) and count > 0 and (gate is None or values[gate] is True)


def _rows(program: ir.Program, counts: set[int]) -> Iterator[list[object]]:
    """Candidate input rows: one occurrence of each item, the runtime's
    inputs as in a year's last quarter, the data fields at telling values."""
    year = program.year
    choices: list[list[object]] = []
    for field in program.inputs:
        fixed: object
        if field.kind == "events":
            fixed = Decimal(1) if field.slot in counts else Decimal(0)
        elif field.kind == "context":
            fixed = True
        elif field.kind == "section_total":
            fixed = Decimal(100)
        elif field.kind == "period_start":
            fixed = date(year, 10, 1)
        elif field.kind == "period_end":
            fixed = date(year, 12, 31)
        else:
            choices.append(_candidates(field) or [field.default])
            continue
        choices.append([fixed])
    for tried, combination in enumerate(itertools.product(*choices)):
        if tried >= _LIMIT:
            return
        yield list(combination)


def _candidates(field: ir.InputField) -> list[object]:
    """A few telling values of a field: its default, its ends and middle, its levels."""
    found: list[object] = [] if field.default is None else [field.default]
    if field.type.kind == "level":
        return found + [m for m in field.type.members if m not in found]
    if field.type.kind == "bool":
        return found + [v for v in (False, True) if v not in found]
    if field.type.kind != "number" or field.kind == "list":
        return found
    low = field.minimum if field.minimum is not None else Decimal(0)
    high = field.maximum if field.maximum is not None else low + Decimal(10)
    return found + [v for v in (low, high, (low + high) / 2) if v not in found]


def _shown(program: ir.Program, row: list[object], first: ir.Item, second: ir.Item) -> str:
    """The witness: both items' occurrences, then the data inputs that differ
    from their defaults."""
    parts = [f"{first.id} × 1", f"{second.id} × 1"]
    for field, value in zip(program.inputs, row, strict=True):
        if field.kind in ir.RUNTIME_INPUT_KINDS or value == field.default:
            continue
        parts.append(f"{field.name} = {value}")
    return ", ".join(parts)
