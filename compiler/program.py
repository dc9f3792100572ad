"""Building one kind's IR program from a rule set: the passes, in order.

Like an optimizer's rule list, ``PASSES`` is the whole compiler between the
syntax tree and the IR, read top to bottom.  Each pass is a function over the
shared :class:`~compiler.passes.state.State`; its docstring says what it reads
and what it adds.  The order is the order the diagnostics come out in, so it
is part of the compiler's behaviour: declare every name first, then define
the scores, lower every formula to typed IR, guard what may go unscored, put
the definitions in evaluation order, and assemble the program, which exists
only when no pass found an error.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from compiler import ir
from compiler.passes.applicability import (
    add_applicability,
    mark_conditional_inputs,
    mark_monthly_inputs,
)
from compiler.passes.assemble import assemble, declare_properties
from compiler.passes.declare import (
    check_shadowing,
    declare_collections,
    declare_enums,
    declare_inputs,
    declare_organization,
    declare_values,
)
from compiler.passes.indicators import declare_indicators
from compiler.passes.items import declare_items
from compiler.passes.lowering import lower_definitions
from compiler.passes.order import order
from compiler.passes.ranking import check_ranking_keys, declare_grades, declare_ranking
from compiler.passes.sanctions import declare_sanctions
from compiler.passes.state import Kind, State
from compiler.passes.totals import (
    check_people_organization,
    close_global_scope,
    count_full_marks,
    declare_base,
    define_base,
    define_total,
)
from compiler.passes.view import view
from dsl import ast
from dsl.diagnostics import Diagnostic

Pass = Callable[[State], None]

PASSES: tuple[Pass, ...] = (
    # the rules for this kind of subject, as in force on the date asked for
    view,
    # declare: every name gets a slot or a binding
    declare_enums,
    declare_organization,
    declare_inputs,
    declare_values,
    declare_indicators,
    declare_collections,
    check_shadowing,
    declare_base,
    close_global_scope,
    # define the scores: base, items, total (policy of the people block)
    check_people_organization,
    count_full_marks,
    define_base,
    declare_items,
    define_total,
    declare_ranking,
    declare_grades,
    declare_sanctions,
    # lower every formula to typed IR
    lower_definitions,
    check_ranking_keys,
    # may an indicator go unscored, and which data only it needs
    add_applicability,
    mark_conditional_inputs,
    # which data may come as month rows, and how the months combine
    mark_monthly_inputs,
    # evaluation order; cycles
    order,
    # what staff expect to hold; then the program
    declare_properties,
    assemble,
)


def build_program(
    ruleset: ast.RuleSet,
    kind: Kind = "section",
    as_of: date | None = None,
    every_context: bool = False,
) -> tuple[ir.Program | None, list[Diagnostic]]:
    """Check and lower the rules for one kind of subject (as in force on
    ``as_of``, when given) to an IR program, collecting every problem."""
    state = run_passes(State(ruleset, kind, as_of, every_context))
    return state.program, state.diagnostics


def run_passes(state: State, passes: tuple[Pass, ...] = PASSES) -> State:
    """Run ``passes`` in order over ``state`` (all of them, by default)."""
    for step in passes:
        step(state)
    return state
