"""``runtime.engine.results.replaced``: a result copied with some fields
changed is exactly what ``dataclasses.replace`` makes, whichever fields;
``made`` makes exactly what ``SubjectResult(...)`` makes."""

from __future__ import annotations

import dataclasses
import pickle
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from runtime.engine.results import SubjectResult, made, replaced

FIELDS = [f.name for f in dataclasses.fields(SubjectResult)]
RESULT = SubjectResult(
    "s01", "办公室", "2016Q3", Decimal("91.50"), 3, (), (Decimal(1), None), "data.csv:2",
    base=Decimal("90"), vetoes=("fail",), grade="良好", group="机关科室",
)  # fmt: skip


@given(st.dictionaries(st.sampled_from(FIELDS), st.integers() | st.text(max_size=3), max_size=6))
def test_replaced_is_dataclasses_replace(changes: dict[str, object]) -> None:
    copied = replaced(RESULT, **changes)
    expected = dataclasses.replace(RESULT, **changes)  # type: ignore[arg-type]
    assert [getattr(copied, f) for f in FIELDS] == [getattr(expected, f) for f in FIELDS]
    assert type(copied) is SubjectResult and RESULT.total == Decimal("91.50")


def test_made_is_the_dataclass_own_frozen_object() -> None:
    args = ("s01", "办公室", "2016Q3", Decimal("91.50"), 3, (), (Decimal(1), None), "data.csv:2")
    named: dict[str, object] = {"vetoes": ("fail",), "grade": "良好", "group": "机关科室"}
    found, expected = made(*args, **named), SubjectResult(*args, **named)  # type: ignore[arg-type]
    assert type(found) is SubjectResult
    assert [getattr(found, f) for f in FIELDS] == [getattr(expected, f) for f in FIELDS]
    assert found == expected and hash(found) == hash(expected) and repr(found) == repr(expected)
    assert pickle.loads(pickle.dumps(found)) == expected
    assert dataclasses.replace(found, rank=4) == dataclasses.replace(expected, rank=4)
    with pytest.raises(dataclasses.FrozenInstanceError):
        found.rank = 4  # type: ignore[misc]
    # Every default as the dataclass's (the fields not given above).
    assert made(*args) == SubjectResult(*args)
