"""Resolving names, checking types and lowering expressions to the IR.

One walk over each formula does all three: a name is looked up in its scope
(with "did you mean" when it is unknown), the node's type is checked against
what its operator needs (the error points at the offending operand), and the
typed IR node is built.  A node that failed gets the type ``ERROR``, which is
compatible with everything, so each mistake is reported once.

Scopes: the rule set's inputs, values, indicator ids and collections are
global; an indicator adds its own ``let`` names and ``points``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from compiler import ir
from dsl import ast
from dsl.diagnostics import Diagnostic, suggest
from dsl.spans import Span
from semantics.builtins import AGGREGATES, ELEMENT, FUNCTIONS, GROUP_FUNCTIONS, NAMES, PRESENT
from semantics.calendar import parse_date
from semantics.rounding import DEFAULT_ROUNDING, MAX_PLACES, ROUNDING_MODES
from semantics.types import BOOL, DATE, ERROR, NUMBER, TEXT, Type, compatible


@dataclass(frozen=True, slots=True)
class SlotBinding:
    slot: int
    type: Type
    # Set for scores of indicators that may be exempt: only aggregates may read them.
    exemptable: str | None = None


@dataclass(frozen=True, slots=True)
class ConstBinding:
    value: Decimal


@dataclass(frozen=True, slots=True)
class CollectionBinding:
    items: tuple[SlotBinding, ...]
    elem: Type


@dataclass(frozen=True, slots=True)
class ElementBinding:
    """``项`` inside an aggregate's condition: the item it is asked of."""

    depth: int
    type: Type


Binding = SlotBinding | ConstBinding | CollectionBinding | ElementBinding


class Scope:
    """Names visible to a formula, innermost first.

    ``provided`` names are bound on first use: the runtime inputs a program
    has only when a formula reads them (``period_start``, ``period_end``),
    so rule sets that never mention them keep the program they had."""

    def __init__(
        self,
        names: Mapping[str, Binding],
        parent: Scope | None = None,
        provided: Mapping[str, Callable[[], Binding]] | None = None,
    ) -> None:
        self.names = dict(names)
        self.parent = parent
        self.provided = dict(provided or {})

    def lookup(self, name: str) -> Binding | None:
        scope: Scope | None = self
        while scope is not None:
            if name in scope.names:
                return scope.names[name]
            scope = scope.parent
        scope = self
        while scope is not None:
            if name in scope.provided:
                binding = scope.names[name] = scope.provided.pop(name)()
                return binding
            scope = scope.parent
        return None

    def visible(self) -> list[str]:
        names: list[str] = []
        scope: Scope | None = self
        while scope is not None:
            names.extend(scope.names)
            names.extend(scope.provided)
            scope = scope.parent
        return names


def require_condition(expr: ir.Expr, diagnostics: list[Diagnostic]) -> None:
    """A condition (gate, prerequisite, link, property) must be yes/no."""
    if expr.type not in (BOOL, ERROR):
        diagnostics.append(
            Diagnostic(
                "E0504",
                {
                    "what": ("what.condition", {}),
                    "expected": BOOL.describe(),
                    "found": expr.type.describe(),
                },
                expr.span,
            )
        )


class Lowerer:
    """Lowers expressions of one rule set; collects diagnostics and references."""

    def __init__(
        self,
        diagnostics: list[Diagnostic],
        slot_type: Callable[[int], Type] | None = None,
        rounding: str = DEFAULT_ROUNDING,
        hidden: Mapping[str, str] | None = None,
    ) -> None:
        self.diagnostics = diagnostics
        # Names declared for the other kind of subject (a person formula cannot
        # see the sections' inputs): name -> what it is, for a help line that says so.
        self.hidden = dict(hidden or {})
        # round(x, n) without a mode rounds as the manifest says (half_up by default).
        self.rounding = rounding
        # Types of lets and values are known only once they are lowered; the
        # program builder lowers dependencies first and answers from its slots.
        self.slot_type = slot_type
        self.refs: list[tuple[int, Span]] = []  # slots read by the formula being lowered
        self.depth = 0  # conditional aggregates around the node being lowered
        # The group slot of ``fn`` over a slot (None: ``group_count()``), made
        # once per pair by the program's passes; None where the group cannot
        # be read (links, properties: they read results, ranks included).
        self.group_slot: Callable[[str, int | None, Span], int] | None = None

    def error(self, code: str, args: Mapping[str, object], span: Span, **extra: object) -> ir.Expr:
        self.diagnostics.append(Diagnostic(code, dict(args), span, **extra))  # type: ignore[arg-type]
        return ir.Const(Decimal(0), ERROR, span)

    def lower_formula(self, expr: ast.Expr, scope: Scope) -> tuple[ir.Expr, list[tuple[int, Span]]]:
        """Lower one formula; also return the slots it reads, with where."""
        self.refs = []
        result = self.lower(expr, scope)
        return result, self.refs

    def expect(self, node: ir.Expr, wanted: Type, op: str) -> ir.Expr:
        if compatible(node.type, wanted):
            return node
        return self.mismatch(node, wanted.describe(), op)

    def mismatch(self, node: ir.Expr, expected: object, op: str) -> ir.Expr:
        return self.error(
            "E0501",
            {"op": op, "expected": expected, "found": node.type.describe()},
            node.span,
        )

    # -- the walk ------------------------------------------------------------------

    def lower(self, expr: ast.Expr, scope: Scope) -> ir.Expr:
        match expr:
            case ast.Number(value=value, span=span):
                return ir.Const(value, NUMBER, span)
            case ast.String(value=value, span=span):
                return ir.Const(value, TEXT, span)
            case ast.Bool(value=value, span=span):
                return ir.Const(value, BOOL, span)
            case ast.Name():
                return self.name(expr, scope)
            case ast.Unary(op="not", operand=operand, span=span):
                return ir.Not(self.expect(self.lower(operand, scope), BOOL, "not"), BOOL, span)
            case ast.Unary(operand=operand, span=span):
                return ir.Neg(self.expect(self.lower(operand, scope), NUMBER, "-"), NUMBER, span)
            case ast.Binary(op="and" | "or", left=left, right=right, span=span):
                op = expr.op
                return ir.Logic(
                    "and" if op == "and" else "or",
                    self.expect(self.lower(left, scope), BOOL, op),
                    self.expect(self.lower(right, scope), BOOL, op),
                    BOOL,
                    span,
                )
            case ast.Binary(op=op, left=left, right=right, span=span):
                lhs, rhs = self.lower(left, scope), self.lower(right, scope)
                if DATE in (lhs.type, rhs.type):
                    return self.date_arithmetic(op, lhs, rhs, span)
                lhs = self.expect(lhs, NUMBER, op)
                rhs = self.expect(rhs, NUMBER, op)
                where = rhs.span if op == "/" else span
                return ir.Arith(op, lhs, rhs, NUMBER, where)  # type: ignore[arg-type]
            case ast.Compare():
                return self.compare(expr, scope)
            case ast.In(item=item, options=options, negated=negated, span=span):
                lowered = self.lower(item, scope)
                opts = tuple(self.align(lowered, self.lower(o, scope), "in") for o in options)
                return ir.Member(lowered, opts, negated, BOOL, span)
            case ast.Conditional():
                return self.conditional(expr, scope)
            case ast.Call():
                return self.call(expr, scope)
        raise AssertionError(f"unknown expression {expr!r}")

    def date_arithmetic(self, op: str, lhs: ir.Expr, rhs: ir.Expr, span: Span) -> ir.Expr:
        """``+ - * /`` on a date (E0480): the help names the call that says
        which days are meant (calendar or working days)."""
        if op == "-" and lhs.type == DATE and rhs.type == DATE:
            help_key = "E0480.between"
        elif op in "+-" and {lhs.type, rhs.type} <= {DATE, NUMBER, ERROR}:
            help_key = "E0480.add"
        else:
            help_key = "E0480.help"
        args = {"op": op, "left": lhs.type.describe(), "right": rhs.type.describe()}
        return self.error("E0480", args, span, help=(help_key, {}))

    def name(self, expr: ast.Name, scope: Scope) -> ir.Expr:
        binding = scope.lookup(expr.name)
        if binding is None:
            return self.unknown(expr, scope)
        if isinstance(binding, ElementBinding):
            return ir.Element(binding.depth, binding.type, expr.span)
        if isinstance(binding, ConstBinding):
            return ir.Const(binding.value, NUMBER, expr.span)
        if isinstance(binding, CollectionBinding):
            return self.error(
                "E0501",
                {
                    "op": expr.name,
                    "expected": ("type.number", {}),
                    "found": ("type.list", {"elem": binding.elem.describe()}),
                },
                expr.span,
            )
        if binding.exemptable is not None:
            return self.error("E0411", {"name": expr.name}, expr.span, help=("E0411.help", {}))
        self.refs.append((binding.slot, expr.span))
        return ir.Ref(binding.slot, self._type(binding), expr.span)

    def unknown(self, expr: ast.Name, scope: Scope) -> ir.Expr:
        """E0401, or for ``x.y`` E0309: what ``x`` is and which named values it has."""
        visible = scope.visible()
        if "." in expr.name:
            owner, _, part = expr.name.partition(".")
            named = [n for n in visible if n.startswith(owner + ".")]
            if named:
                return self.error(
                    "E0309",
                    {"name": expr.name, "owner": owner, "part": part},
                    expr.span,
                    help=suggest(expr.name, named, ("E0309.named", {"names": "、".join(named)})),
                )
            return self.error(
                "E0310", {"name": expr.name, "owner": owner}, expr.span, help=("E0310.help", {})
            )
        if expr.name == ELEMENT:
            return self.error("E0311", {"name": ELEMENT}, expr.span, help=("E0311.help", {}))
        if expr.name in self.hidden:
            help_line: tuple[str, Mapping[str, object]] | None = self.unknown_help(expr.name)
        else:
            help_line = suggest(expr.name, visible, self.unknown_help(expr.name))
        return self.error("E0401", {"name": expr.name}, expr.span, help=help_line)

    def unknown_help(self, name: str) -> tuple[str, dict[str, object]]:
        """The help line of an unknown name: a name declared for sections, met in
        a person formula, is said to be one (declaring it again would not help)."""
        if name in self.hidden:
            return ("E0401.section", {"name": name, "kind": (f"kind.{self.hidden[name]}", {})})
        return ("E0401.help", {})

    def _type(self, binding: SlotBinding) -> Type:
        return self.slot_type(binding.slot) if self.slot_type is not None else binding.type

    def align(self, left: ir.Expr, right: ir.Expr, op: str) -> ir.Expr:
        """Type ``right`` to match ``left``: a text literal beside a level is a level."""
        if left.type.kind == "level" and isinstance(right, ir.Const) and right.type == TEXT:
            assert isinstance(right.value, str)
            if right.value not in left.type.members:
                members = left.type.members
                return self.error(
                    "E0505",
                    {"value": right.value, "enum": left.type.enum},
                    right.span,
                    help=suggest(
                        right.value, members, ("E0404.help", {"members": "、".join(members)})
                    ),
                )
            return ir.Const(right.value, left.type, right.span)
        if right.type.kind == "level" and isinstance(left, ir.Const) and left.type == TEXT:
            return right  # caller aligns the other way round
        if not compatible(left.type, right.type):
            return self.error(
                "E0503",
                {"left": left.type.describe(), "right": right.type.describe()},
                right.span,
            )
        return right

    def compare(self, expr: ast.Compare, scope: Scope) -> ir.Expr:
        ups = {"<", "<="}
        downs = {">", ">="}
        ops = set(expr.ops)
        if len(expr.ops) > 1 and not (ops <= ups or ops <= downs):
            return self.error(
                "E0307", {"ops": " ".join(expr.ops)}, expr.span, help=("E0307.help", {})
            )
        operands = [self.lower(o, scope) for o in expr.operands]
        parts: list[ir.Expr] = []
        for index, op in enumerate(expr.ops):
            left, right = operands[index], operands[index + 1]
            if left.type.kind != "level":
                left = self.align(right, left, op) if right.type.kind == "level" else left
            right = self.align(left, right, op)
            if op not in ("==", "!=") and left.type.kind not in ("number", "date", "error"):
                left = self.mismatch(left, ("type.number", {}), op)
            parts.append(ir.Cmp(op, left, right, BOOL, left.span.to(right.span)))  # type: ignore[arg-type]
        result = parts[0]
        for part in parts[1:]:
            result = ir.Logic("and", result, part, BOOL, expr.span)
        return result

    def conditional(self, expr: ast.Conditional, scope: Scope) -> ir.Expr:
        what = "if" if expr.form == "if" else "case"
        branches: list[tuple[ir.Expr, ir.Expr]] = []
        arms: list[ir.Expr] = []
        for cond, written in expr.branches:
            branches.append(
                (self.expect(self.lower(cond, scope), BOOL, what), self.lower(written, scope))
            )
            arms.append(branches[-1][1])
        otherwise = self.lower(expr.otherwise, scope)
        arms.append(otherwise)
        result_type = next((v.type for v in arms if v.type != ERROR), ERROR)
        checked: list[ir.Expr] = []
        for arm in arms:
            if not compatible(arm.type, result_type):
                checked.append(
                    self.error(
                        "E0502",
                        {
                            "what": what,
                            "left": result_type.describe(),
                            "right": arm.type.describe(),
                        },
                        arm.span,
                    )
                )
            else:
                checked.append(arm)
        lowered = tuple((c, v) for (c, _), v in zip(branches, checked[:-1], strict=True))
        return ir.Cond(lowered, checked[-1], result_type, expr.span)

    # -- calls ---------------------------------------------------------------------

    def call(self, expr: ast.Call, scope: Scope) -> ir.Expr:
        """A call of a built-in; names, arity and types come from ``semantics.builtins``."""
        name = expr.func
        function = FUNCTIONS.get(name)
        if (
            function is not None
            and function.shape == "variadic"
            and (len(expr.args) != 1 or name not in AGGREGATES)
            and not (len(expr.args) == 2 and self.is_collection(expr.args[0], scope))
        ):
            # min(a, b, ...); with one argument, the aggregate of the same name.
            if not expr.args:
                return self.arity(expr, "1+")
            param = function.params[0]
            args = tuple(self.expect(self.lower(a, scope), param, name) for a in expr.args)
            return ir.Call(name, args, function.result, expr.span)
        if name in AGGREGATES:
            return self.aggregate(expr, scope)
        if name in GROUP_FUNCTIONS:
            return self.group_call(expr, scope)
        if function is None:
            return self.error(
                "E0402",
                {"name": name},
                expr.func_span,
                help=suggest(name, NAMES, ("E0402.help", {"available": ", ".join(NAMES)})),
            )
        handler: Callable[[ast.Call, Scope], ir.Expr] = {
            "fixed": self.fixed_call,
            "rounding": self.round_call,
            "constant": self.date_call,  # date("2016-04-01"), the one constant shape
            "absence": self.absence_call,
        }[function.shape]
        return handler(expr, scope)

    def arity(self, expr: ast.Call, expected: str) -> ir.Expr:
        return self.error(
            "E0403", {"name": expr.func, "expected": expected, "given": len(expr.args)}, expr.span
        )

    def fixed_call(self, expr: ast.Call, scope: Scope) -> ir.Expr:
        function = FUNCTIONS[expr.func]
        if len(expr.args) != len(function.params):
            return self.arity(expr, str(len(function.params)))
        args = tuple(
            self.expect(self.lower(a, scope), param, expr.func)
            for a, param in zip(expr.args, function.params, strict=True)
        )
        return ir.Call(expr.func, args, function.result, expr.span)

    def round_call(self, expr: ast.Call, scope: Scope) -> ir.Expr:
        if len(expr.args) not in (2, 3):
            return self.arity(expr, "2-3")
        value = self.expect(self.lower(expr.args[0], scope), NUMBER, expr.func)
        places_arg = expr.args[1]
        if not (
            isinstance(places_arg, ast.Number)
            and places_arg.value == places_arg.value.to_integral_value()
            and 0 <= places_arg.value <= MAX_PLACES
            and not places_arg.text.endswith("%")
        ):
            return self.error("E0506", {}, places_arg.span)
        places = ir.Const(places_arg.value, NUMBER, places_arg.span)
        mode_value = self.rounding
        mode_span = expr.span
        if len(expr.args) == 3:
            mode_arg = expr.args[2]
            mode_span = mode_arg.span
            if not isinstance(mode_arg, ast.String) or mode_arg.value not in ROUNDING_MODES:
                shown = mode_arg.value if isinstance(mode_arg, ast.String) else mode_arg.span.text
                return self.error(
                    "E0407",
                    {"name": shown},
                    mode_arg.span,
                    help=("E0407.help", {"available": ", ".join(ROUNDING_MODES)}),
                )
            mode_value = mode_arg.value
        mode = ir.Const(mode_value, TEXT, mode_span)
        return ir.Call(expr.func, (value, places, mode), FUNCTIONS[expr.func].result, expr.span)

    def absence_call(self, expr: ast.Call, scope: Scope) -> ir.Expr:
        """``present(x)`` and ``fallback(x, y)``: ``x`` is a name whose value may
        be absent, read here without making its reader unscored (see
        ``compiler.passes.applicability``); ``y`` has ``x``'s type."""
        wanted = 1 if expr.func == PRESENT.name else 2
        if len(expr.args) != wanted:
            return self.arity(expr, str(wanted))
        first = expr.args[0]
        binding = scope.lookup(first.name) if isinstance(first, ast.Name) else None
        if not isinstance(binding, SlotBinding):
            if isinstance(first, ast.Name) and binding is None:
                return self.name(first, scope)
            return self.error(
                "E0312",
                {"func": expr.func, "arg": first.span.text},
                first.span,
                help=("E0312.help", {"func": expr.func}),
            )
        assert isinstance(first, ast.Name)
        self.refs.append((binding.slot, first.span))
        value = ir.Ref(binding.slot, self._type(binding), first.span)
        if expr.func == PRESENT.name:
            return ir.Call(expr.func, (value,), BOOL, expr.span)
        otherwise = self.lower(expr.args[1], scope)
        otherwise = self.align(value, otherwise, expr.func)
        result = value.type if value.type != ERROR else otherwise.type
        return ir.Call(expr.func, (value, otherwise), result, expr.span)

    def group_call(self, expr: ast.Call, scope: Scope) -> ir.Expr:
        """``rank_in_group(完成率)`` and the other group functions: the argument
        is the name of a number every subject has (E0491); the value is a
        group slot, read in a later stage (E0492 where there is none)."""
        function = GROUP_FUNCTIONS[expr.func]
        if len(expr.args) not in function.arity:
            return self.arity(expr, "-".join(str(n) for n in function.arity))
        if self.group_slot is None:
            return self.error("E0492", {"func": expr.func}, expr.func_span, help=("E0492.help", {}))
        of: ir.Ref | None = None
        if expr.args:
            arg = expr.args[0]
            binding = scope.lookup(arg.name) if isinstance(arg, ast.Name) else None
            if not isinstance(binding, SlotBinding):
                if isinstance(arg, ast.Name) and binding is None:
                    return self.name(arg, scope)
                return self.error(
                    "E0491",
                    {"func": expr.func, "arg": arg.span.text},
                    arg.span,
                    help=("E0491.help", {"func": expr.func}),
                )
            assert isinstance(arg, ast.Name)
            lowered = self.name(arg, scope)  # E0411 for a score that may be exempt
            if not isinstance(lowered, ir.Ref):
                return lowered
            # The formula reads the group value, which reads this one: the
            # graph has that step (compiler.graph), so a cycle names it.
            self.refs.pop()
            if lowered.type.kind not in ("number", "error"):
                return self.mismatch(lowered, ("type.number", {}), expr.func)
            of = lowered
        slot = self.group_slot(expr.func, None if of is None else of.slot, expr.span)
        self.refs.append((slot, expr.span))
        return ir.Group(expr.func, of, slot, function.result, expr.span)

    def date_call(self, expr: ast.Call, scope: Scope) -> ir.Expr:
        if len(expr.args) != 1:
            return self.arity(expr, "1")
        arg = expr.args[0]
        value = parse_date(arg.value) if isinstance(arg, ast.String) else None
        if value is None:
            return self.error(
                "E0504",
                {"what": "date()", "expected": ("type.date", {}), "found": arg.span.text},
                arg.span,
            )
        return ir.Const(value, DATE, expr.span)

    def is_collection(self, arg: ast.Expr, scope: Scope) -> bool:
        """Whether ``arg`` names a collection or a list: ``min(c, 项 > 0)`` is
        then a conditional aggregate, not the smaller of two numbers."""
        if not isinstance(arg, ast.Name):
            return False
        binding = scope.lookup(arg.name)
        if isinstance(binding, CollectionBinding):
            return True
        return isinstance(binding, SlotBinding) and self._type(binding).kind == "list"

    def aggregate(self, expr: ast.Call, scope: Scope) -> ir.Expr:
        name = expr.func
        if len(expr.args) not in (1, 2):
            return self.arity(expr, "1-2")
        arg = expr.args[0]
        entry = AGGREGATES[name]
        # elem None: any items (count); a test (any/all with a condition) reads items of any type
        elem, result = entry.element, entry.result
        if len(expr.args) == 2 and entry.condition == "test":
            elem = None
        named = arg if isinstance(arg, ast.Name) else None
        binding = scope.lookup(named.name) if named is not None else None
        if named is not None and isinstance(binding, CollectionBinding):
            items: list[ir.Expr] = []
            for item in binding.items:
                self.refs.append((item.slot, arg.span))
                items.append(ir.Ref(item.slot, self._type(item), arg.span))
            # Member types are known now (values are lowered before their readers).
            kinds = {node.type for node in items} - {ERROR}
            if len(kinds) > 1:
                return self.error("E0426", {"name": named.name}, arg.span)
            member_type = next(iter(kinds), ERROR)
            if elem is not None and not compatible(member_type, elem):
                return self.error("E0409", {"name": named.name, "func": name}, arg.span)
            where = self.condition(expr, member_type, scope)
            return ir.Aggregate(name, tuple(items), False, result, expr.span, where, self.depth)
        lowered = self.lower(arg, scope)
        if lowered.type.kind == "error":
            return lowered
        if lowered.type.kind != "list" or (elem is not None and lowered.type.elem != elem):
            return self.error("E0409", {"name": arg.span.text, "func": name}, arg.span)
        assert lowered.type.elem is not None
        where = self.condition(expr, lowered.type.elem, scope)
        return ir.Aggregate(name, (lowered,), True, result, expr.span, where, self.depth)

    def condition(self, expr: ast.Call, member: Type, scope: Scope) -> ir.Expr | None:
        """The second argument of ``count(c, 项 >= 90%)``: yes/no, asked of each
        item, which it names ``项`` (the innermost aggregate's item)."""
        if len(expr.args) != 2:
            return None
        inner = Scope({ELEMENT: ElementBinding(self.depth, member)}, scope)
        self.depth += 1
        try:
            lowered = self.lower(expr.args[1], inner)
        finally:
            self.depth -= 1
        if lowered.type not in (BOOL, ERROR):
            return self.error(
                "E0504",
                {
                    "what": ("what.condition", {}),
                    "expected": BOOL.describe(),
                    "found": lowered.type.describe(),
                },
                lowered.span,
            )
        return lowered
