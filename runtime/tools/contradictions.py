"""Contradictory result links that no precedence decides (``verify``, V0114).

Two links contradict when they give different values for the same effect key
(``promotion: 同等条件下优先`` and ``promotion: 原则上当年不得提拔``).  That
is harmless when one ``overrides`` the other (directly or through others), or
when they can never both reach one subject: they read different evaluations
(``quarter`` and ``year``), no person in the organization is received by both
(``roles``/``except``, ``to``), or their conditions cannot both hold.

Whether the conditions can both hold is decided by searching for a witness:
the compiled conditions (``runtime.engine.conditions``, the code evaluation
runs) are tried on values built from the constants the conditions compare
with, one step either side, and a few small counts.  A witness is shown in
the finding, so the office sees the case ("rank = 3, count = 3") rather than
a bare claim.  Conditions over one subject (both links of a section, or both
of a person, or both a section's links to its head) are searched together;
a section's link to its head and the head's own link read different results
and are searched apart.  No witness found means none was found among those
values: the check is a search, not a proof, and says so by staying silent.
"""

from __future__ import annotations

import decimal
import itertools
from collections.abc import Iterator, Sequence
from decimal import Decimal

from compiler import ir
from compiler.links import LINK_INPUTS
from compiler.pipeline import Compilation
from dsl.diagnostics import Diagnostic, Label
from runtime.engine.conditions import CompiledCondition, link_condition
from runtime.engine.links import person_roles, precedence
from semantics import operations as helpers
from semantics.operations import Fault
from semantics.types import BOOL, TEXT

_LIMIT = 200_000  # candidate value vectors tried per pair of links, at most
_RANK, _COUNT = 2, 3  # positions of ``rank`` and ``count`` in LINK_INPUTS


def contradictions(compilation: Compilation) -> list[Diagnostic]:
    """One V0114 per pair of links that can contradict with nothing to decide."""
    pairs = [(p, link) for p in compilation.programs.values() for link in p.links]
    beats = precedence([link for _, link in pairs])
    found: list[Diagnostic] = []
    for (first_program, first), (second_program, second) in itertools.combinations(pairs, 2):
        if second.id in beats[first.id] or first.id in beats[second.id]:
            continue
        if "period" not in (first.reads, second.reads) and first.reads != second.reads:
            continue  # a quarter's link and the year's never fire on one evaluation
        clash = _clash(first, second)
        if clash is None:
            continue
        recipient = _recipient(first_program, first)
        if recipient != _recipient(second_program, second):
            continue
        if recipient == "person" and not _shared_person(first_program, first, second):
            continue
        witness = _witness(first_program, first, second_program, second)
        if witness is None:
            continue
        key, first_value, second_value = clash
        args: dict[str, object] = {
            "first": first.id, "second": second.id, "where": second.span.location(),
            "target": (f"V0114.{recipient}", {}), "key": key,
            "first_value": first_value, "second_value": second_value, "witness": witness,
        }  # fmt: skip
        labels = (Label(second.span, "V0114.label"),)
        found.append(
            Diagnostic("V0114", args, first.span, "warning", labels, help=("V0114.help", {}))
        )
    return found


def _clash(first: ir.Link, second: ir.Link) -> tuple[str, str, str] | None:
    """The first effect key both give with different values."""
    theirs = dict(second.effects)
    for key, value in first.effects:
        if key in theirs and theirs[key] != value:
            return key, value, theirs[key]
    return None


def _recipient(program: ir.Program, link: ir.Link) -> str:
    """Who receives the link's consequences: a section itself, or people."""
    return "section" if program.kind == "section" and link.to == "self" else "person"


def _receives(link: ir.Link, roles: frozenset[str]) -> bool:
    if link.to in ("head", "liaison") and link.to not in roles:
        return False
    if link.roles and not roles & set(link.roles):
        return False
    return not roles & set(link.excepted)


def _shared_person(program: ir.Program, first: ir.Link, second: ir.Link) -> bool:
    """Whether some person of the organization (by their roles) receives both."""
    combinations = set(person_roles(program).values()) or {frozenset({"staff"})}
    return any(_receives(first, r) and _receives(second, r) for r in combinations)


def _witness(
    first_program: ir.Program, first: ir.Link, second_program: ir.Program, second: ir.Link
) -> str | None:
    """Values under which both conditions hold, as text; None when none was found."""
    one = link_condition(first_program, first)
    other = link_condition(second_program, second)
    same_subject = first_program.kind == second_program.kind and (
        first_program.kind == "person" or (first.to == "self") == (second.to == "self")
    )
    if same_subject:
        values = _search([one, other], _grades(first_program))
        return None if values is None else _shown(values, [first, second])
    mine = _search([one], _grades(first_program))
    theirs = _search([other], _grades(second_program))
    if mine is None or theirs is None:
        return None
    return f"{first.id}: {_shown(mine, [first])}; {second.id}: {_shown(theirs, [second])}"


def _grades(program: ir.Program) -> list[str]:
    return [band.grade for band in program.grades] + ["ungraded", ""]


def _read(links: Sequence[ir.Link]) -> list[int]:
    return sorted(
        {n.slot for link in links for n in ir.walk(link.condition) if isinstance(n, ir.Ref)}
    )


def _search(conditions: list[CompiledCondition], grades: list[str]) -> list[object] | None:
    """The first candidate values (over ``LINK_INPUTS``) all conditions hold on."""
    numbers: set[Decimal] = {Decimal(0), Decimal(1), Decimal(2), Decimal(3), Decimal(100)}
    for condition in conditions:
        for node in ir.walk(condition.condition):
            if isinstance(node, ir.Const) and isinstance(node.value, Decimal):
                numbers |= {node.value - 1, node.value, node.value + 1}
    ordered = sorted(n for n in numbers if n >= 0)
    counts = sorted({int(n) for n in ordered if n == int(n) and 1 <= n <= 500} | {1, 2, 3, 5, 10})
    read = {n.slot for c in conditions for n in ir.walk(c.condition) if isinstance(n, ir.Ref)}
    with decimal.localcontext(helpers.CONTEXT):
        for tried, values in enumerate(_candidates(read, ordered, counts, grades)):
            if tried >= _LIMIT:
                return None
            if all(_holds(condition, values) for condition in conditions):
                return values
    return None


def _candidates(
    read: set[int], numbers: list[Decimal], counts: list[int], grades: list[str]
) -> Iterator[list[object]]:
    """Value vectors varying only the slots the conditions read."""
    choices: list[Sequence[object]] = []
    for index, (_, type_) in enumerate(LINK_INPUTS):
        if index in (_RANK, _COUNT):
            choices.append([None])  # filled below: a rank within its count
        elif type_ == TEXT:
            choices.append(grades if index in read else [""])
        elif type_ == BOOL:
            choices.append([False, True] if index in read else [False])
        else:
            choices.append(numbers if index in read else [Decimal(0)])
    if not read & {_RANK, _COUNT}:
        counts = [1]
    for count in counts:
        ranks = range(1, count + 1) if count <= 12 else sorted({1, 2, 3, count - 1, count})
        for rank in ranks:
            for values in itertools.product(*choices):
                filled = list(values)
                filled[_RANK], filled[_COUNT] = Decimal(rank), Decimal(count)
                yield filled


def _holds(condition: CompiledCondition, values: list[object]) -> bool:
    try:
        return bool(condition(values))
    except (Fault, KeyError, TypeError, ArithmeticError):
        return False  # a condition that faults on made-up values does not hold


def _shown(values: list[object], links: Sequence[ir.Link]) -> str:
    """The values the links read, as ``rank = 3, count = 3``."""
    parts = []
    for slot in _read(links):
        name = LINK_INPUTS[slot][0]
        value = values[slot]
        text = value if isinstance(value, str) else str(value).lower()
        parts.append(f'{name} = "{text}"' if isinstance(value, str) else f"{name} = {text}")
    return ", ".join(parts) or "-"
