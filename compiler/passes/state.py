"""What the passes share while they build one kind's program.

The passes run in one order over one :class:`State`; a field is set by the
pass that declares it (those marked ``init=False`` do not exist before), so
a pass that ran too early fails loudly instead of reading an empty default.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Literal

from compiler import ir
from compiler.lower import Binding, Scope
from dsl import ast
from dsl.diagnostics import Diagnostic, Label
from dsl.spans import Span
from semantics.rounding import DEFAULT_ROUNDING
from semantics.types import Type

Kind = Literal["section", "person"]

# Names the language gives meaning to; rule files may not declare them.
RESERVED = ("base", "total", "points")


@dataclass
class Pending:
    """A definition waiting to be lowered: its slot, formula and scope."""

    slot: int
    expr: ast.Expr | ir.Expr | None
    scope: Scope | None
    places: int | None = None
    mode: str = DEFAULT_ROUNDING
    guard: int | None = None


@dataclass
class State:
    """One kind's program under construction."""

    source: ast.RuleSet  # the whole rule set, as loaded
    kind: Kind
    as_of: date | None = None
    # Every indicator gets a context flag (dry-runs: data absent from a past
    # period makes the indicators needing it unscored, not an error).
    every_context: bool = False
    diagnostics: list[Diagnostic] = field(default_factory=list)

    # -- declared --
    slots: list[ir.Slot] = field(default_factory=list)
    inputs: dict[str, ir.InputField] = field(default_factory=dict)
    global_names: dict[str, tuple[Binding, Span]] = field(default_factory=dict)
    enums: dict[str, tuple[str, ...]] = field(default_factory=dict)
    pending: list[Pending] = field(default_factory=list)
    organization: ir.Organization | None = None
    # Context flags (in force, applies to the subject): inputs the runtime sets.
    contexts: list[ir.InputField] = field(default_factory=list)
    section_total: int | None = None
    # Group slots (``rank_in_group(完成率)``), one per function and value read:
    # (function, slot of the value or None) -> the group slot.
    groups: dict[tuple[str, int | None], int] = field(default_factory=dict)

    # -- set by the pass named in the comment --
    ruleset: ast.RuleSet = field(init=False)  # view
    indicators: list[ir.Indicator] = field(init=False)  # declare_indicators
    base: int = field(init=False)  # declare_base
    scope: Scope = field(init=False)  # declare_base: the rule set's global names
    full_marks: Decimal = field(init=False)  # count_full_marks
    items: list[ir.Item] = field(init=False)  # declare_items
    adjustments: dict[str, int] = field(init=False)  # declare_items: bonus, deduction, veto:…
    total: int = field(init=False)  # define_total
    ranking: ir.Ranking = field(init=False)  # declare_ranking
    grades: tuple[ir.GradeBand, ...] = field(init=False)  # declare_grades
    definitions: list[ir.Definition] = field(init=False)  # lower_definitions
    reads: dict[int, list[tuple[int, Span]]] = field(init=False)  # lower_definitions
    ordered: list[ir.Definition] = field(init=False)  # order
    group_values: list[ir.GroupValue] = field(default_factory=list)  # order: with their stages
    properties: tuple[ir.Property, ...] = field(init=False)  # declare_properties
    program: ir.Program | None = None  # assemble, when no pass found an error
    # declare_sanctions: every grade best first, the declared ungraded one, precedence
    grade_order: tuple[str, ...] = ()
    ungraded: str | None = None
    sanction_precedence: tuple[str, ...] = ()

    @property
    def rounding(self) -> str:
        """The manifest's default rounding mode."""
        return self.ruleset.manifest.rounding

    def slot(
        self, name: str, kind: ir.SlotKind, type_: Type, span: Span, owner: str | None = None
    ) -> int:
        index = len(self.slots)
        self.slots.append(ir.Slot(index, name, kind, type_, span, owner))
        return index

    def error(self, code: str, args: dict[str, object], span: Span, **extra: object) -> None:
        self.diagnostics.append(Diagnostic(code, args, span, **extra))  # type: ignore[arg-type]

    def failed(self) -> bool:
        return any(d.severity == "error" for d in self.diagnostics)


def bind_global(
    state: State, name: str, binding: Binding, span: Span, kind: str, builtin: bool = False
) -> None:
    """Give a rule-set name its binding; reserved and duplicate names are errors."""
    if name in RESERVED and not builtin:
        state.error("E0427", {"name": name}, span)
        return
    if name in state.global_names:
        _, first = state.global_names[name]
        state.error(
            "E0206",
            {"kind": (f"kind.{kind}", {}), "name": name},
            span,
            labels=(Label(first, "E0206.first"),),
        )
        return
    state.global_names[name] = (binding, span)
