"""Python code generation from the IR.

Safety by construction: the generated text is assembled only from

* identifiers we make (``v12`` for slot 12, ``_c3`` for constant 3, ``_t0``
  for a level table), never from rule text, so no Chinese name is ever an
  identifier (Python folds those with NFKC, so two distinct names could
  collide) and no name can reach a Python builtin;
* literals through ``repr`` of ``str``, ``int`` and ``bool`` only (a Decimal
  is emitted as ``_D('0.85')``, a date as ``_date(2016, 4, 1)``);
* a fixed set of operators and helper names from ``runtime.helpers``;
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
    "_D", "_date", "_div", "_safe_div", "_round", "_clamp", "_min", "_max", "_abs",
    "_lookup", "_sum", "_count", "_avg", "_amin", "_amax", "_any", "_all", "_normalized",
)  # fmt: skip

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
        text = "    " * self.level + code
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
            return f"_date({value.year!r}, {value.month!r}, {value.day!r})"
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
                return f"_div({self.expr(left)}, {self.expr(right)}, {self.site(span)})"
            case ir.Arith(op=op, left=left, right=right):
                return f"({self.expr(left)} {op} {self.expr(right)})"
            case ir.Logic(op=op, left=left, right=right):
                return f"({self.expr(left)} {op} {self.expr(right)})"
            case ir.Cmp(op=op, left=left, right=right):
                return f"({self.expr(left)} {op} {self.expr(right)})"
            case ir.Member(item=item, options=options, negated=negated):
                listed = ", ".join(self.expr(o) for o in options)
                keyword = "not in" if negated else "in"
                return f"({self.expr(item)} {keyword} ({listed},))"
            case ir.Cond(branches=branches, otherwise=otherwise):
                text = self.expr(otherwise)
                for condition, arm in reversed(branches):
                    text = f"({self.expr(arm)} if {self.expr(condition)} else {text})"
                return text
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
            case ir.Lookup(key=key, table=table, span=span):
                return f"_lookup({self.expr(key)}, {self.table(table)}, {self.site(span)})"
            case ir.NormalizedSum(scores=scores, points=points, full=full, span=span):
                listed = "".join(self.expr(s) + ", " for s in scores)
                pts = "".join(self.constant(p) + ", " for p in points)
                return f"_normalized(({listed}), ({pts}), {self.constant(full)}, {self.site(span)})"
            case ir.Applicable(inputs=inputs):
                return "(" + " and ".join(f"v{slot} is not None" for slot in inputs) + ")"
        raise AssertionError(f"unknown IR node {node!r}")

    def call(self, node: ir.Call) -> str:
        args = [self.expr(a) for a in node.args]
        if node.fn == "round":
            places, mode = node.args[1], node.args[2]
            assert isinstance(places, ir.Const) and isinstance(mode, ir.Const)
            assert isinstance(places.value, Decimal)
            return f"_round({args[0]}, {int(places.value)!r}, {mode.value!r})"
        if node.fn == "clamp":
            return f"_clamp({', '.join(args)}, {self.site(node.span)})"
        return f"{_CALL_HELPER[node.fn]}({', '.join(args)})"


def generate(program: ir.Program, filename: str) -> GeneratedModule:
    """The Python module computing every slot of ``program`` for one subject."""
    emitter = _Emitter(program)
    body = CodeWriter()
    body.indent()
    input_names = [f"v{f.slot}" for f in program.inputs]
    if input_names:
        body.writeline(f"({''.join(n + ', ' for n in input_names)}) = inp")
    for definition in program.definitions:
        slot = program.slots[definition.slot]
        code = emitter.expr(definition.expr)
        if definition.places is not None:
            code = f"_round({code}, {definition.places!r}, {definition.mode!r})"
        if definition.guard is not None:
            code = f"({code} if v{definition.guard} else None)"
        body.writeline(f"v{definition.slot} = {code}", slot.span, slot.name)
    outputs = "".join(f"v{s.index}, " for s in program.slots)
    body.writeline(f"return ({outputs})")

    out = CodeWriter()
    out.writeline(f"# Generated by jixiao from {program.scheme!r} version {program.version!r}.")
    out.writeline("# Do not edit: regenerate with `jixiao compile RULES --emit py`.")
    for line in emitter.constant_lines + emitter.table_lines:
        out.writeline(line)
    out.writeline("")
    out.writeline("def evaluate(inp):")
    offset = len(out.lines)
    out.lines.extend(body.lines)
    line_spans = {line + offset: span for line, span in body.line_spans.items()}
    return GeneratedModule(out.source(), filename, emitter.sites, line_spans, emitter.tables)
