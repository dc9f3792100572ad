"""``dsl.frozen`` makes the very objects the frozen dataclasses' own
``__init__`` makes (class, equality, hash, repr, pickling, frozen
afterwards), and refuses a class where skipping ``__init__`` could make a
different one."""

from __future__ import annotations

import dataclasses
import pickle
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dsl.frozen import made_by_column, maker
from runtime.inputs.supervision import SupervisionItem

_DAYS = st.dates(date(2015, 1, 1), date(2017, 12, 31))
_TEXT = st.text(max_size=4)
_ITEM = st.tuples(
    _TEXT, _TEXT, _DAYS, _TEXT, _TEXT, _DAYS, st.none() | _DAYS, st.booleans(), _TEXT, _TEXT,
    st.integers(2, 10**6), st.booleans(),
)  # fmt: skip


def _same(made: list[object], expected: list[object]) -> None:
    assert made == expected
    assert [type(i) for i in made] == [type(i) for i in expected]
    assert [repr(i) for i in made] == [repr(i) for i in expected]
    assert [hash(i) for i in made] == [hash(i) for i in expected]
    assert [pickle.loads(pickle.dumps(i)) for i in made] == expected


@settings(max_examples=60, deadline=None)
@given(st.lists(_ITEM, max_size=8))
def test_items_made_a_column_at_a_time_are_the_items(rows: list[tuple[object, ...]]) -> None:
    columns = list(zip(*rows, strict=True)) or [()] * 12
    made = made_by_column(SupervisionItem, len(rows), columns)
    _same(list(made), [SupervisionItem(*row) for row in rows])  # type: ignore[arg-type]


@settings(max_examples=60, deadline=None)
@given(st.lists(_ITEM, max_size=8))
def test_items_made_one_at_a_time_are_the_items(rows: list[tuple[object, ...]]) -> None:
    make = maker(SupervisionItem)
    _same([make(*row) for row in rows], [SupervisionItem(*row) for row in rows])  # type: ignore[arg-type]


@dataclasses.dataclass(frozen=True, slots=True)
class _Point:
    x: int
    y: int = 0


def test_made_objects_stay_frozen_and_keep_defaults() -> None:
    made = maker(_Point)(1)
    assert made == _Point(1) and type(made) is _Point
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.x = 2  # type: ignore[misc]
    assert maker(_Point)(y=3, x=2) == _Point(2, 3)
    assert made_by_column(_Point, 2, [[1, 2], [5, 6]]) == [_Point(1, 5), _Point(2, 6)]
    with pytest.raises(ValueError, match="2 fields, 1 columns"):
        made_by_column(_Point, 1, [[1]])


@dataclasses.dataclass(frozen=True, slots=True)
class _Checked:
    x: int

    def __post_init__(self) -> None:
        if self.x < 0:
            raise ValueError("negative")


@dataclasses.dataclass(frozen=True)
class _Unslotted:
    x: int


@dataclasses.dataclass(slots=True)
class _Unfrozen:
    x: int


@dataclasses.dataclass(frozen=True, slots=True)
class _Factory:
    x: tuple[int, ...] = dataclasses.field(default_factory=tuple)


@dataclasses.dataclass(frozen=True, slots=True)
class _Derived:
    x: int
    y: int = dataclasses.field(init=False, default=0)


@pytest.mark.parametrize(
    ("cls", "rule"),
    [
        (_Checked, "__post_init__"),
        (_Unslotted, "frozen slotted"),
        (_Unfrozen, "frozen slotted"),
        (_Factory, "plain positional"),
        (_Derived, "plain positional"),
        (int, "not a dataclass"),
    ],
)
def test_classes_whose_init_does_more_are_refused(cls: type, rule: str) -> None:
    with pytest.raises(ValueError, match=rule):
        maker(cls)
    with pytest.raises(ValueError, match=rule):
        made_by_column(cls, 0, [])
