"""The formula grammar is conflict-free LALR with no colliding terminals.

Checked here once (``strict=True`` needs a fifth of a second) rather than on
every start-up; the parser the tool uses is built from the same text."""

from __future__ import annotations

from importlib import resources

from dsl.expressions import build_parser


def test_grammar_is_strict_lalr() -> None:
    grammar = resources.files("dsl").joinpath("expression.lark").read_text(encoding="utf-8")
    parser = build_parser(grammar, strict=True)
    assert parser.parse("if 60 <= x < 80 then -a * b else max(0, 85%)") is not None
