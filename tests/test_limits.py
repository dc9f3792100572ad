"""Bounded inputs: file size, YAML nesting and alias expansion, formula length
and nesting.  Each limit ends in our own located diagnostic."""

from __future__ import annotations

from dsl.diagnostics import render_all
from dsl.expressions import MAX_DEPTH, MAX_FORMULA_CHARS, parse_expression
from dsl.spans import OffsetMap, SourceFile
from dsl.yamlsource import MAX_FILE_CHARS, load_yaml


def _formula(text: str) -> list[str]:
    file = SourceFile("f.yaml", text)
    _, problems = parse_expression(text, OffsetMap(file, text, 0, len(text)))
    return [d.code for d in problems]


def test_billion_laughs_is_rejected_with_a_clear_message() -> None:
    levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        levels.append(f"{name}: &{name} [{','.join(['*' + prev] * 9)}]")
    text = "\n".join(levels) + "\n"
    root, problems = load_yaml(SourceFile("laughs.yaml", text))
    assert root is None
    assert [d.code for d in problems] == ["E0104"]
    assert render_all(problems, "en", "concise") == (
        "laughs.yaml:6:8: error[E0104]: YAML expands to too many nodes (limit 100000): "
        "a very large file, or nested aliases (*) "
        "(help: split a very large file into several files listed in `files:`; "
        "do not multiply content through aliases)"
    )


def test_self_referencing_alias_is_rejected() -> None:
    _, problems = load_yaml(SourceFile("self.yaml", "a: &x [1, *x]\n"))
    assert [d.code for d in problems] == ["E0109"]


def test_deep_yaml_nesting_is_rejected() -> None:
    text = "[" * 5000 + "]" * 5000
    root, problems = load_yaml(SourceFile("deep.yaml", text))
    assert root is None
    assert [d.code for d in problems] == ["E0106"]
    # Our limit (64) or, with a newer libyaml, its own (1000) stops the descent.
    assert problems[0].span is not None and problems[0].span.column in (65, 1001)


def test_huge_file_is_rejected() -> None:
    _, problems = load_yaml(SourceFile("big.yaml", "#" * (MAX_FILE_CHARS + 1)))
    assert [d.code for d in problems] == ["E0103"]


def test_long_and_deep_formulas_are_rejected() -> None:
    assert _formula("1" + " + 1" * MAX_FORMULA_CHARS) == ["E0304"]
    assert (
        _formula("(" * (MAX_DEPTH + 5) + "1" + ")" * (MAX_DEPTH + 5)) == []
    )  # parentheses add no depth
    assert _formula("-" * (MAX_DEPTH + 5) + "1") == ["E0305"]
    assert _formula(" + ".join(["1"] * (MAX_DEPTH + 5))) == ["E0305"]
    assert _formula(" + ".join(["1"] * (MAX_DEPTH - 5))) == []


def test_yaml_guesses_are_not_made() -> None:
    text = "a: yes\nb: 2016-04-01\nc: 1_000\nd: 0.50\ne: 85%\nf: true\ng: ~\nh: 012\n"
    root, problems = load_yaml(SourceFile("plain.yaml", text))
    assert problems == []
    from decimal import Decimal

    from dsl.yamlsource import to_plain

    assert to_plain(root) == {
        "a": "yes", "b": "2016-04-01", "c": "1_000", "d": Decimal("0.50"), "e": "85%",
        "f": True, "g": None, "h": 12,
    }  # fmt: skip
