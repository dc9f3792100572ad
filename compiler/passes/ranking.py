"""Population passes: ranking keys, grade bands and the quarterly roll-up."""

from __future__ import annotations

from decimal import Decimal

from compiler import ir
from compiler.lower import Scope, SlotBinding
from compiler.passes.state import Pending, State
from dsl import ast
from dsl.diagnostics import suggest
from semantics.types import BOOL, ERROR, NUMBER


def declare_ranking(state: State) -> None:
    """Reads the ``ranking`` block and ``state.scope``; sets ``state.ranking``
    (by total, descending, when none is declared)."""
    state.ranking = _declare_ranking(state, state.ruleset, state.scope, state.total)


def declare_grades(state: State) -> None:
    """Reads the ``grades`` bands; sets ``state.grades``, best first, with a
    pending condition definition for each prerequisite."""
    state.grades = _declare_grades(state, state.ruleset, state.scope)


def check_ranking_keys(state: State) -> None:
    """Reads ``state.ranking`` and the slot types known after lowering: a
    ranking key must be a number."""
    for slot, _ in state.ranking.keys:
        if state.slots[slot].type not in (NUMBER, ERROR):
            span = state.slots[slot].span
            state.error(
                "E0419",
                _ranking_key(state.slots[slot].name),
                state.ruleset.ranking.span if state.ruleset.ranking else span,
            )


def rollup(state: State, ruleset: ast.RuleSet) -> ir.Rollup | None:
    decl = ruleset.rollup
    if decl is None:
        return None
    weights: list[tuple[int, Decimal]] = []
    for key, weight in decl.weights:
        if key.name not in ("Q1", "Q2", "Q3", "Q4"):
            state.error("E0430", {"name": key.name}, key.span)
            continue
        weights.append((int(key.name[1]), weight.value))
    if decl.method == "weighted" and not weights:
        state.error("E0431", {}, decl.span)
    return ir.Rollup(decl.method, tuple(weights))  # type: ignore[arg-type]


def _ranking_key(name: str) -> dict[str, object]:
    """The arguments of E0419 for a ranking key (``properties`` raises it for ``monotone``)."""
    return {"what": ("E0419.ranking", {"name": name}), "allowed": ("E0419.ranking_keys", {})}


def _declare_ranking(state: State, ruleset: ast.RuleSet, scope: Scope, total: int) -> ir.Ranking:
    """The ranking keys as slots: total, base, a value or an indicator score."""
    decl = ruleset.ranking
    if decl is None:
        return ir.Ranking(((total, True),), ("total",))
    keys: list[tuple[int, bool]] = []
    names: list[str] = []
    for ident, descending in [(decl.by, decl.descending), *decl.ties]:
        binding = scope.lookup(ident.name)
        kinds = ("total", "base", "value", "score")
        if not isinstance(binding, SlotBinding) or state.slots[binding.slot].kind not in kinds:
            if ident.name:
                state.error(
                    "E0419",
                    _ranking_key(ident.name),
                    ident.span,
                    help=suggest(ident.name, ["total", "base", *state.global_names]),
                )
            continue
        keys.append((binding.slot, descending))
        names.append(ident.name)
    return ir.Ranking(tuple(keys), tuple(names))


def _declare_grades(state: State, ruleset: ast.RuleSet, scope: Scope) -> tuple[ir.GradeBand, ...]:
    """Grade bands, best first; prerequisites become condition slots."""
    if ruleset.grades is None:
        return ()
    bands: list[ir.GradeBand] = []
    seen: set[str] = set()
    previous: Decimal | None = None
    for decl in ruleset.grades:
        name = decl.grade.name
        if name in seen:
            state.error("E0422", {"grade": name}, decl.grade.span)
        seen.add(name)
        if decl.minimum is not None:
            if previous is not None and decl.minimum.value > previous:
                state.error(
                    "E0420",
                    {"grade": name, "minimum": decl.minimum.value, "previous": previous},
                    decl.minimum.span,
                )
            previous = decl.minimum.value
        requires = None
        if decl.requires is not None:
            requires = state.slot(f"grade.{name}.requires", "condition", BOOL, decl.grade.span)
            state.pending.append(Pending(requires, decl.requires, scope))
        quota = None
        if decl.quota is not None:
            q = decl.quota
            if not Decimal(0) <= q.share.value <= Decimal(1):
                state.error("E0421", {}, q.share.span)
            quota = ir.Quota(
                q.share.value, q.rounding, q.at_least, q.at_most,
                q.pool, q.ties,  # type: ignore[arg-type]  # literals checked by the schema
            )  # fmt: skip
        minimum = decl.minimum.value if decl.minimum else None
        maximum = decl.maximum.value if decl.maximum else None
        bands.append(
            ir.GradeBand(name, minimum, requires, quota, decl.blocked_by, decl.span, maximum)
        )
    return tuple(bands)
