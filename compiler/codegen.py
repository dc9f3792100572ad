"""Python code generation from the IR.

Safety by construction: the generated text is assembled only from

* identifiers we make (``v12`` for slot 12, ``_c3`` for constant 3, ``_t0``
  for a level table, ``_t12_points`` for a step of computing slot 12), never
  from rule text, so no Chinese name is ever an
  identifier (Python folds those with NFKC, so two distinct names could
  collide) and no name can reach a Python builtin;
* literals through ``repr`` of ``str``, ``int`` and ``bool`` only (a Decimal
  is emitted as ``_D('0.85')``, a date as ``_date(2016, 4, 1)``);
* a fixed set of operators and helper names from ``semantics.operations``;
* comments made of ``repr`` of rule names and positions, which cannot contain
  a line break.

Every simple statement is one line, and the line map records which definition
(and so which rule span) each line computes, so a fault at run time is
reported at the rule's file:line:col.  The generated module runs with no
builtins.

Written for a reviewer as much as for Python: each input is named where it is
unpacked, a normalized sum with exempt scores is computed in named steps (or
one line per combination of exempt scores), one table is emitted per distinct
level set, long tuples are wrapped.

Written for speed too, where the meaning is exactly the same (the property
tests compare every value's text and every fault with the reference
interpreter): the program is folded first (``compiler.fold``), constants and
constant choices are rounded once here, two-argument ``min``/``max`` and
``clamp`` are plain comparisons, and the full result is the input tuple plus
the computed slots.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from compiler import ir
from compiler.fold import exactly, fold_program
from dsl.spans import Span
from semantics.builtins import (
    AGGREGATES,
    CLAMP,
    FUNCTIONS,
    GROUP_FUNCTIONS,
    MAX,
    MIN,
    ROUND,
    SAFE_DIV,
    SUM,
)
from semantics.prelude import PRELUDE, mode_name, quantum_name
from semantics.rounding import QUANTA, ROUNDING, round_to

# The factory ``_make`` takes exactly the prelude's names, in its order; the
# loader passes ``PRELUDE`` itself (semantics.prelude), so they cannot disagree.
FACTORY_PARAMETERS: tuple[str, ...] = tuple(PRELUDE)
QUANTUM_NAMES = tuple(quantum_name(places) for places in range(len(QUANTA)))
MODE_NAMES = tuple(mode_name(mode) for mode in ROUNDING)
HELPER_NAMES = tuple(n for n in FACTORY_PARAMETERS if n not in QUANTUM_NAMES + MODE_NAMES)


class CodeWriter:
    """The one place generated text is written: lines, indentation, line map."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.level = 0
        self.line_spans: dict[int, Span] = {}

    def indent(self) -> None:
        self.level += 1

    def dedent(self) -> None:
        self.level -= 1

    def writeline(self, code: str, span: Span | None = None, note: str | None = None) -> None:
        text = "    " * self.level + code if code else ""
        if span is not None or note is not None:
            where = span.location() if span is not None else ""
            text += "  # " + repr(" ".join(part for part in (where, note) if part))
        self.lines.append(text)
        if span is not None:
            self.line_spans[len(self.lines)] = span

    def source(self) -> str:
        return "\n".join(self.lines) + "\n"


@dataclass
class GeneratedModule:
    """Generated source plus what is needed to report faults at rule positions."""

    source: str
    filename: str
    sites: list[Span] = field(default_factory=list)  # fault site id -> span
    line_spans: dict[int, Span] = field(default_factory=dict)  # generated line -> rule span
    tables: dict[str, dict[str, Decimal]] = field(default_factory=dict)
    # ``_make`` returns ``(evaluate, (_stage2, ...), (_stage1_many, ...))``:
    # each later stage a function ``(values, groups, full=True)`` of the
    # earlier stages' values and the stage's group values (``ir.GroupValue``),
    # then each stage for many subjects, ``(each, keep)``; with one stage,
    # ``(evaluate, (), (evaluate_many,))``.
    stages: int = 1


@dataclass(frozen=True, slots=True)
class NormalizedSumParts:
    """The pieces of an inlined normalized sum (see ``_Emitter.normalized_sum_parts``)."""

    plain: str  # the sum of every score
    every: str | None = None  # every score that may be exempt is applicable; None: none may be
    present: str = ""  # the sum of the applicable scores
    applicable: str = ""  # their points
    full: str = ""  # full marks
    site: str = ""  # the fault site of "every indicator is exempt"


class _Emitter:
    def __init__(self, program: ir.Program) -> None:
        self.program = program
        # Scores that may be None (exempt): the guard slot of each.
        self.guards = {d.slot: d.guard for d in program.definitions if d.guard is not None}
        self.constants: dict[tuple[str, str], str] = {}
        self.constant_lines: list[str] = []
        self.sites: list[Span] = []
        self.tables: dict[str, dict[str, Decimal]] = {}
        self.table_names: dict[str, str] = {}  # emitted items -> table name
        self.table_lines: list[str] = []
        self.definitions = {d.slot: d for d in program.definitions}
        self.temporaries = 0  # ``_w0``, ``_w1``: values an inlined min/max/clamp reads twice
        self.comprehensions = 0  # > 0 while emitting inside a comprehension (no ``:=`` there)

    def site(self, span: Span) -> str:
        self.sites.append(span)
        return repr(len(self.sites) - 1)

    def constant(self, value: ir.ConstValue) -> str:
        if isinstance(value, bool):
            return repr(value)
        if isinstance(value, Decimal):
            key = ("d", str(value))
            if key not in self.constants:
                name = f"_c{len(self.constants)}"
                self.constants[key] = name
                self.constant_lines.append(f"{name} = _D({str(value)!r})")
            return self.constants[key]
        if isinstance(value, date):
            key = ("t", value.isoformat())
            if key not in self.constants:
                name = f"_c{len(self.constants)}"
                self.constants[key] = name
                self.constant_lines.append(
                    f"{name} = _date({value.year!r}, {value.month!r}, {value.day!r})"
                )
            return self.constants[key]
        assert isinstance(value, str)
        return repr(value)

    def table(self, table: tuple[tuple[str, Decimal], ...]) -> str:
        """One table per distinct level set (same keys, same constants, same order)."""
        items = ", ".join(f"{key!r}: {self.constant(value)}" for key, value in table)
        if items not in self.table_names:
            name = f"_t{len(self.tables)}"
            self.table_names[items] = name
            self.tables[name] = dict(table)
            self.table_lines.append(f"{name} = {{{items}}}")
        return self.table_names[items]

    def expr(self, node: ir.Expr) -> str:
        match node:
            case ir.Const(value=value):
                return self.constant(value)
            case ir.Ref(slot=slot):
                return f"v{slot}"
            case ir.Neg(operand=operand):
                return f"(-{self.expr(operand)})"
            case ir.Not(operand=operand):
                return f"(not {self.expr(operand)})"
            case ir.Arith(op="/", left=left, right=right, span=span):
                if isinstance(right, ir.Const) and right.value:
                    return f"({self.expr(left)} / {self.expr(right)})"  # cannot be zero
                if _simple(left) and _simple(right):
                    # Operands cannot fault, so testing the divisor first keeps
                    # the interpreter's order of faults.
                    divisor = self.expr(right)
                    return f"({self.expr(left)} / {divisor} if {divisor} else _zdiv({self.site(span)}))"
                if self.comprehensions:  # no ``:=`` there
                    return f"_div({self.expr(left)}, {self.expr(right)}, {self.site(span)})"
                # As the helper: the dividend, then the divisor, then the test
                # (the dividend is a number: ``is not None`` only orders the two).
                left_first, left_use = self.once(left)
                right_first, right_use = self.once(right)
                test = (
                    right_first if _simple(left) else f"{left_first} is not None and {right_first}"
                )
                return f"({left_use} / {right_use} if {test} else _zdiv({self.site(span)}))"
            case ir.Arith(op=op, left=left, right=right):
                return f"({self.expr(left)} {op} {self.expr(right)})"
            case ir.Logic(op=op):
                # A chain of the same operator is emitted flat: Python's parser
                # allows only so many nested parentheses.
                operands: list[str] = []
                pending: list[ir.Expr] = [node]
                while pending:
                    current = pending.pop()
                    if isinstance(current, ir.Logic) and current.op == op:
                        pending.extend((current.right, current.left))
                    else:
                        operands.append(self.expr(current))
                return "(" + f" {op} ".join(operands) + ")"
            case ir.Cmp(op=op, left=left, right=right):
                return f"({self.expr(left)} {op} {self.expr(right)})"
            case ir.Member(item=item, options=options, negated=negated):
                listed = "".join(self.expr(o) + ", " for o in options)
                keyword = "not in" if negated else "in"
                return f"({self.expr(item)} {keyword} ({listed}))"
            case ir.Cond(branches=branches, otherwise=otherwise):
                # Flat, right-associative: a if c else b if d else e.
                arms = [f"{self.expr(arm)} if {self.expr(cond)} else " for cond, arm in branches]
                return "(" + "".join(arms) + self.expr(otherwise) + ")"
            case ir.Call():
                return self.call(node)
            case ir.Aggregate(where=where) if where is not None and not self.comprehensions:
                # Python allows no ``:=`` in a comprehension's iterable: the
                # aggregate's items and condition are emitted without it.
                self.comprehensions += 1
                try:
                    return self.expr(node)
                finally:
                    self.comprehensions -= 1
            case ir.Aggregate(fn=fn, items=members, spread=spread, span=span, where=where):
                collection = (
                    self.expr(members[0])
                    if spread
                    else f"({''.join(self.expr(i) + ', ' for i in members)})"
                )
                aggregate = AGGREGATES[fn]
                if where is not None:
                    # The condition asked of each present item, as the
                    # interpreter does (runtime.engine.interpreter).
                    element = f"_e{node.depth}"
                    test = self.expr(where)
                    if aggregate.condition == "test":
                        collection = (
                            f"[{test} for {element} in {collection} if {element} is not None]"
                        )
                    else:
                        collection = (
                            f"[{element} for {element} in {collection}"
                            f" if {element} is not None and {test}]"
                        )
                if aggregate.site:
                    return f"{aggregate.prelude}({collection}, {self.site(span)})"
                return f"{aggregate.prelude}({collection})"
            case ir.Lookup(key=key, table=table):
                # A missing key raises KeyError, placed by the line map (helpers.lookup).
                return f"{self.table(table)}[{self.expr(key)}]"
            case ir.NormalizedSum():
                return self.normalized_sum(node)
            case ir.Applicable(inputs=inputs, flags=flags):
                parts = [f"v{slot} is not None" for slot in inputs] + [f"v{flag}" for flag in flags]
                return "(" + " and ".join(parts) + ")" if parts else "True"
            case ir.Element(depth=depth):
                return f"_e{depth}"
            case ir.Group(slot=slot):
                return f"v{slot}"  # filled between stages (runtime.engine.groups)
        raise AssertionError(f"unknown IR node {node!r}")

    def normalized_sum(self, node: ir.NormalizedSum) -> str:
        """The normalized sum as one expression (where it is part of a larger one)."""
        parts = self.normalized_sum_parts(node)
        if parts.every is None:
            return parts.plain
        rescaled = f"_rescale({parts.present}, {parts.applicable}, {parts.full}, {parts.site})"
        return f"({parts.plain} if ({parts.every}) else {rescaled})"

    def normalized_sum_parts(self, node: ir.NormalizedSum) -> NormalizedSumParts:
        """``semantics.operations.normalized_sum`` specialised to the program: the
        plain sum when every score that may be exempt is applicable (tested by
        ``every``), else the sum of the ``present`` scores rescaled by ``full``
        over their ``applicable`` points.

        Sums run from 0 left to right, as ``normalized_sum`` adds; an exempt
        score adds 0 instead, which changes neither the value nor the exponent
        of a running sum that started at 0.
        """
        zero = self.constant(Decimal(0))
        scores = [self.expr(s) for s in node.scores]
        plain = self.sum_from_zero(list(node.scores))
        guards = [self.guards.get(s.slot) for s in node.scores]
        if not any(g is not None for g in guards):
            return NormalizedSumParts(plain)
        fixed = sum((p for p, g in zip(node.points, guards, strict=True) if g is None), Decimal(0))
        present = [
            s if g is None else f"({s} if v{g} else {zero})"
            for s, g in zip(scores, guards, strict=True)
        ]
        points = [
            f"({self.constant(p)} if v{g} else {zero})"
            for p, g in zip(node.points, guards, strict=True)
            if g is not None
        ]
        applicable = _plus([self.constant(fixed), *points])
        full, site = self.constant(node.full), self.site(node.span)
        every = " and ".join(f"v{g}" for g in sorted({g for g in guards if g is not None}))
        present_sum = _plus([zero, *present])
        return NormalizedSumParts(plain, every, present_sum, applicable, full, site)

    def sum_from_zero(self, scores: list[ir.Ref]) -> str:
        """``0 + s1 + s2 + …`` left to right, as ``normalized_sum`` adds; the
        ``0 +`` is left out when the first score is ``clean`` (then ``0 + s1``
        is ``s1``, bit for bit, and the rest adds alike)."""
        codes = [self.expr(s) for s in scores]
        if scores and _clean(scores[0].slot, self.definitions):
            return _plus(codes)
        return _plus([self.constant(Decimal(0)), *codes])

    def value(self, node: ir.Expr, rounding: tuple[int, str] | None = None) -> str:
        """``node``'s code, rounded to ``rounding`` (places, mode) when given.

        The rounding goes where it costs least and means the same: a constant
        is rounded here, once; a ``case``/``if``, a level table, ``safe_div``
        and an inlined ``min``/``max``/``clamp`` round each value they may
        give (rounding the value chosen is rounding each choice), so their
        constant choices are rounded here too and no subject pays for it.
        """
        if rounding is None:
            return self.expr(node)
        places, mode = rounding
        match node:
            case ir.Const(value=Decimal() as constant):
                rounded = exactly(round_to, constant, places, mode)
                if rounded is not None:
                    return self.constant(rounded)
            case ir.Cond(branches=branches, otherwise=otherwise):
                arms = [
                    f"{self.value(arm, rounding)} if {self.expr(cond)} else "
                    for cond, arm in branches
                ]
                return "(" + "".join(arms) + self.value(otherwise, rounding) + ")"
            case ir.Lookup(key=key, table=table):
                entries = [(k, exactly(round_to, v, places, mode)) for k, v in table]
                if all(v is not None for _, v in entries):
                    rounded_table = tuple((k, v) for k, v in entries if v is not None)
                    return f"{self.table(rounded_table)}[{self.expr(key)}]"
            case ir.Call():
                return self.call(node, rounding)
        return _rounded(self.expr(node), places, mode)

    def call(self, node: ir.Call, rounding: tuple[int, str] | None = None) -> str:
        """A built-in's helper from the prelude (``semantics.builtins``); a few
        shapes are inlined for speed, each computing exactly what the helper
        does; the result rounded to ``rounding`` when given (see ``value``)."""
        if node.fn == ROUND.name:
            places, mode = node.args[1], node.args[2]
            assert isinstance(places, ir.Const) and isinstance(mode, ir.Const)
            assert isinstance(places.value, Decimal) and isinstance(mode.value, str)
            code = self.value(node.args[0], (int(places.value), mode.value))
            return code if rounding is None else _rounded(code, *rounding)
        inlined = self.inlined(node, rounding)
        if inlined is not None:
            return inlined
        args = [self.expr(a) for a in node.args]
        if node.fn == CLAMP.name and _constant_bounds(node):
            # Same result as the helper, ties included (min/max keep the first).
            code = f"{MIN.prelude}({MAX.prelude}({args[0]}, {args[1]}), {args[2]})"
        else:
            function = FUNCTIONS[node.fn]
            if function.site:
                args.append(self.site(node.span))
            code = f"{function.prelude}({', '.join(args)})"
        return code if rounding is None else _rounded(code, *rounding)

    def inlined(self, node: ir.Call, rounding: tuple[int, str] | None) -> str | None:
        """``safe_div``, two-argument ``min``/``max`` and ``clamp`` between
        constants as Python's conditional expression with plain comparisons
        (a call of ``min``/``max`` costs more than the comparison it makes).

        Each reads its operands once, in the helper's order, and picks what
        the helper picks: ``max(a, b)`` is ``b`` only if ``b > a``, so
        ``a if a >= b else b``; ``min(a, b)`` is ``a if a <= b else b``;
        ``clamp(x, lo, hi)`` is ``lo if x < lo else hi if x > hi else x``.
        An operand that is not a slot or a constant is named once with
        ``:=`` (not possible inside a comprehension: the helper is called there).
        """
        args = node.args
        if node.fn == SAFE_DIV.name and all(_simple(a) for a in args):
            divisor = self.expr(args[1])
            quotient = f"{self.expr(args[0])} / {divisor}"
            if rounding is not None:
                quotient = _rounded(quotient, *rounding)
            return f"({quotient} if {divisor} else {self.value(args[2], rounding)})"
        if self.comprehensions:
            return None
        if node.fn in (MIN.name, MAX.name) and len(args) == 2:
            (a_first, a_use), (b_first, b_use) = self.once(args[0]), self.once(args[1])
            test = ">=" if node.fn == MAX.name else "<="
            return (
                f"({self.chosen(args[0], a_use, rounding)} if {a_first} {test} {b_first} "
                f"else {self.chosen(args[1], b_use, rounding)})"
            )
        if node.fn == CLAMP.name and _constant_bounds(node):
            x_first, x_use = self.once(args[0])
            low, high = self.expr(args[1]), self.expr(args[2])
            return (
                f"({self.value(args[1], rounding)} if {x_first} < {low} "
                f"else {self.value(args[2], rounding)} if {x_use} > {high} "
                f"else {self.chosen(args[0], x_use, rounding)})"
            )
        return None

    def once(self, node: ir.Expr) -> tuple[str, str]:
        """(code that evaluates ``node`` first, code that reads its value again)."""
        code = self.expr(node)
        if _simple(node):
            return code, code
        name = f"_w{self.temporaries}"
        self.temporaries += 1
        return f"({name} := {code})", name

    def chosen(self, node: ir.Expr, code: str, rounding: tuple[int, str] | None) -> str:
        """The value ``code`` reads (``node``'s, already computed), rounded when asked:
        a constant is rounded here."""
        if rounding is None:
            return code
        if isinstance(node, ir.Const):
            return self.value(node, rounding)
        return _rounded(code, *rounding)


def _present_itself(definition: ir.Definition, definitions: dict[int, ir.Definition]) -> bool:
    """A score that is an input that may be absent, guarded by nothing but
    that input's presence (a machine value): ``(x if <x is not None> else None)``
    is ``x``."""
    guard = definitions.get(definition.guard) if definition.guard is not None else None
    return (
        guard is not None
        and definition.places is None
        and isinstance(definition.expr, ir.Ref)
        and isinstance(guard.expr, ir.Applicable)
        and guard.expr.inputs == (definition.expr.slot,)
        and not guard.expr.flags
    )


def _clean(slot: int, definitions: dict[int, ir.Definition]) -> bool:
    """Whether slot's value, whatever the inputs, has no sign (not negative,
    not -0), an exponent of at most 0 and at most 34 digits: a score rounded
    to its places that cannot be negative, or one of constants of that kind.
    ``0 + x`` then is ``x`` exactly (value, exponent and sign)."""
    definition = definitions.get(slot)
    if definition is None:
        return False  # an input: any value may be handed over
    if definition.places is not None:
        # Rounding keeps the sign and leaves the exponent at -places.
        return _unsigned(definition.expr, definitions, 0)
    return _short_constants(definition.expr)


def _short_constants(node: ir.Expr) -> bool:
    """A constant, level table or choice among them, each unsigned with an
    exponent of at most 0 and at most 34 digits."""
    match node:
        case ir.Const(value=Decimal() as value):
            exponent = value.as_tuple().exponent
            return (
                value.is_finite() and not value.is_signed()
                and isinstance(exponent, int) and exponent <= 0 and len(value.as_tuple().digits) <= 34
            )  # fmt: skip
        case ir.Lookup(table=table):
            return all(_short_constants(ir.Const(v, node.type, node.span)) for _, v in table)
        case ir.Cond(branches=branches, otherwise=otherwise):
            return all(_short_constants(arm) for _, arm in branches) and _short_constants(otherwise)
    return False


_UNSIGNED_DEPTH = 8  # slots followed through references when proving a value unsigned


def _unsigned(node: ir.Expr, definitions: dict[int, ir.Definition], depth: int) -> bool:
    """Whether ``node``'s value never has a sign (never negative, never -0)
    whatever the inputs: unsigned constants and tables, choices among
    unsigned values, sums, products and quotients of them, and ``max(c, e)``
    with an unsigned constant ``c`` first (``e`` is chosen only if ``e > c``)."""
    match node:
        case ir.Const(value=Decimal() as value):
            return not value.is_signed()
        case ir.Lookup(table=table):
            return all(not v.is_signed() for _, v in table)
        case ir.Cond(branches=branches, otherwise=otherwise):
            return all(_unsigned(a, definitions, depth) for _, a in branches) and _unsigned(
                otherwise, definitions, depth
            )
        case ir.Arith(op="+" | "*" | "/", left=left, right=right):
            return _unsigned(left, definitions, depth) and _unsigned(right, definitions, depth)
        case ir.Call(fn=fn, args=args) if fn == ROUND.name:
            return _unsigned(args[0], definitions, depth)
        case ir.Call(fn=fn, args=(first, second)) if fn == MAX.name:
            if isinstance(first, ir.Const) and _unsigned(first, definitions, depth):
                return True
            if isinstance(second, ir.Const) and isinstance(second.value, Decimal):
                if second.value > 0:
                    return True  # the first is chosen only when at least the constant
            return _unsigned(first, definitions, depth) and _unsigned(second, definitions, depth)
        case ir.Call(fn=fn, args=(first, second)) if fn == MIN.name:
            return _unsigned(first, definitions, depth) and _unsigned(second, definitions, depth)
        case ir.Ref(slot=slot) if depth < _UNSIGNED_DEPTH and slot in definitions:
            return _unsigned(definitions[slot].expr, definitions, depth + 1)
    return False


def _constant_bounds(node: ir.Call) -> bool:
    """``clamp(x, lo, hi)`` with constant bounds ``lo <= hi`` (the helper's fault
    when ``lo > hi`` is then impossible)."""
    low, high = node.args[1], node.args[2]
    return (
        isinstance(low, ir.Const) and isinstance(high, ir.Const)
        and isinstance(low.value, Decimal) and isinstance(high.value, Decimal)
        and low.value <= high.value
    )  # fmt: skip


def output_slots(program: ir.Program) -> tuple[int, ...]:
    """What ``evaluate(inp, full=False)`` returns: each indicator's score, then the total."""
    return (*(i.score for i in program.indicators), program.total)


# A chain ``a + b + ...`` nests one level per term in Python's syntax tree, and
# compiling a few thousand levels exhausts the compiler's stack.  Longer sums
# call the sum aggregate over a flat tuple instead: it adds from 0 left to
# right, exactly as the chain does (semantics.operations.agg_sum).
_LONGEST_CHAIN = 64


def _plus(terms: list[str]) -> str:
    """The sum of ``terms`` (the first is the start value, usually 0), left to right."""
    if len(terms) <= _LONGEST_CHAIN:
        return "(" + " + ".join(terms) + ")"
    return f"{SUM.prelude}(({''.join(term + ', ' for term in terms)}))"


def _simple(node: ir.Expr) -> bool:
    """A slot, a group value or a constant: evaluating it can neither fault nor cost."""
    return isinstance(node, ir.Ref | ir.Const | ir.Group)


def _rounded(code: str, places: int, mode: str) -> str:
    """``round_to`` inlined: ``Decimal.quantize`` with the prelude's quantum and mode."""
    assert 0 <= places < len(QUANTA) and mode in ROUNDING
    return f"_quantize({code}, {quantum_name(places)}, {mode_name(mode)})"


def generate(program: ir.Program, filename: str) -> GeneratedModule:
    """The Python module computing every slot of ``program`` for one subject
    (from the folded program, ``compiler.fold``: the same values, less work)."""
    program = fold_program(program)
    emitter = _Emitter(program)
    body = CodeWriter()
    body.indent()
    body.indent()
    if program.inputs:
        # One tuple unpacking (as fast as it gets), one line per input naming it.
        body.writeline("(")
        body.indent()
        for field_ in program.inputs:
            body.writeline(f"v{field_.slot},", note=f"{field_.span.location()} {field_.name}")
        body.dedent()
        body.writeline(") = inp")
    _write_definitions(body, emitter, program, 1)
    _write_return(body, program, 1)
    laters = [_write_stage(emitter, program, stage) for stage in range(2, program.stages + 1)]
    laters += [_write_stage_many(emitter, program, s) for s in range(1, program.stages + 1)]

    # Helpers arrive as parameters of ``_make`` and constants are its locals, so
    # ``evaluate`` reads them as closure cells (as fast as locals, unlike globals).
    out = CodeWriter()
    out.writeline(f"# Generated by jixiao from {program.scheme!r} version {program.version!r}.")
    out.writeline("# Do not edit: regenerate with `jixiao compile RULES --emit py`.")
    out.writeline("")
    _write_wrapped(out, "def _make(", [f"{name}," for name in FACTORY_PARAMETERS], "):")
    out.indent()
    for line in emitter.constant_lines + emitter.table_lines:
        out.writeline(line)
    out.writeline("")
    out.writeline("def evaluate(inp, full=True):")
    offset = len(out.lines)
    out.lines.extend(body.lines)
    line_spans = {line + offset: span for line, span in body.line_spans.items()}
    for later in laters:
        offset = len(out.lines)
        out.lines.extend(later.lines)
        line_spans.update({line + offset: span for line, span in later.line_spans.items()})
    out.writeline("")
    if program.stages == 1:
        out.writeline("return (evaluate, (), (evaluate_many, ))")
    else:
        stages = "".join(f"_stage{stage}, " for stage in range(2, program.stages + 1))
        many = "".join(f"_stage{stage}_many, " for stage in range(1, program.stages + 1))
        out.writeline(f"return (evaluate, ({stages}), ({many}))")
    module = GeneratedModule(out.source(), filename, emitter.sites, line_spans, emitter.tables)
    module.stages = program.stages
    return module


def _write_stage(emitter: _Emitter, program: ir.Program, stage: int) -> CodeWriter:
    """``_stage<k>(values, groups, full=True)``: stage ``stage`` of one subject,
    from every slot's value so far and the stage's group values."""
    later = CodeWriter()
    later.indent()
    later.writeline("")
    later.writeline(f"def _stage{stage}(values, groups, full=True):")
    later.indent()
    _write_wrapped(later, "(", [f"v{s.index}," for s in program.slots], ") = values")
    here = [f"v{g.slot}," for g in program.groups if g.stage == stage]
    _write_wrapped(later, "(", here, ") = groups", note="group values")
    _write_definitions(later, emitter, program, stage)
    _write_return(later, program, stage)
    return later


def per_member(group: ir.GroupValue) -> bool:
    """Whether a group value is each member's own (a rank, a share: the
    helper gives a list, a value per member) rather than one for the whole
    pool (the best, the average, the count): ``_stage<k>_many`` takes the
    pool's single values once and each member's own beside its values
    (``runtime.engine.groups`` builds them so)."""
    return group.fn in PER_MEMBER


PER_MEMBER = frozenset(
    name
    for name, function in GROUP_FUNCTIONS.items()
    if isinstance(function.helper([Decimal(1)], None), list)
)
"""The group functions whose helper gives each member a value of its own (a
list: the ranks, the shares), asked of the helpers themselves so that the
two cannot disagree (``tests/test_group_functions.py`` asks again)."""


def _write_stage_many(emitter: _Emitter, program: ir.Program, stage: int) -> CodeWriter:
    """``_stage<k>_many(each, _keep)``: stage ``stage`` of many subjects at
    once, each subject's slots carried on (``carried``; after the last
    stage, every slot) passed to ``_keep`` (the caller's ``list.append``:
    generated code reads no attribute).  For a later stage ``each`` gives a
    pool at a time: ``(members, *singles)``, the pool's single group values
    of the stage (``per_member`` false, in ``program.groups``' order) once,
    and its members, each a subject's slots carried from the stage before,
    followed by its own group values when the stage has any (the caller's
    ``zip(rows, *columns)``, as generated code has no builtins).
    ``_stage1_many(each, _keep)`` from each subject's inputs (as
    ``evaluate``), and with one stage ``evaluate_many(each, _keep)``, the
    loop of ``evaluate``.

    The loop is in the generated code, so that a subject costs no call, a
    pool's best or average is not copied to each member, a member's own
    group values take no tuple of their own (``zip`` reuses its), and
    between stages a subject's tuple holds only the slots known so far (not
    every slot with the later ones None: less to build and unpack).  A
    fault is raised as it comes: the caller then runs ``evaluate`` or
    ``_stage<k>`` subject by subject, which locates it
    (``runtime.engine.groups.run_period``)."""
    before = carried(program, stage - 1)
    here = [g for g in program.groups if g.stage == stage]
    members = "".join(f"v{g.slot}, " for g in here if per_member(g))
    singles = "".join(f"v{g.slot}, " for g in here if not per_member(g))
    later = CodeWriter()
    later.indent()
    later.writeline("")
    name = "evaluate_many" if program.stages == 1 else f"_stage{stage}_many"
    later.writeline(f"def {name}(each, _keep):")
    later.indent()
    if program.stages == 1 and _inputs_first(program):
        # As ``evaluate``: each subject's input tuple (the runtime's rows are
        # tuples) followed by the computed slots.
        later.writeline("for inp in each:")
        later.indent()
        _write_wrapped(later, "(", [f"v{f.slot}," for f in program.inputs], ") = inp")
        _write_definitions(later, emitter, program, stage)
        _write_full_result(later, program, "_keep(", ")")
        return later
    if stage == 1 and not program.inputs:
        later.writeline("for _ in each:")
    elif stage == 1:  # the inputs, in ``program.inputs``' order (as ``evaluate``)
        _write_wrapped(later, "for (", [f"v{f.slot}," for f in program.inputs], ") in each:")
    else:  # a pool at a time: its single group values, then its members
        later.writeline(f"for (_pool, {singles}) in each:", note="group values")
        later.indent()
        names = [f"v{slot}," for slot in before]
        if members:
            _write_wrapped(later, "for ((", names, f"), {members}) in _pool:")
        else:
            _write_wrapped(later, "for (", names, ") in _pool:")
    later.indent()
    _write_definitions(later, emitter, program, stage)
    if stage < program.stages:  # the slots carried on, as the next stage unpacks them
        shown = [f"v{slot}" for slot in carried(program, stage)]
    else:
        known = set(carried(program, stage))
        shown = [f"v{s.index}" if s.index in known else "None" for s in program.slots]
    _write_tuple(later, "_keep(", shown, closing=")")
    return later


def carried(program: ir.Program, stage: int) -> tuple[int, ...]:
    """The slots known after ``stage`` (the inputs, the definitions and group
    values of that stage and before), in slot order: what a stage's
    generated loop passes on to the next (``_stage<k>_many``), rather than
    every slot with the later ones None; the last stage's gives every slot.
    ``runtime.engine.groups`` reads the group values' arguments from them."""
    known = {f.slot for f in program.inputs}
    known |= {d.slot for d in program.definitions if d.stage <= stage}
    known |= {g.slot for g in program.groups if g.stage <= stage}
    return tuple(s.index for s in program.slots if s.index in known)


def _write_definitions(
    body: CodeWriter, emitter: _Emitter, program: ir.Program, stage: int
) -> None:
    """One line per definition of ``stage`` (every definition when the program
    has one stage), a normalized sum with exempt scores in named steps;
    constants and constant branches arrive rounded (``_Emitter.value``)."""
    for definition in program.definitions:
        if definition.stage != stage:
            continue
        slot = program.slots[definition.slot]
        rounding = (definition.places, definition.mode) if definition.places is not None else None
        if isinstance(definition.expr, ir.NormalizedSum) and definition.guard is None:
            parts = emitter.normalized_sum_parts(definition.expr)
            if parts.every is not None:
                _write_normalized_sum(body, emitter, definition, slot, parts)
                continue
            code = parts.plain if rounding is None else _rounded(parts.plain, *rounding)
        else:
            code = emitter.value(definition.expr, rounding)
        if definition.guard is not None and not _present_itself(definition, emitter.definitions):
            code = f"({code} if v{definition.guard} else None)"
        body.writeline(f"v{definition.slot} = {code}", slot.span, slot.name)


def _write_return(body: CodeWriter, program: ir.Program, stage: int) -> None:
    """Every slot (``full``) or the outputs; a slot of a later stage is None.
    A one-stage program returns its input tuple followed by the computed
    slots (``_write_full_result``)."""
    if program.stages == 1:
        body.writeline("if full:")
        body.indent()
        _write_full_result(body, program)
        body.dedent()
        _write_tuple(body, "return ", [f"v{slot}" for slot in output_slots(program)])
        return
    known = {f.slot for f in program.inputs} | {
        d.slot for d in program.definitions if d.stage <= stage
    }
    known |= {g.slot for g in program.groups if g.stage <= stage}

    def shown(slot: int) -> str:
        return f"v{slot}" if slot in known else "None"

    body.writeline("if full:")
    body.indent()
    _write_tuple(body, "return ", [shown(s.index) for s in program.slots])
    body.dedent()
    _write_tuple(body, "return ", [shown(slot) for slot in output_slots(program)])


# Python builds a tuple display of more than 30 items through a list (the
# compiler's limit on values pushed at once), at several times the cost of
# building it directly; longer results are concatenated from shorter tuples.
_TUPLE_CHUNK = 30


def _write_tuple(
    writer: CodeWriter, opening: str, items: list[str], start: str = "", closing: str = ""
) -> None:
    """``opening`` then the tuple of ``items`` (after the tuple ``start`` when
    given), built from displays of at most ``_TUPLE_CHUNK`` items, then ``closing``."""
    chunks = [items[i : i + _TUPLE_CHUNK] for i in range(0, len(items), _TUPLE_CHUNK)]
    if not chunks:
        writer.writeline(opening + (start or "()") + closing)
        return
    if len(chunks) == 1:
        head = f"{start} + (" if start else "("
        _write_wrapped(writer, opening + head, [f"{item}," for item in chunks[0]], ")" + closing)
        return
    writer.writeline(opening + "(")
    writer.indent()
    if start:
        writer.writeline(start)
    for number, chunk in enumerate(chunks):
        head = "(" if number == 0 and not start else "+ ("
        _write_wrapped(writer, head, [f"{item}," for item in chunk], ")")
    writer.dedent()
    writer.writeline(")" + closing)


def _inputs_first(program: ir.Program) -> bool:
    """Whether the inputs are the first slots, in order (as lowering numbers them)."""
    return bool(program.inputs) and all(f.slot == n for n, f in enumerate(program.inputs))


def _write_full_result(
    writer: CodeWriter, program: ir.Program, opening: str = "return ", closing: str = ""
) -> None:
    """``return`` every slot, indexed by slot number (or ``opening`` it
    ``closing``).  When the inputs are the first slots, the result is the
    input tuple ``inp`` itself followed by the computed slots: the runtime
    passes its rows' values as tuples (``runtime.engine.compiled``)."""
    slots = [f"v{s.index}" for s in program.slots]
    if _inputs_first(program):
        _write_tuple(writer, opening, slots[len(program.inputs) :], start="inp", closing=closing)
    else:
        _write_tuple(writer, opening, slots, closing=closing)


def _write_normalized_sum(
    body: CodeWriter,
    emitter: _Emitter,
    definition: ir.Definition,
    slot: ir.Slot,
    parts: NormalizedSumParts,
) -> None:
    """A normalized sum some of whose scores may be exempt, in named steps:

        if <every such score applicable>:
            vN = <plain sum>
        else:
            _tN_present = <sum of the applicable scores>
            _tN_points = <their points>
            vN = _rescale(_tN_present, _tN_points, <full marks>, <site>)

    With at most ``_SPELLED_OUT`` guards, each combination of applicable and
    exempt scores is spelled out instead (``_write_combinations``).  Each
    line carries the slot's span, as the one line of any other slot does.
    """
    assert parts.every is not None and isinstance(definition.expr, ir.NormalizedSum)
    name, target = f"_t{definition.slot}", f"v{definition.slot}"

    def rounded(code: str) -> str:
        if definition.places is None:
            return code
        return _rounded(code, definition.places, definition.mode)

    guards = sorted(
        {emitter.guards[s.slot] for s in definition.expr.scores if s.slot in emitter.guards}
    )
    if len(guards) <= _SPELLED_OUT:
        _write_combinations(body, emitter, definition, slot, guards, {}, rounded)
        return
    body.writeline(f"if ({parts.every}):", slot.span, f"{slot.name}: every score applicable")
    body.indent()
    body.writeline(f"{target} = {rounded(parts.plain)}", slot.span, slot.name)
    body.dedent()
    body.writeline("else:")
    body.indent()
    body.writeline(
        f"{name}_present = {parts.present}", slot.span, f"{slot.name}: applicable scores"
    )
    body.writeline(f"{name}_points = {parts.applicable}", slot.span, f"{slot.name}: their points")
    rescaled = f"_rescale({name}_present, {name}_points, {parts.full}, {parts.site})"
    body.writeline(f"{target} = {rounded(rescaled)}", slot.span, slot.name)
    body.dedent()


_SPELLED_OUT = 3  # guards of a normalized sum whose combinations are written out (2**3 arms)


def _write_combinations(
    body: CodeWriter,
    emitter: _Emitter,
    definition: ir.Definition,
    slot: ir.Slot,
    guards: list[int],
    applicable: dict[int, bool],
    rounded: Callable[[str], str],
) -> None:
    """``if vG: … else: …`` on each guard in turn, then for one combination:
    the sum of its applicable scores, rescaled by its points (known here).

    Exactly ``semantics.operations.normalized_sum``: the scores that are
    applicable added from 0 left to right (an exempt score adds nothing: the
    generic form adds 0, which changes neither value nor exponent of a sum
    started at 0), and when one is exempt, ``total * full / applicable``
    with the applicable points added here as the generic form adds them at
    run time; no applicable points at all is ``rescale``'s fault."""
    if len(applicable) < len(guards):
        tested = guards[len(applicable)]
        for holds in (True, False):
            body.writeline(f"if v{tested}:" if holds else "else:")
            body.indent()
            combination = {**applicable, tested: holds}
            _write_combinations(body, emitter, definition, slot, guards, combination, rounded)
            body.dedent()
        return
    node = definition.expr
    assert isinstance(node, ir.NormalizedSum)
    terms: list[ir.Ref] = []
    points, exempt = Decimal(0), False
    for score, point in zip(node.scores, node.points, strict=True):
        if score.slot not in emitter.guards or applicable[emitter.guards[score.slot]]:
            terms.append(score)
            added = exactly(operator.add, points, point)
            assert added is not None  # points are small constants: their sum is exact
            points = added
        else:
            exempt = True
    total = emitter.sum_from_zero(terms)
    target = f"v{definition.slot}"
    if not exempt:
        body.writeline(f"{target} = {rounded(total)}", slot.span, slot.name)
        return
    full = emitter.constant(node.full)
    if points:
        code = f"(({total} * {full}) / {emitter.constant(points)})"
    else:
        code = f"_rescale({total}, {emitter.constant(points)}, {full}, {emitter.site(node.span)})"
    body.writeline(f"{target} = {rounded(code)}", slot.span, f"{slot.name}: some exempt")


def _write_wrapped(
    writer: CodeWriter,
    opening: str,
    items: list[str],
    closing: str,
    width: int = 88,
    note: str | None = None,
) -> None:
    """``opening`` items ``closing``, on one line if short, else items wrapped
    on indented lines (a long tuple or parameter list stays readable)."""
    single = opening + " ".join(items) + closing  # items keep their commas: (v5,) is a tuple
    if len("    " * writer.level + single) <= width:
        writer.writeline(single, note=note)
        return
    writer.writeline(opening)
    writer.indent()
    line = ""
    for item in items:
        if line and len("    " * writer.level + line + " " + item) > width:
            writer.writeline(line)
            line = ""
        line = f"{line} {item}" if line else item
    if line:
        writer.writeline(line)
    writer.dedent()
    writer.writeline(closing, note=note)


# -- Conditions and probes -------------------------------------------------------
#
# Link and property conditions, and the instrumented build rule-test coverage
# uses, go through the same emitter and the same ``_make`` factory as the
# per-subject program: the runtime loads all of them the same way (no
# builtins, helpers passed in, faults placed by sites and the line map).


def slots_read(program: ir.Program, expr: ir.Expr) -> tuple[int, ...]:
    """Every slot the code of ``expr`` reads, ascending: references, the
    inputs and flags of applicability tests, the guards of exempt scores."""
    guards = {d.slot: d.guard for d in program.definitions if d.guard is not None}
    found: set[int] = set()
    for node in ir.walk(expr):
        match node:
            case ir.Ref(slot=slot):
                found.add(slot)
            case ir.NormalizedSum(scores=scores):
                found.update(guards[s.slot] for s in scores if s.slot in guards)
            case ir.Applicable(inputs=inputs, flags=flags):
                found.update(inputs)
                found.update(flags)
            case ir.Group(slot=slot):
                found.add(slot)
    return tuple(sorted(found))


def _unpack(writer: CodeWriter, slots: tuple[int, ...]) -> None:
    for slot in slots:
        writer.writeline(f"v{slot} = values[{slot!r}]")


def _factory(
    program: ir.Program, emitter: _Emitter, what: str, body: CodeWriter, result: str
) -> tuple[str, dict[int, Span]]:
    """``_make`` around ``body`` (written two levels in), returning ``result``;
    the source and the line map shifted to where the body lands."""
    out = CodeWriter()
    out.writeline(
        f"# Generated by jixiao from {program.scheme!r} version {program.version!r}: {what}."
    )
    out.writeline("# Do not edit: generated again each time the rules are loaded.")
    out.writeline("")
    out.writeline(f"def _make({', '.join(FACTORY_PARAMETERS)}):")
    out.indent()
    for line in emitter.constant_lines + emitter.table_lines:
        out.writeline(line)
    out.writeline("")
    offset = len(out.lines)
    out.lines.extend(body.lines)
    out.writeline("")
    out.writeline(f"return {result}")
    return out.source(), {line + offset: span for line, span in body.line_spans.items()}


def generate_condition(
    program: ir.Program, condition: ir.Expr, filename: str, name: str
) -> GeneratedModule:
    """A module whose ``_make`` returns ``condition(values)``: the value of
    ``condition`` given a vector of values indexed by slot number (a link's
    ``compiler.links.LINK_INPUTS``; a property's slots then population values,
    and the second subject's after them for a pairwise property).

    ``program`` is the rule set the condition belongs to; ``name`` says which
    condition it is, in the header and at the line a fault is placed on."""
    emitter = _Emitter(program)
    body = CodeWriter()
    body.indent()
    body.writeline("def condition(values):")
    body.indent()
    _unpack(body, slots_read(program, condition))
    body.writeline(f"return {emitter.expr(condition)}", condition.span, name)
    source, line_spans = _factory(program, emitter, name, body, "condition")
    return GeneratedModule(source, filename, emitter.sites, line_spans, emitter.tables)


Probe = tuple[ir.Cond | ir.Lookup, int | None]  # (node, arm); arm None: a level lookup


@dataclass
class ProbedModule:
    """The instrumented build: ``_make`` returns one function per definition
    that has a ``case``/``if`` or a level table, ``fn(values, _arm, _level)``
    evaluating that definition's formula on the subject's slot values while
    calling ``_arm(probe)`` as an arm is taken and ``_level(probe, key)`` as a
    level is looked up (both return what the formula goes on with)."""

    module: GeneratedModule
    probes: list[Probe]  # probe id -> what it marks
    definitions: tuple[ir.Definition, ...]  # the definition each function evaluates


class _ProbingEmitter(_Emitter):
    """The emitter with a probe at each ``Cond`` arm and each ``Lookup`` key;
    every other node is emitted exactly as in the program."""

    def __init__(self, program: ir.Program) -> None:
        super().__init__(program)
        self.probes: list[Probe] = []

    def probe(self, node: ir.Cond | ir.Lookup, arm: int | None) -> str:
        self.probes.append((node, arm))
        return repr(len(self.probes) - 1)

    def expr(self, node: ir.Expr) -> str:
        if isinstance(node, ir.Cond):
            # ``_arm(n)`` is true: ``(_arm(n) and x)`` is ``x``, marked taken first.
            arms = [
                f"(_arm({self.probe(node, n)}) and {self.expr(arm)}) if {self.expr(cond)} else "
                for n, (cond, arm) in enumerate(node.branches)
            ]
            otherwise = (
                f"(_arm({self.probe(node, len(node.branches))}) and {self.expr(node.otherwise)})"
            )
            return "(" + "".join(arms) + otherwise + ")"
        if isinstance(node, ir.Lookup):
            key = f"_level({self.probe(node, None)}, {self.expr(node.key)})"
            return f"{self.table(node.table)}[{key}]"
        return super().expr(node)

    def value(self, node: ir.Expr, rounding: tuple[int, str] | None = None) -> str:
        # A rounded case or level table keeps its probes: rounded as a whole.
        if rounding is not None and isinstance(node, ir.Cond | ir.Lookup):
            return _rounded(self.expr(node), *rounding)
        return super().value(node, rounding)


def generate_probes(program: ir.Program, filename: str) -> ProbedModule:
    """The instrumented build of ``program`` for rule-test coverage (built only
    when coverage is asked for: the evaluator itself carries no probes)."""
    emitter = _ProbingEmitter(program)
    body = CodeWriter()
    body.indent()
    probed: list[ir.Definition] = []
    names: list[str] = []
    for definition in program.definitions:
        if not any(isinstance(n, ir.Cond | ir.Lookup) for n in ir.walk(definition.expr)):
            continue
        slot = program.slots[definition.slot]
        if probed:
            body.writeline("")
        names.append(f"_p{len(probed)}")
        probed.append(definition)
        body.writeline(f"def {names[-1]}(values, _arm, _level):")
        body.indent()
        _unpack(body, slots_read(program, definition.expr))
        body.writeline(f"return {emitter.expr(definition.expr)}", slot.span, slot.name)
        body.dedent()
    result = "(" + "".join(n + ", " for n in names) + ")"
    source, line_spans = _factory(program, emitter, "coverage probes", body, result)
    module = GeneratedModule(source, filename, emitter.sites, line_spans, emitter.tables)
    return ProbedModule(module, emitter.probes, tuple(probed))
