"""Frozen slotted dataclasses made without their ``__init__``.

A frozen dataclass's ``__init__`` sets every field through
``object.__setattr__`` (about 0.1 µs a field, seven times what a plain
dataclass's assignment takes), and a large evaluation makes hundreds of
thousands of records at a time: a result per subject several times over
(stage 1, consequences attached, sanctions, roll-ups), a supervision item
per row.  Two ways around it, each giving the very object ``cls(...)``
gives (same class, fields, equality, hash, pickling; frozen afterwards):

* ``maker(cls)``: one object at a time.  An unfrozen twin with the same
  fields and slots is filled by its plain ``__init__`` and then given the
  frozen class, which Python allows between classes of the same layout.
* ``made_by_column(cls, size, columns)``: many at once, each slot set a
  column at a time through its descriptor.

Both take only classes where skipping ``__init__`` cannot change the
object: frozen, slotted, every field set by ``__init__``, no
``__post_init__``, no field made by a factory (``_check`` says which rule a
class breaks).  Lives below the compiler so that the data readers and the
engine share it.
"""

from __future__ import annotations

import dataclasses
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from itertools import repeat
from typing import Any, TypeVar, cast

T = TypeVar("T")


def _check(cls: type[Any]) -> tuple[dataclasses.Field[Any], ...]:
    """The class's fields, once it is certain that skipping ``__init__``
    makes the same object (ValueError naming the rule broken)."""
    if not dataclasses.is_dataclass(cls):
        raise ValueError(f"{cls.__name__} is not a dataclass")
    params = cls.__dataclass_params__  # type: ignore[attr-defined]
    if not params.frozen or "__slots__" not in cls.__dict__:
        raise ValueError(f"{cls.__name__} is not a frozen slotted dataclass")
    if hasattr(cls, "__post_init__"):
        raise ValueError(f"{cls.__name__} has a __post_init__")
    fields = dataclasses.fields(cls)
    for field in fields:
        if not field.init or field.kw_only or field.default_factory is not dataclasses.MISSING:
            raise ValueError(f"{cls.__name__}.{field.name} is not a plain positional field")
    if tuple(cls.__dict__["__slots__"]) != tuple(f.name for f in fields):
        raise ValueError(f"{cls.__name__} has slots besides its fields")
    return fields


def maker(cls: type[T]) -> Callable[..., T]:
    """A function equal to ``cls`` as a constructor, at about a third of
    its cost for a class of twenty fields."""
    fields = _check(cls)
    twin = dataclasses.make_dataclass(
        f"_Unfrozen{cls.__name__}",
        [(f.name, f.type, dataclasses.field(default=f.default)) for f in fields],
        slots=True,
    )

    def make(*values: object, **named: object) -> T:
        made = twin(*values, **named)
        made.__class__ = cls
        return cast(T, made)

    make.__doc__ = f"``{cls.__name__}(*values, **named)``, made without its frozen __init__."
    return make


def made_by_column(cls: type[T], size: int, columns: Sequence[Iterable[object]]) -> list[T]:
    """``size`` objects of ``cls`` from their fields a column at a time
    (every field, in the order ``cls(...)`` takes them; each column at
    least ``size`` long)."""
    fields = _check(cls)
    if len(columns) != len(fields):
        raise ValueError(f"{cls.__name__} has {len(fields)} fields, {len(columns)} columns given")
    made: list[T] = list(map(object.__new__, repeat(cls, size)))
    for field, column in zip(fields, columns, strict=True):
        deque(map(cls.__dict__[field.name].__set__, made, column), maxlen=0)
    return made
