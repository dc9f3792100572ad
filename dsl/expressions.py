"""Parsing formulas: text inside a YAML scalar -> located expression AST.

The grammar is ``expression.lark`` (LALR, strict: a grammar conflict is an
error when the parser is built, not a surprise at run time).  Offsets in the
formula are mapped to file positions through the scalar's ``OffsetMap``, so
every node's span points into the rule file.

Syntax errors become diagnostics with the offending token underlined, the
tokens that would fit, and hints for the usual slips of Chinese input methods
(full-width brackets, commas and operators) and of spreadsheet habits (``=``).
"""

from __future__ import annotations

import functools
import re
from decimal import Decimal
from importlib import resources

from lark import Lark, Token, Transformer, Tree, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from dsl import ast
from dsl.diagnostics import Diagnostic
from dsl.spans import OffsetMap, Span

MAX_FORMULA_CHARS = 4000
MAX_DEPTH = 40

KEYWORDS = frozenset(
    {"if", "then", "elif", "else", "case", "when", "end", "or", "and", "not", "in", "true", "false"}
)

_FULLWIDTH = {
    "（": "(", "）": ")", "，": ",", "＋": "+", "－": "-", "＊": "*", "／": "/",
    "＝": "==", "＞": ">", "＜": "<", "％": "%", "“": '"', "”": '"', "‘": "'", "’": "'",
    "【": "[", "】": "]", "［": "[", "］": "]", "×": "*", "÷": "/", "≥": ">=", "≤": "<=",
    "≠": "!=", "。": ".", "．": ".",
}  # fmt: skip

# How each terminal is named to a user, in Chinese and English.
_TERMINAL_WORDS: dict[str, tuple[str, str]] = {
    "NUMBER": ("数值", "number"), "PERCENT": ("百分数", "percentage"),
    "STRING": ('"文字"', '"text"'), "NAME": ("名称", "name"), "LPAR": ("(", "("),
    "RPAR": (")", ")"), "LSQB": ("[", "["), "RSQB": ("]", "]"), "COMMA": (",", ","),
    "PLUS": ("+", "+"), "MINUS": ("-", "-"), "STAR": ("*", "*"), "SLASH": ("/", "/"),
    "COMP_OP": ("比较符号", "comparison"), "$END": ("公式结尾", "end of formula"),
}  # fmt: skip


@functools.cache
def _parser() -> Lark:
    grammar = resources.files("dsl").joinpath("expression.lark").read_text(encoding="utf-8")
    return build_parser(grammar, strict=False)


def build_parser(grammar: str, strict: bool) -> Lark:
    """The LALR parser.  ``strict`` (no shift/reduce conflicts, no terminal
    collisions) costs a fifth of a second at start-up, so it is checked by the
    test suite (tests/test_grammar.py) rather than on every run."""
    return Lark(
        grammar, parser="lalr", propagate_positions=True, strict=strict, maybe_placeholders=False
    )


def parse_expression(text: str, offsets: OffsetMap) -> tuple[ast.Expr | None, list[Diagnostic]]:
    """Parse one formula; on failure return None and the located problem."""
    whole = offsets.span(0, len(text))
    if not text.strip():
        return None, [Diagnostic("E0306", {}, whole)]
    if len(text) > MAX_FORMULA_CHARS:
        return None, [Diagnostic("E0304", {"limit": MAX_FORMULA_CHARS}, offsets.span(0, 1))]
    try:
        tree = _parser().parse(text)
    except UnexpectedInput as error:
        return None, [_syntax_error(error, text, offsets)]
    depth, deepest = _depth(tree)
    if depth > MAX_DEPTH:
        return None, [Diagnostic("E0305", {"limit": MAX_DEPTH}, offsets.span(deepest, deepest + 1))]
    return _ToAst(offsets).transform(tree), []


def _depth(tree: Tree[Token]) -> tuple[int, int]:
    """Depth of the parse tree, and where its deepest node starts (iterative)."""
    best, where = 0, 0
    stack: list[tuple[Tree[Token], int]] = [(tree, 1)]
    while stack:
        node, level = stack.pop()
        if level > best:
            best, where = level, getattr(node.meta, "start_pos", 0)
        # A comparison chain is flat here but nests once per comparison later.
        step = len(node.children) // 2 if node.data == "chain" else 1
        stack.extend((child, level + step) for child in node.children if isinstance(child, Tree))
    return best, where


def _describe_expected(expected: set[str]) -> tuple[str, dict[str, str]]:
    """The tokens that would fit, as a message argument in both languages."""
    pairs = [_TERMINAL_WORDS.get(name, (name.lower(), name.lower())) for name in expected]
    zh = "、".join(sorted({p[0] for p in pairs}))
    en = ", ".join(sorted({p[1] for p in pairs}))
    return ("text.bilingual", {"zh": zh, "en": en})


def _syntax_error(error: UnexpectedInput, text: str, offsets: OffsetMap) -> Diagnostic:
    position = getattr(error, "pos_in_stream", None) or 0
    if isinstance(error, UnexpectedCharacters):
        char = text[position] if position < len(text) else ""
        span = offsets.span(position, position + 1)
        help_line: tuple[str, dict[str, object]] | None = None
        if char in _FULLWIDTH:
            help_line = ("E0303.fullwidth", {"ascii": _FULLWIDTH[char]})
        elif char == "=":
            help_line = ("E0303.equals", {})
        elif char == "^":
            help_line = ("E0303.power", {})
        return Diagnostic("E0303", {"char": char}, span, help=help_line)
    if isinstance(error, UnexpectedToken) and error.token.type != "$END":
        token = error.token
        start = token.start_pos if token.start_pos is not None else position
        end = token.end_pos if token.end_pos is not None else start + 1
        operand = _conditional_operand(text, start, offsets)
        if operand is not None:
            return operand
        if token.type == "STAR" and start > 0 and text[start - 1] == "*":  # `x ** 2`
            return Diagnostic(
                "E0301", {"token": "**"}, offsets.span(start - 1, end), help=("E0301.power", {})
            )
        expected = _describe_expected(set(error.expected))
        return Diagnostic(
            "E0301",
            {"token": str(token)},
            offsets.span(start, end),
            help=("E0301.expected", {"expected": expected}),
        )
    expected_names: set[str] = set(getattr(error, "expected", ()) or ())
    end = len(text.rstrip())
    assert isinstance(error, UnexpectedToken | UnexpectedEOF)
    return Diagnostic(
        "E0302",
        {},
        offsets.span(max(0, end - 1), end),
        help=("E0301.expected", {"expected": _describe_expected(expected_names)})
        if expected_names
        else None,
    )


# ``1 + if c then 5 else 0``: after an operator, ``if`` (or ``case``) is read
# as a name, and the parser stumbles on the word after it.
_OPERAND_CONDITIONAL = re.compile(
    r"(?P<op>[-+*/<>]=?|[=!]=|\b(?:and|or|not)\b)\s*(?P<kw>\b(?:if|case))\s+$"
)


def _conditional_operand(text: str, start: int, offsets: OffsetMap) -> Diagnostic | None:
    """E0308 when ``if``/``case`` stands as the operand of an operator."""
    found = _OPERAND_CONDITIONAL.search(text, 0, start)
    if found is None:
        return None
    kw_start, kw_end = found.span("kw")
    rest = text[kw_start:].rstrip()
    example = f"{text[:kw_start]}({rest})".strip()
    return Diagnostic(
        "E0308",
        {"keyword": found.group("kw"), "op": found.group("op")},
        offsets.span(kw_start, kw_end),
        help=("E0308.help", {"example": " ".join(example.split())}),
    )


def _unescape(literal: str) -> str:
    body = literal[1:-1]
    out: list[str] = []
    escapes = {"n": "\n", "t": "\t"}
    index = 0
    while index < len(body):
        char = body[index]
        if char == "\\" and index + 1 < len(body):
            nxt = body[index + 1]
            out.append(escapes.get(nxt, nxt))
            index += 2
            continue
        out.append(char)
        index += 1
    return "".join(out)


def _is_keyword(child: object) -> bool:
    return isinstance(child, Token) and child.type in {
        "IF", "THEN", "ELIF", "ELSE", "CASE", "WHEN", "END", "IN", "NOT",
    }  # fmt: skip


@v_args(meta=True)
class _ToAst(Transformer[Token, ast.Expr]):
    """Parse tree -> AST, mapping every position into the rule file."""

    def __init__(self, offsets: OffsetMap) -> None:
        super().__init__()
        self.offsets = offsets

    def _span(self, meta: object) -> Span:
        return self.offsets.span(getattr(meta, "start_pos", 0), getattr(meta, "end_pos", 0))

    def _tok(self, token: Token) -> Span:
        return self.offsets.span(token.start_pos or 0, token.end_pos or 0)

    def number(self, meta: object, children: list[Token]) -> ast.Expr:
        (token,) = children
        return ast.Number(Decimal(str(token)), str(token), self._span(meta))

    def percent(self, meta: object, children: list[Token]) -> ast.Expr:
        (token,) = children
        return ast.Number(Decimal(str(token)[:-1]) / 100, str(token), self._span(meta))

    def string(self, meta: object, children: list[Token]) -> ast.Expr:
        (token,) = children
        return ast.String(_unescape(str(token)), self._span(meta))

    def true(self, meta: object, children: list[Token]) -> ast.Expr:
        return ast.Bool(True, self._span(meta))

    def false(self, meta: object, children: list[Token]) -> ast.Expr:
        return ast.Bool(False, self._span(meta))

    def name(self, meta: object, children: list[Token]) -> ast.Expr:
        (token,) = children
        return ast.Name(str(token), self._span(meta))

    def qualified(self, meta: object, children: list[Token]) -> ast.Expr:
        """``revenue.完成率``: another indicator's let, one dotted name."""
        owner, part = children
        return ast.Name(f"{owner}.{part}", self._span(meta))

    def call(self, meta: object, children: list[object]) -> ast.Expr:
        func = children[0]
        assert isinstance(func, Token)
        args = tuple(c for c in children[1:] if not isinstance(c, Token))
        return ast.Call(str(func), self._tok(func), args, self._span(meta))  # type: ignore[arg-type]

    def unary(self, meta: object, children: list[object]) -> ast.Expr:
        op, operand = children
        assert isinstance(op, Token)
        return ast.Unary(str(op), operand, self._span(meta))  # type: ignore[arg-type]

    def binary(self, meta: object, children: list[object]) -> ast.Expr:
        left, op, right = children
        assert isinstance(op, Token)
        return ast.Binary(str(op), left, right, self._span(meta), self._tok(op))  # type: ignore[arg-type]

    def chain(self, meta: object, children: list[object]) -> ast.Expr:
        operands = tuple(children[0::2])
        ops = tuple(children[1::2])
        return ast.Compare(
            tuple(str(op) for op in ops),
            operands,  # type: ignore[arg-type]
            self._span(meta),
            tuple(self._tok(op) for op in ops),  # type: ignore[arg-type]
        )

    def options(self, meta: object, children: list[object]) -> tuple[ast.Expr, ...]:
        return tuple(c for c in children if not isinstance(c, Token))  # type: ignore[misc]

    def in_test(self, meta: object, children: list[object]) -> ast.Expr:
        item, _, options = children
        return ast.In(item, options, False, self._span(meta))  # type: ignore[arg-type]

    def not_in_test(self, meta: object, children: list[object]) -> ast.Expr:
        item, _, _, options = children
        return ast.In(item, options, True, self._span(meta))  # type: ignore[arg-type]

    def if_expr(self, meta: object, children: list[object]) -> ast.Expr:
        parts = [c for c in children if not _is_keyword(c)]
        branches = [(parts[0], parts[1])]
        for part in parts[2:-1]:
            branches.append(part)  # type: ignore[arg-type]
        return ast.Conditional(tuple(branches), parts[-1], "if", self._span(meta))  # type: ignore[arg-type]

    def elif_part(self, meta: object, children: list[object]) -> tuple[object, object]:
        cond, value = [c for c in children if not _is_keyword(c)]
        return (cond, value)

    when_part = elif_part

    def case_expr(self, meta: object, children: list[object]) -> ast.Expr:
        parts = [c for c in children if not _is_keyword(c)]
        return ast.Conditional(tuple(parts[:-1]), parts[-1], "case", self._span(meta))  # type: ignore[arg-type]
