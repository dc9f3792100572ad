"""Links, properties and coverage run on compiled code; the reference
interpreter checks it.

* A link condition (generated formulas over ``compiler.links.LINK_INPUTS``)
  and a property-shaped condition (names scattered over a wide vector of a
  subject's values, then a second subject's) give the same value or the same
  located fault compiled and interpreted.
* The bundled rules' declared properties agree on generated populations.
* The branches and levels coverage records from the instrumented compiled
  build equal those the interpreter's walk of the same values finds (the
  walk coverage used before), on the bundled rules and generated rule sets.
"""

from __future__ import annotations

import decimal
import functools
from collections.abc import Sequence
from decimal import Decimal

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from compiler import ir
from compiler.codegen import GeneratedModule
from compiler.links import LINK_INPUTS
from compiler.lower import Lowerer, Scope, SlotBinding
from compiler.pipeline import Compilation, compile_rules
from compiler.properties import POPULATION_NAMES
from dsl import ast
from dsl.diagnostics import Diagnostic
from dsl.ruleset import DirectorySource
from dsl.spans import SourceFile, Span
from runtime.engine.compiled import CompiledEvaluator
from runtime.engine.conditions import CompiledCondition, property_condition
from runtime.engine.interpreter import eval_expr
from runtime.tools.coverage import Coverage, Target, Tracker
from semantics import operations as helpers
from semantics.operations import Fault
from semantics.types import BOOL, NUMBER, TEXT, Type
from tests.strategies import Env, RuleSetCase, bool_exprs, rule_sets
from tests.test_properties import SETTINGS, compile_files

GRADES = ("优秀", "良好", "合格", "不合格")


@functools.cache
def _bundled() -> Compilation:
    compilation = compile_rules(DirectorySource("rules/yongzhou"))
    assert compilation.ok and "section" in compilation.programs
    return compilation


def _programs() -> list[tuple[ir.Program, str]]:
    compilation = _bundled()
    return [
        (program, compilation.modules[kind].filename)
        for kind, program in compilation.programs.items()
    ]


def _lower(expr: ast.Expr, names: dict[str, tuple[int, Type]]) -> ir.Expr | None:
    """``expr`` lowered in a scope of slots, or None if it does not type-check
    as a condition there."""
    diagnostics: list[Diagnostic] = []
    scope = Scope({name: SlotBinding(slot, type_) for name, (slot, type_) in names.items()})
    lowered, _ = Lowerer(diagnostics).lower_formula(expr, scope)
    if diagnostics or lowered.type != BOOL:
        return None
    return lowered


def _outcome(run: object, condition: ir.Expr) -> tuple[object, ...]:
    """A value, or a fault with where it is placed (a decimal error the
    interpreter raises unplaced is the condition's, as compiled code places it)."""
    assert callable(run)
    try:
        value = run()
    except Fault as fault:
        site = fault.site
        assert isinstance(site, Span), site
        return ("fault", fault.code, site.start, site.end)
    except decimal.DecimalException as error:
        return ("fault", "E0703", condition.span.start, condition.span.end, type(error).__name__)
    return ("ok", type(value).__name__, str(value))


def _agree(compiled: CompiledCondition, condition: ir.Expr, values: Sequence[object]) -> None:
    for context in (helpers.CONTEXT, decimal.Context()):  # properties, links
        with decimal.localcontext(context):
            expected = _outcome(lambda: eval_expr(condition, values), condition)
            actual = _outcome(lambda: compiled(values), condition)
        if actual[0] == "fault" and expected[0] == "fault" and len(expected) == 5:
            actual = (*actual, expected[4])
        assert actual == expected, (values, compiled.module.source)


_NUMBERS = st.one_of(
    st.sampled_from([Decimal(0), Decimal(1), Decimal("100"), Decimal("99.995")]),
    st.decimals(-1000, 1000, places=3, allow_nan=False, allow_infinity=False),
    st.sampled_from([Decimal("1E+30"), Decimal("12345678901234567890.123456789")]),
)


def _bundled_rows(program: ir.Program) -> st.SearchStrategy[tuple[object, ...]]:
    """Inputs of the bundled rules, the runtime's own included (context
    flags, occurrences, a person's section total), ends of ranges often."""

    def field(f: ir.InputField) -> st.SearchStrategy[object]:
        if f.type.kind == "bool":
            return st.booleans()
        if f.type.kind == "level":
            return st.sampled_from(f.type.members)
        if f.kind in ("count", "events"):
            return st.integers(0, 4).map(Decimal)
        low = f.minimum if f.minimum is not None else Decimal(0)
        high = f.maximum if f.maximum is not None else low + 200
        middle = st.decimals(low, high, places=2, allow_nan=False, allow_infinity=False)
        return st.one_of(st.sampled_from([low, high]), middle)

    return st.tuples(*(field(f) for f in program.inputs))


def _value(type_: Type) -> st.SearchStrategy[object]:
    if type_ == BOOL:
        return st.booleans()
    if type_ == TEXT:
        return st.sampled_from((*GRADES, ""))
    return _NUMBERS


# -- links ------------------------------------------------------------------------

_LINK_ENV = Env(
    numbers=tuple(n for n, t in LINK_INPUTS if t == NUMBER),
    bools=tuple(n for n, t in LINK_INPUTS if t == BOOL),
    levels=(("grade", GRADES),),
)


@settings(max_examples=150, **SETTINGS)
@given(bool_exprs(_LINK_ENV, 3), st.data())
def test_link_conditions_agree_with_the_interpreter(expr: ast.Expr, data: st.DataObject) -> None:
    names = {name: (index, type_) for index, (name, type_) in enumerate(LINK_INPUTS)}
    condition = _lower(expr, names)
    assume(condition is not None)
    assert condition is not None
    program = _programs()[0][0]
    compiled = CompiledCondition(program, condition, "link generated")
    for _ in range(3):
        values = [data.draw(_value(type_)) for _, type_ in LINK_INPUTS]
        _agree(compiled, condition, values)


# -- properties -------------------------------------------------------------------

_PROPERTY_NUMBERS = ("total", "base", "x", "得分", "rank", "count")
_PROPERTY_ENV = Env(
    numbers=(*_PROPERTY_NUMBERS, *(f"other_{n}" for n in _PROPERTY_NUMBERS)),
    bools=("vetoed", "other_vetoed"),
    levels=(("grade", GRADES), ("other_grade", GRADES)),
)


@settings(max_examples=150, **SETTINGS)
@given(bool_exprs(_PROPERTY_ENV, 3), st.permutations(range(40)), st.data())
def test_property_shaped_conditions_agree_with_the_interpreter(
    expr: ast.Expr, order: list[int], data: st.DataObject
) -> None:
    """Names at scattered slots of one subject's 40 values, ``other_`` names
    at the same slots of the second subject's (40 later); unread slots None."""
    width = 40
    own = {
        **{name: NUMBER for name in _PROPERTY_NUMBERS},
        "vetoed": BOOL,
        "grade": TEXT,
    }
    names: dict[str, tuple[int, Type]] = {}
    for position, (name, type_) in enumerate(own.items()):
        names[name] = (order[position], type_)
        names[f"other_{name}"] = (order[position] + width, type_)
    condition = _lower(expr, names)
    assume(condition is not None)
    assert condition is not None
    program = _programs()[0][0]
    compiled = CompiledCondition(program, condition, "property generated")
    types = {slot: type_ for slot, type_ in names.values()}
    for _ in range(3):
        values = [
            data.draw(_value(types[slot])) if slot in types else None for slot in range(2 * width)
        ]
        _agree(compiled, condition, values)


@settings(max_examples=30, **SETTINGS)
@given(st.data())
def test_declared_properties_agree_with_the_interpreter(data: st.DataObject) -> None:
    """The bundled rules' ``always`` and ``pairwise`` properties on generated
    subjects' values and population values."""
    for program, filename in _programs():
        evaluator = CompiledEvaluator(program, _bundled_module(filename, program))
        extended = []
        for _ in range(2):
            row = data.draw(_bundled_rows(program))
            try:
                values = evaluator.evaluate(row)
            except Fault:
                continue
            population = [data.draw(_value(type_)) for _, type_ in POPULATION_NAMES]
            extended.append([*values, *population])
        assume(len(extended) == 2)
        for prop in program.properties:
            if prop.condition is None:
                continue
            vector = extended[0] + extended[1] if prop.pairwise else extended[0]
            _agree(property_condition(program, prop), prop.condition, vector)


def _bundled_module(filename: str, program: ir.Program) -> GeneratedModule:
    compilation = _bundled()
    kind = next(k for k, p in compilation.programs.items() if p is program)
    module = compilation.modules[kind]
    assert module.filename == filename
    return module


def test_a_fault_in_a_condition_is_placed_at_its_rule_span() -> None:
    """Division by zero in a link condition: E0701 at the divisor, both ways."""
    names = {name: (index, type_) for index, (name, type_) in enumerate(LINK_INPUTS)}
    divisor = ast.Binary(
        "-", ast.Name("count", _span(9, 14)), ast.Name("rank", _span(17, 21)),
        _span(9, 21), _span(15, 16),
    )  # fmt: skip
    expr = ast.Compare(
        (">",),
        (ast.Binary("/", ast.Name("total", _span(0, 5)), divisor, _span(0, 22), _span(6, 7)),
         ast.Number(Decimal(1), "1", _span(25, 26))),
        _span(0, 26), (_span(23, 24),),
    )  # fmt: skip
    condition = _lower(expr, names)
    assert condition is not None
    compiled = CompiledCondition(_programs()[0][0], condition, "link zero")
    values = [Decimal(80), Decimal(80), Decimal(3), Decimal(3), "合格", False, False, Decimal(0)]
    _agree(compiled, condition, values)
    (division,) = [n for n in ir.walk(condition) if isinstance(n, ir.Arith) and n.op == "/"]
    try:
        compiled(values)
    except Fault as fault:
        assert fault.code == "E0701" and fault.site == division.span
        assert isinstance(fault.site, Span) and fault.site.text == "count - rank"
    else:  # pragma: no cover
        raise AssertionError("no fault")


_TEXT = "total / (count - rank) > 1"


def _span(start: int, end: int) -> Span:
    return Span(SourceFile("<links>", _TEXT), start, end)


# -- coverage ---------------------------------------------------------------------


def _interpreted(tracker: Tracker, values: Sequence[object]) -> set[Target]:
    """The arms and levels ``values`` take, found as coverage found them before
    it ran on compiled code: the interpreter walking each formula."""
    found: set[Target] = set()

    def walk(expr: ir.Expr) -> None:
        try:
            if isinstance(expr, ir.Cond):
                for arm, (condition, branch) in enumerate(expr.branches):
                    walk(condition)
                    if eval_expr(condition, values):
                        found.add(tracker.arms[(id(expr), arm)])
                        walk(branch)
                        return
                found.add(tracker.arms[(id(expr), len(expr.branches))])
                walk(expr.otherwise)
                return
            if isinstance(expr, ir.Lookup):
                level = eval_expr(expr.key, values)
                target = tracker.levels.get((id(expr), str(level)))
                if target is not None:
                    found.add(target)
            if isinstance(expr, ir.Logic):
                walk(expr.left)
                left = eval_expr(expr.left, values)
                if (expr.op == "and" and left) or (expr.op == "or" and not left):
                    walk(expr.right)
                return
        except (Fault, TypeError, decimal.DecimalException):
            return
        for child in ir.children(expr):
            walk(child)

    with decimal.localcontext(helpers.CONTEXT):
        for definition in tracker.program.definitions:
            if definition.guard is not None and not values[definition.guard]:
                continue
            walk(definition.expr)
    return found


def _check_coverage(
    program: ir.Program, filename: str, evaluator: CompiledEvaluator, rows: Sequence[object]
) -> int:
    tracker = Tracker(program, Coverage(), set(), filename)
    checked = 0
    for row in rows:
        assert isinstance(row, tuple)
        try:
            values = evaluator.evaluate(row)
        except Fault:
            continue
        assert tracker.taken(values) == _interpreted(tracker, values), row
        checked += 1
    return checked


@settings(max_examples=40, **SETTINGS)
@given(st.data())
def test_coverage_of_the_bundled_rules_equals_the_interpreters(data: st.DataObject) -> None:
    for program, filename in _programs():
        module = _bundled_module(filename, program)
        evaluator = CompiledEvaluator(program, module)
        rows = data.draw(st.lists(_bundled_rows(program), min_size=1, max_size=4))
        _check_coverage(program, filename, evaluator, rows)


@settings(max_examples=60, **SETTINGS)
@given(rule_sets(exempt_values=True))
def test_coverage_of_generated_rule_sets_equals_the_interpreters(case: RuleSetCase) -> None:
    compilation = compile_files(case.files)
    assume(compilation.ok)
    program, module = compilation.programs["section"], compilation.modules["section"]
    rows = [tuple(row[f.name] for f in program.inputs) for row in case.rows]
    _check_coverage(program, module.filename, CompiledEvaluator(program, module), rows)


def test_coverage_probes_are_not_in_the_evaluator() -> None:
    """The evaluator's own code has no probe; the instrumented build has one
    per arm and per level lookup."""
    compilation = _bundled()
    program, module = compilation.programs["section"], compilation.modules["section"]
    assert "_arm(" not in module.source and "_level(" not in module.source
    tracker = Tracker(program, Coverage(), set(), module.filename)
    source = tracker.probes.module.source
    assert source.count("_arm(") == len(tracker.arms)
    assert source.count("_level(") == len({node for node, _ in tracker.levels})
