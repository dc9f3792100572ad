"""``runtime.render.indented_json`` writes what ``json.dumps(indent=2)`` writes.

The evaluate JSON is written by it (faster, a subject at a time); the golden
files and ``tests/test_scale.py`` check whole documents, this checks the
writer on any value results can hold: nested dicts and lists, empty ones,
text with quotes, backslashes, control characters, CJK and astral characters,
integers, booleans and null.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from runtime.render.indented_json import indented

scalars = st.none() | st.booleans() | st.integers() | st.text()
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.tuples(inner, inner)
        | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=30,
)


@given(values)
def test_the_same_text_as_json_dumps(value: object) -> None:
    assert indented(value) == json.dumps(value, ensure_ascii=False, indent=2)


@given(values, st.integers(min_value=0, max_value=70))
def test_nested_levels_indent_as_json_dumps_does(value: object, level: int) -> None:
    nested: object = value
    for _ in range(level):
        nested = [nested]
    prefix = "".join("[\n" + "  " * (n + 1) for n in range(level))
    suffix = "".join("\n" + "  " * n + "]" for n in reversed(range(level)))
    assert prefix + indented(value, level) + suffix == json.dumps(
        nested, ensure_ascii=False, indent=2
    )


@pytest.mark.parametrize("value", [1.5, {1: "x"}, {"d": object()}])
def test_what_json_would_not_write_the_same_way_is_refused(value: object) -> None:
    with pytest.raises(TypeError):
        indented(value)
