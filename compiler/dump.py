"""Readable, deterministic dumps of the AST and the IR (``jixiao compile --emit``).

Golden tests compare these texts, so they must not depend on memory
addresses, dict order of anything unordered, or the machine.
"""

from __future__ import annotations

from decimal import Decimal

from compiler import ir
from dsl import ast
from dsl.pretty import pretty


def dump_ast(ruleset: ast.RuleSet) -> str:
    m = ruleset.manifest
    out = [
        f"ruleset {m.scheme!r} version {m.version!r} year {m.year} places {m.places} "
        f"rounding {m.rounding}"
    ]
    for enum in ruleset.levels:
        out.append(f"levels {enum.name.name}: {', '.join(x.name for x in enum.members)}")
    for decl in ruleset.inputs:
        out.append(f"input {decl.name.name}: {decl.type_text}  @{decl.name.span.location()}")
    for value in ruleset.values:
        out.append(
            f"value {value.name.name} = {_formula(value.expr)}  @{value.name.span.location()}"
        )
    for collection in ruleset.collections:
        members = ", ".join(m.name for m in collection.members)
        out.append(f"collection {collection.name.name}: {members}")
    for indicator in ruleset.indicators:
        out.append(
            f"indicator {indicator.id.name} {indicator.name!r} points {indicator.points.value}"
            f"  @{indicator.span.location()}"
        )
        for decl in indicator.inputs:
            out.append(f"  input {decl.name.name}: {decl.type_text}  @{decl.name.span.location()}")
        for let in indicator.lets:
            out.append(f"  let {let.name.name} = {_formula(let.expr)}  @{let.name.span.location()}")
        out.append(f"  score {_method(indicator.method)}")
        if indicator.round_places is not None:
            out.append(f"  round {indicator.round_places} {indicator.rounding or m.rounding}")
    if ruleset.total is not None:
        out.append(f"total = {pretty(ruleset.total)}")
    return "\n".join(out) + "\n"


def _formula(expr: ast.Expr | None) -> str:
    return "<invalid>" if expr is None else pretty(expr)


def _method(method: ast.ScoreMethod) -> str:
    match method:
        case ast.FormulaMethod(expr=expr):
            return _formula(expr)
        case ast.LevelsMethod(table=table, level_input=level_input):
            shares = ", ".join(f"{k.name}: {v.value}" for k, v in table)
            by = f" by {level_input.name}" if level_input else ""
            return f"levels{by} {{{shares}}}"
        case ast.MachineMethod(field=field):
            return f"machine {field.name}"
        case ast.DeductMethod(per=per, count=count, cap=cap):
            capped = f" cap {cap.value}" if cap else ""
            return f"deduct {per.value} per {count.name}{capped}"
    raise AssertionError(method)


def dump_ir(program: ir.Program) -> str:
    out = [
        f"program {program.scheme!r} version {program.version!r} year {program.year}"
        + (f"..{program.last_year}" if program.last_year else "")
        + (" period year" if program.annual else ""),
        f"  places {program.places} rounding {program.rounding} full_marks {program.full_marks}",
        "slots:",
    ]
    for slot in program.slots:
        owner = f" of {slot.owner}" if slot.owner else ""
        out.append(f"  %{slot.index} {slot.kind} {slot.name!r}: {slot.type}{owner}")
    out.append("inputs:")
    for field in program.inputs:
        bounds = ""
        if field.minimum is not None or field.maximum is not None:
            bounds = f" in [{field.minimum}, {field.maximum}]"
        default = f" default {field.default!r}" if field.missing == "default" else ""
        source = f" from {field.source}" if field.source else ""
        out.append(f"  %{field.slot} {field.kind}{bounds} missing {field.missing}{default}{source}")
    out.append("definitions:")
    for definition in program.definitions:
        text = _ir(definition.expr)
        if definition.places is not None:
            text = f"round({text}, {definition.places}, {definition.mode})"
        if definition.guard is not None:
            text = f"{text} when %{definition.guard}"
        if definition.stage > 1:
            text = f"{text} [stage {definition.stage}]"
        out.append(f"  %{definition.slot} = {text}")
    if program.groups:
        out.append("groups:")
        for group in program.groups:
            of = "" if group.of is None else f"%{group.of}"
            out.append(f"  %{group.slot} = ({group.fn} {of}) [stage {group.stage}]")
    out.append("indicators:")
    for indicator in program.indicators:
        applicable = (
            f" applicable %{indicator.applicable}" if indicator.applicable is not None else ""
        )
        out.append(
            f"  {indicator.id} {indicator.method} points {indicator.points} score %{indicator.score}"
            f"{applicable}"
        )
    out.append(f"total %{program.total}")
    return "\n".join(out) + "\n"


def _const(value: ir.ConstValue) -> str:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value) if isinstance(value, str) else f"date({value.isoformat()})"


def _ir(node: ir.Expr) -> str:
    match node:
        case ir.Const(value=value):
            return _const(value)
        case ir.Ref(slot=slot):
            return f"%{slot}"
        case ir.Neg(operand=operand):
            return f"(neg {_ir(operand)})"
        case ir.Not(operand=operand):
            return f"(not {_ir(operand)})"
        case (
            ir.Arith(op=op, left=left, right=right)
            | ir.Logic(op=op, left=left, right=right)
            | ir.Cmp(op=op, left=left, right=right)
        ):
            return f"({op} {_ir(left)} {_ir(right)})"
        case ir.Member(item=item, options=options, negated=negated):
            keyword = "not-in" if negated else "in"
            return f"({keyword} {_ir(item)} [{' '.join(_ir(o) for o in options)}])"
        case ir.Cond(branches=branches, otherwise=otherwise):
            arms = " ".join(f"[{_ir(c)} {_ir(v)}]" for c, v in branches)
            return f"(cond {arms} [else {_ir(otherwise)}])"
        case ir.Call(fn=fn, args=args):
            return f"({fn} {' '.join(_ir(a) for a in args)})"
        case ir.Aggregate(fn=fn, items=items, spread=spread, where=where, depth=depth):
            star = "*" if spread else ""
            condition = "" if where is None else f" (where @{depth} {_ir(where)})"
            return f"({fn}{star} {' '.join(_ir(i) for i in items)}{condition})"
        case ir.Element(depth=depth):
            return f"@{depth}"
        case ir.Group(slot=slot):
            return f"%{slot}"
        case ir.Lookup(key=key, table=table):
            shares = " ".join(f"{k!r}:{v}" for k, v in table)
            return f"(lookup {_ir(key)} {{{shares}}})"
        case ir.NormalizedSum(scores=scores, points=points, full=full):
            pairs = " ".join(f"{_ir(s)}/{p}" for s, p in zip(scores, points, strict=True))
            return f"(normalized-sum {full} {pairs})"
        case ir.Applicable(inputs=inputs, flags=flags):
            present = " ".join(f"%{i}" for i in inputs)
            holds = "".join(f" (holds %{f})" for f in flags)
            return f"(present {present}{holds})"
    raise AssertionError(node)
