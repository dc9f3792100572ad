"""Python code generation from the IR.

Safety by construction: the generated text is assembled only from

* identifiers we make (``v12`` for slot 12, ``_c3`` for constant 3, ``_t0``
  for a level table), never from rule text, so no Chinese name is ever an
  identifier (Python folds those with NFKC, so two distinct names could
  collide) and no name can reach a Python builtin;
* literals through ``repr`` of ``str``, ``int`` and ``bool`` only (a Decimal
  is emitted as ``_D('0.85')``, a date as ``_date(2016, 4, 1)``);
* a fixed set of operators and helper names from ``semantics.operations``;
* comments made of ``repr`` of rule names and positions, which cannot contain
  a line break.

Every statement is one line, and the line map records which definition (and
so which rule span) each line computes, so a fault at run time is reported at
the rule's file:line:col.  The generated module runs with no builtins.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from compiler import ir
from dsl.spans import Span

HELPER_NAMES = (
    "_D", "_date", "_div", "_zdiv", "_safe_div", "_quantize", "_clamp", "_min", "_max", "_abs",
    "_sum", "_count", "_avg", "_amin", "_amax", "_any", "_all", "_rescale",
)  # fmt: skip
# Rounding is emitted as ``_quantize(x, _q2, _R_half_up)``: the quantum and mode
# constants below are provided by the runtime, not written by the generator.
QUANTUM_NAMES = tuple(f"_q{places}" for places in range(11))
MODE_NAMES = tuple(
    f"_R_{mode}" for mode in ("half_up", "half_even", "half_down", "up", "down", "ceiling", "floor")
)

_AGG_HELPER = {
    "sum": "_sum", "count": "_count", "avg": "_avg", "min": "_amin", "max": "_amax",
    "any": "_any", "all": "_all",
}  # fmt: skip
_CALL_HELPER = {"min": "_min", "max": "_max", "abs": "_abs", "safe_div": "_safe_div"}


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


class _Emitter:
    def __init__(self, program: ir.Program) -> None:
        self.program = program
        # Scores that may be None (exempt): the guard slot of each.
        self.guards = {d.slot: d.guard for d in program.definitions if d.guard is not None}
        self.constants: dict[tuple[str, str], str] = {}
        self.constant_lines: list[str] = []
        self.sites: list[Span] = []
        self.tables: dict[str, dict[str, Decimal]] = {}
        self.table_lines: list[str] = []

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
        name = f"_t{len(self.tables)}"
        self.tables[name] = dict(table)
        items = ", ".join(f"{key!r}: {self.constant(value)}" for key, value in table)
        self.table_lines.append(f"{name} = {{{items}}}")
        return name

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
                return f"_div({self.expr(left)}, {self.expr(right)}, {self.site(span)})"
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
            case ir.Aggregate(fn=fn, items=items, spread=spread, span=span):
                collection = (
                    self.expr(items[0])
                    if spread
                    else f"({''.join(self.expr(i) + ', ' for i in items)})"
                )
                helper = _AGG_HELPER[fn]
                if fn in ("avg", "min", "max"):
                    return f"{helper}({collection}, {self.site(span)})"
                return f"{helper}({collection})"
            case ir.Lookup(key=key, table=table):
                # A missing key raises KeyError, placed by the line map (helpers.lookup).
                return f"{self.table(table)}[{self.expr(key)}]"
            case ir.NormalizedSum():
                return self.normalized_sum(node)
            case ir.Applicable(inputs=inputs, flags=flags):
                parts = [f"v{slot} is not None" for slot in inputs] + [f"v{flag}" for flag in flags]
                return "(" + " and ".join(parts) + ")" if parts else "True"
        raise AssertionError(f"unknown IR node {node!r}")

    def normalized_sum(self, node: ir.NormalizedSum) -> str:
        """The plain sum when no score can be exempt; otherwise the plain sum when
        every guard holds, else the sum of the present scores rescaled.

        Sums run from 0 left to right, as ``helpers.normalized_sum`` adds; an
        exempt score adds 0 instead, which changes neither the value nor the
        exponent of a running sum that started at 0.
        """
        zero = self.constant(Decimal(0))
        scores = [self.expr(s) for s in node.scores]
        plain = "(" + " + ".join([zero, *scores]) + ")"
        guards = [self.guards.get(s.slot) for s in node.scores]
        if not any(g is not None for g in guards):
            return plain
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
        applicable = " + ".join([self.constant(fixed), *points])
        full, site = self.constant(node.full), self.site(node.span)
        rescaled = f"_rescale(({' + '.join([zero, *present])}), ({applicable}), {full}, {site})"
        every = " and ".join(f"v{g}" for g in sorted({g for g in guards if g is not None}))
        return f"({plain} if ({every}) else {rescaled})"

    def call(self, node: ir.Call) -> str:
        args = [self.expr(a) for a in node.args]
        if node.fn == "round":
            places, mode = node.args[1], node.args[2]
            assert isinstance(places, ir.Const) and isinstance(mode, ir.Const)
            assert isinstance(places.value, Decimal) and isinstance(mode.value, str)
            return _rounded(args[0], int(places.value), mode.value)
        if node.fn == "safe_div" and all(_simple(a) for a in node.args):
            return f"({args[0]} / {args[1]} if {args[1]} else {args[2]})"
        if node.fn == "clamp":
            low, high = node.args[1], node.args[2]
            if (
                isinstance(low, ir.Const) and isinstance(high, ir.Const)
                and isinstance(low.value, Decimal) and isinstance(high.value, Decimal)
                and low.value <= high.value
            ):  # fmt: skip
                # Same result as the helper, ties included (min/max keep the first).
                return f"_min(_max({args[0]}, {args[1]}), {args[2]})"
            return f"_clamp({', '.join(args)}, {self.site(node.span)})"
        return f"{_CALL_HELPER[node.fn]}({', '.join(args)})"


FACTORY_PARAMETERS = (*HELPER_NAMES, *QUANTUM_NAMES, *MODE_NAMES)


def output_slots(program: ir.Program) -> tuple[int, ...]:
    """What ``evaluate(inp, full=False)`` returns: each indicator's score, then the total."""
    return (*(i.score for i in program.indicators), program.total)


def _simple(node: ir.Expr) -> bool:
    """A slot or a constant: evaluating it can neither fault nor cost."""
    return isinstance(node, ir.Ref | ir.Const)


def _rounded(code: str, places: int, mode: str) -> str:
    assert 0 <= places < len(QUANTUM_NAMES) and f"_R_{mode}" in MODE_NAMES
    return f"_quantize({code}, _q{places}, _R_{mode})"


def generate(program: ir.Program, filename: str) -> GeneratedModule:
    """The Python module computing every slot of ``program`` for one subject."""
    emitter = _Emitter(program)
    body = CodeWriter()
    body.indent()
    body.indent()
    input_names = [f"v{f.slot}" for f in program.inputs]
    if input_names:
        body.writeline(f"({''.join(n + ', ' for n in input_names)}) = inp")
    for definition in program.definitions:
        slot = program.slots[definition.slot]
        code = emitter.expr(definition.expr)
        if definition.places is not None:
            code = _rounded(code, definition.places, definition.mode)
        if definition.guard is not None:
            code = f"({code} if v{definition.guard} else None)"
        body.writeline(f"v{definition.slot} = {code}", slot.span, slot.name)
    every = "".join(f"v{s.index}, " for s in program.slots)
    outputs = "".join(f"v{slot}, " for slot in output_slots(program))
    body.writeline("if full:")
    body.indent()
    body.writeline(f"return ({every})")
    body.dedent()
    body.writeline(f"return ({outputs})")

    # Helpers arrive as parameters of ``_make`` and constants are its locals, so
    # ``evaluate`` reads them as closure cells (as fast as locals, unlike globals).
    out = CodeWriter()
    out.writeline(f"# Generated by jixiao from {program.scheme!r} version {program.version!r}.")
    out.writeline("# Do not edit: regenerate with `jixiao compile RULES --emit py`.")
    out.writeline("")
    out.writeline(f"def _make({', '.join(FACTORY_PARAMETERS)}):")
    out.indent()
    for line in emitter.constant_lines + emitter.table_lines:
        out.writeline(line)
    out.writeline("")
    out.writeline("def evaluate(inp, full=True):")
    offset = len(out.lines)
    out.lines.extend(body.lines)
    out.writeline("")
    out.writeline("return evaluate")
    line_spans = {line + offset: span for line, span in body.line_spans.items()}
    return GeneratedModule(out.source(), filename, emitter.sites, line_spans, emitter.tables)


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
