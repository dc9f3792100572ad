"""Static types of the rule language.

Few and simple on purpose: policy staff need to hear "this is text, a number
was needed", not a lecture on type theory.  ``ERROR`` is the type of an
expression that already produced a diagnostic; it is compatible with
everything, so one mistake is reported once, not at every use.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Type:
    kind: str  # number, bool, text, date, period, level, list, error
    enum: str | None = None
    members: tuple[str, ...] = ()
    elem: Type | None = None

    def describe(self) -> tuple[str, dict[str, object]]:
        """A nested message argument naming this type in the reader's language."""
        if self.kind == "level":
            return ("type.level", {"enum": self.enum})
        if self.kind == "list":
            assert self.elem is not None
            return ("type.list", {"elem": self.elem.describe()})
        if self.kind == "error":
            return ("type.any", {})
        return (f"type.{self.kind}", {})

    def __str__(self) -> str:
        if self.kind == "level":
            return f"level({self.enum})"
        if self.kind == "list":
            return f"list({self.elem})"
        return self.kind


NUMBER = Type("number")
BOOL = Type("bool")
TEXT = Type("text")
DATE = Type("date")
PERIOD = Type("period")
ERROR = Type("error")


def level(enum: str, members: tuple[str, ...]) -> Type:
    return Type("level", enum=enum, members=members)


def list_of(elem: Type) -> Type:
    return Type("list", elem=elem)


def compatible(a: Type, b: Type) -> bool:
    """Whether values of ``a`` and ``b`` can be compared or share a branch."""
    if a.kind == "error" or b.kind == "error":
        return True
    return a == b


# Input kinds: how a data field is read and validated; all numeric kinds are NUMBER.
NUMERIC_KINDS = ("number", "integer", "percent", "money", "count")
SCALAR_KINDS = {**{k: NUMBER for k in NUMERIC_KINDS}, "bool": BOOL, "text": TEXT, "date": DATE}
