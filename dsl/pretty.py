"""Printing expressions back as formula text.

``pretty(parse(text))`` is a canonical form of ``text`` and parses back to the
same tree: the round-trip property test relies on it, and ``jixiao compile
--emit ast`` and ``jixiao diff`` show formulas through it.  Parentheses are
added exactly where precedence needs them.
"""

from __future__ import annotations

from dsl import ast

# Binding strength of each form; a child weaker than its slot needs parentheses.
_CONDITIONAL, _OR, _AND, _NOT, _COMPARE, _SUM, _PRODUCT, _UNARY, _ATOM = range(9)
_BINARY = {"or": _OR, "and": _AND, "+": _SUM, "-": _SUM, "*": _PRODUCT, "/": _PRODUCT}


def _strength(expr: ast.Expr) -> int:
    match expr:
        case ast.Conditional():
            return _CONDITIONAL
        case ast.Binary(op=op):
            return _BINARY[op]
        case ast.Unary(op="not"):
            return _NOT
        case ast.Unary():
            return _UNARY
        case ast.Compare() | ast.In():
            return _COMPARE
    return _ATOM


def _quote(text: str) -> str:
    body = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    return f'"{body}"'


def pretty(expr: ast.Expr) -> str:
    """Canonical formula text of ``expr``."""
    return _print(expr, _CONDITIONAL)


def _print(expr: ast.Expr, needed: int) -> str:
    text = _bare(expr)
    return f"({text})" if _strength(expr) < needed else text


def _bare(expr: ast.Expr) -> str:
    match expr:
        case ast.Number(text=text):
            return text
        case ast.String(value=value):
            return _quote(value)
        case ast.Bool(value=value):
            return "true" if value else "false"
        case ast.Name(name=name):
            return name
        case ast.Unary(op="not", operand=operand):
            return f"not {_print(operand, _NOT)}"
        case ast.Unary(op=op, operand=operand):
            return f"{op}{_print(operand, _UNARY)}"
        case ast.Binary(op=op, left=left, right=right):
            level = _BINARY[op]
            return f"{_print(left, level)} {op} {_print(right, level + 1)}"
        case ast.Compare(ops=ops, operands=operands):
            parts = [_print(operands[0], _SUM)]
            for op, operand in zip(ops, operands[1:], strict=True):
                parts.append(f"{op} {_print(operand, _SUM)}")
            return " ".join(parts)
        case ast.In(item=item, options=options, negated=negated):
            listed = ", ".join(_print(option, _CONDITIONAL) for option in options)
            keyword = "not in" if negated else "in"
            return f"{_print(item, _SUM)} {keyword} [{listed}]"
        case ast.Conditional(branches=branches, otherwise=otherwise, form="case"):
            whens = " ".join(f"when {pretty(c)} then {pretty(v)}" for c, v in branches)
            return f"case {whens} else {pretty(otherwise)} end"
        case ast.Conditional(branches=branches, otherwise=otherwise):
            (first_cond, first_value), *rest = branches
            parts = [f"if {pretty(first_cond)} then {pretty(first_value)}"]
            parts.extend(f"elif {pretty(c)} then {pretty(v)}" for c, v in rest)
            parts.append(f"else {pretty(otherwise)}")
            return " ".join(parts)
        case ast.Call(func=func, args=args):
            return f"{func}({', '.join(pretty(arg) for arg in args)})"
    raise AssertionError(f"unknown expression {expr!r}")
