"""Hypothesis strategies for the property tests.

Three families:

* expressions: random *well-typed* formula ASTs (built directly as ``dsl.ast``
  nodes with a dummy span) over a fixed set of declared names, and their text
  through ``dsl.pretty``;
* rule sets: whole small rule sets as YAML texts (manifest, levels, inputs,
  values, indicators scored by formulas / level tables / deductions / machine
  values, collections and a total) with random input rows (zeros, huge
  values, absent exempt inputs);
* malformed text: random characters and mutations (characters, number
  tokens, names, whole lines) of valid formulas and rule files.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Protocol, TypeVar

from hypothesis import strategies as st

from compiler import ir
from dsl import ast
from dsl.pretty import pretty
from dsl.spans import SourceFile, Span
from semantics.builtins import GROUP_FUNCTIONS
from semantics.rounding import ROUNDING_MODES

# Every generated node carries this span; comparisons strip spans anyway.
NOSPAN = Span(SourceFile("<generated>", ""), 0, 0)

# -- expressions ------------------------------------------------------------------

# The fixed set of declared number inputs of bare formulas (Chinese and ASCII).
NUMBER_INPUTS = ("实际入库", "收入计划", "完成率", "x", "base_amount", "得分2", "_tmp", "Rate")
BOOL_INPUTS = ("是否达标", "flag")
LEVEL_INPUTS = (("评价", ("好", "较好", "一般", "差")), ("grade", ("A", "B", "C")))

UPS = ("<", "<=")
DOWNS = (">", ">=")
COMPARISONS = ("==", "!=", "<", "<=", ">", ">=")


@dataclass(frozen=True)
class Env:
    """The names a formula may read, by type."""

    numbers: tuple[str, ...] = NUMBER_INPUTS
    bools: tuple[str, ...] = ()
    levels: tuple[tuple[str, tuple[str, ...]], ...] = ()
    dates: tuple[str, ...] = ()  # date inputs (with them, period_start/period_end)


FORMULA_ENV = Env(NUMBER_INPUTS, BOOL_INPUTS, LEVEL_INPUTS)
NUMBERS_ONLY_ENV = Env(NUMBER_INPUTS)


def number_node(text: str) -> ast.Number:
    """A number literal as the parser builds it from ``text`` (``85%`` is 0.85)."""
    value = Decimal(text[:-1]) / 100 if text.endswith("%") else Decimal(text)
    return ast.Number(value, text, NOSPAN)


_NUMBER_TEXTS = st.one_of(
    st.integers(0, 120).map(str),
    st.sampled_from(["0", "0", "0.0", "1", "100", "0.5", "007", "2.50", "0.000"]),
    st.tuples(st.integers(0, 999), st.integers(0, 999)).map(lambda t: f"{t[0]}.{t[1]}"),
    st.integers(0, 150).map(lambda n: f"{n}%"),
    st.tuples(st.integers(0, 100), st.integers(0, 99)).map(lambda t: f"{t[0]}.{t[1]}%"),
    st.sampled_from(
        ["12345678901234567890123456789012345678", "99999999999999999999.5", "0.000000001", "1000%"]
    ),
)


def number_literals() -> st.SearchStrategy[ast.Expr]:
    return _NUMBER_TEXTS.map(number_node)


def _name(name: str) -> ast.Expr:
    return ast.Name(name, NOSPAN)


def _unary(op: str) -> Callable[[ast.Expr], ast.Expr]:
    return lambda operand: ast.Unary(op, operand, NOSPAN)


def _binary(parts: tuple[str, ast.Expr, ast.Expr]) -> ast.Expr:
    op, left, right = parts
    return ast.Binary(op, left, right, NOSPAN, NOSPAN)


def _compare(ops: Sequence[str], operands: Sequence[ast.Expr]) -> ast.Expr:
    return ast.Compare(tuple(ops), tuple(operands), NOSPAN, tuple(NOSPAN for _ in ops))


def _call(func: str, args: Sequence[ast.Expr]) -> ast.Expr:
    return ast.Call(func, NOSPAN, tuple(args), NOSPAN)


def _string(value: str) -> ast.Expr:
    return ast.String(value, NOSPAN)


@st.composite
def _comparison_chains(draw: st.DrawFn, operand: st.SearchStrategy[ast.Expr]) -> ast.Expr:
    """``a op b`` with any operator, or a chain ``60 <= x < 80`` (all up or all down)."""
    length = draw(st.integers(1, 3))
    if length == 1:
        ops = [draw(st.sampled_from(COMPARISONS))]
    else:
        direction = draw(st.sampled_from([UPS, DOWNS]))
        ops = draw(st.lists(st.sampled_from(direction), min_size=length, max_size=length))
    operands = draw(st.lists(operand, min_size=len(ops) + 1, max_size=len(ops) + 1))
    return _compare(ops, operands)


@st.composite
def _conditionals(
    draw: st.DrawFn, condition: st.SearchStrategy[ast.Expr], value: st.SearchStrategy[ast.Expr]
) -> ast.Expr:
    form = draw(st.sampled_from(["if", "case"]))
    branches = draw(st.lists(st.tuples(condition, value), min_size=1, max_size=3))
    return ast.Conditional(tuple(branches), draw(value), form, NOSPAN)


@st.composite
def _calls(draw: st.DrawFn, number: st.SearchStrategy[ast.Expr]) -> ast.Expr:
    func = draw(
        st.sampled_from(["min", "max", "clamp", "abs", "round", "safe_div", "median", "power"])
    )
    if func in ("min", "max", "median"):
        return _call(func, draw(st.lists(number, min_size=2, max_size=4)))
    if func == "power":
        # Whole exponents (exact), a fractional one (a root: a negative base
        # faults), or any expression (a huge exponent faults too).
        exponent = draw(st.one_of(st.sampled_from(POWER_EXPONENTS).map(number_node), number))
        return _call(func, [draw(number), exponent])
    if func in ("clamp", "safe_div"):
        return _call(func, draw(st.lists(number, min_size=3, max_size=3)))
    if func == "abs":
        return _call(func, [draw(number)])
    args = [draw(number), number_node(str(draw(st.integers(0, 10))))]
    if draw(st.booleans()):
        args.append(_string(draw(st.sampled_from(ROUNDING_MODES))))
    return _call("round", args)


# Date literals: mostly inside the working-day calendar (2016, with its
# National Day make-up weekend), sometimes a leap day, sometimes a year no
# calendar covers (fault E0840 in working-day calls, fine for calendar days).
_DATE_TEXTS = st.one_of(
    st.integers(0, 400).map(lambda n: (date(2016, 1, 1) + timedelta(days=n)).isoformat()),
    st.sampled_from(["2016-10-08", "2016-09-30", "2016/10/9", "2016年2月29日", "2099-01-01"]),
)


def _date_literals() -> st.SearchStrategy[ast.Expr]:
    return _DATE_TEXTS.map(lambda text: _call("date", [_string(text)]))


@functools.cache
def _date_exprs(env: Env, depth: int) -> st.SearchStrategy[ast.Expr]:
    """Date-valued expressions: date inputs, the period's days, literals, moved dates."""
    names = st.sampled_from((*env.dates, "period_start", "period_end")).map(_name)
    leaves = st.one_of(names, names, _date_literals())
    if depth <= 0:
        return leaves
    date_expr = _date_exprs(env, depth - 1)
    # Day counts of any size: huge ones fault (E0840 or E0842), fractions E0842.
    days = st.one_of(
        st.integers(-30, 30).map(
            lambda n: number_node(str(n)) if n >= 0 else _unary("-")(number_node(str(-n)))
        ),
        _number_exprs(dataclasses.replace(env, dates=()), 0),
    )
    moved = st.tuples(st.sampled_from(["add_days", "add_working_days"]), date_expr, days).map(
        lambda t: _call(t[0], [t[1], t[2]])
    )
    return st.one_of(leaves, moved, _conditionals(_bool_exprs(env, 0), date_expr))


def date_exprs(env: Env, depth: int = 2) -> st.SearchStrategy[ast.Expr]:
    """Random date-valued expressions over ``env`` (which must declare dates)."""
    return _date_exprs(env, depth)


@st.composite
def _date_numbers(draw: st.DrawFn, env: Env, depth: int) -> ast.Expr:
    """``days_between(a, b)`` or ``working_days_between(a, b)``."""
    func = draw(st.sampled_from(["days_between", "working_days_between"]))
    dates = _date_exprs(env, max(depth - 1, 0))
    return _call(func, [draw(dates), draw(dates)])


@st.composite
def _date_conditions(draw: st.DrawFn, env: Env, depth: int) -> ast.Expr:
    """A comparison of dates or ``is_working_day(d)``."""
    dates = _date_exprs(env, max(depth - 1, 0))
    if draw(st.booleans()):
        return _call("is_working_day", [draw(dates)])
    return _compare([draw(st.sampled_from(COMPARISONS))], [draw(dates), draw(dates)])


@st.composite
def _number_membership(draw: st.DrawFn, number: st.SearchStrategy[ast.Expr]) -> ast.Expr:
    options = draw(st.lists(number, min_size=0, max_size=3))
    return ast.In(draw(number), tuple(options), draw(st.booleans()), NOSPAN)


@st.composite
def _level_tests(draw: st.DrawFn, levels: tuple[tuple[str, tuple[str, ...]], ...]) -> ast.Expr:
    """``评价 == "好"``, ``"好" != 评价`` or ``评价 in ["好", "较好"]``."""
    name, members = draw(st.sampled_from(levels))
    if draw(st.booleans()):
        options = draw(st.lists(st.sampled_from(members), min_size=1, max_size=3))
        return ast.In(_name(name), tuple(map(_string, options)), draw(st.booleans()), NOSPAN)
    operands = [_name(name), _string(draw(st.sampled_from(members)))]
    if draw(st.booleans()):
        operands.reverse()
    return _compare([draw(st.sampled_from(["==", "!="]))], operands)


def number_exprs(env: Env = NUMBERS_ONLY_ENV, depth: int = 3) -> st.SearchStrategy[ast.Expr]:
    """Random well-typed number-valued expressions over ``env``.

    With ``depth`` > 0 the root is an operator, a call or a conditional (a
    formula that is a bare literal or name tests little); below it, any
    expression of lower depth.
    """
    return _number_exprs(env, depth, True)


def bool_exprs(env: Env = NUMBERS_ONLY_ENV, depth: int = 3) -> st.SearchStrategy[ast.Expr]:
    """Random well-typed condition expressions over ``env`` (compound root if depth > 0)."""
    return _bool_exprs(env, depth, True)


@functools.cache
def _number_exprs(env: Env, depth: int, root: bool = False) -> st.SearchStrategy[ast.Expr]:
    leaves: list[st.SearchStrategy[ast.Expr]] = []
    if env.numbers:
        names = st.sampled_from(env.numbers).map(_name)
        leaves += [names, names]  # formulas mostly read inputs
    leaves.append(number_literals())
    if depth <= 0:
        return st.one_of(leaves)
    number = _number_exprs(env, depth - 1)
    condition = _bool_exprs(env, depth - 1)
    # Hypothesis prefers the first branches: the most telling ones come first.
    compound = [
        st.tuples(st.sampled_from(["/", "+", "-", "*", "/"]), number, number).map(_binary),
        _conditionals(condition, number),
        _calls(number),
        number.map(_unary("-")),
    ]
    if env.dates:
        compound.append(_date_numbers(env, depth))
    return st.one_of(*compound) if root else st.one_of(*leaves, *compound)


@functools.cache
def _bool_exprs(env: Env, depth: int, root: bool = False) -> st.SearchStrategy[ast.Expr]:
    simple_number = _number_exprs(env, 0)
    leaves: list[st.SearchStrategy[ast.Expr]] = [
        st.booleans().map(lambda value: ast.Bool(value, NOSPAN)),
        _comparison_chains(simple_number),
    ]
    if env.bools:
        leaves.append(st.sampled_from(env.bools).map(_name))
    if env.levels:
        leaves.append(_level_tests(env.levels))
    if depth <= 0:
        return st.one_of(leaves)
    number = _number_exprs(env, depth - 1)
    condition = _bool_exprs(env, depth - 1)
    compound = [
        _comparison_chains(number),
        _number_membership(number),
        condition.map(_unary("not")),
        st.tuples(st.sampled_from(["and", "or"]), condition, condition).map(_binary),
        # bool == bool, and a condition-valued conditional
        st.tuples(st.sampled_from(["==", "!="]), condition, condition).map(
            lambda t: _compare([t[0]], [t[1], t[2]])
        ),
        _conditionals(condition, condition),
    ]
    if env.dates:
        compound.append(_date_conditions(env, depth))
    return st.one_of(*compound) if root else st.one_of(*leaves, *compound)


NAME_PATTERN = re.compile(r"[^\W\d]\w*")
_KEYWORDS = frozenset(
    {"if", "then", "elif", "else", "case", "when", "end", "or", "and", "not", "in", "true", "false"}
)


def any_names() -> st.SearchStrategy[str]:
    """Any identifier the grammar accepts (any script), keywords excluded."""
    return st.text(min_size=1, max_size=6).filter(
        lambda text: NAME_PATTERN.fullmatch(text) is not None and text not in _KEYWORDS
    )


@st.composite
def names_and_strings(draw: st.DrawFn) -> ast.Expr:
    """``name == "any text"`` / ``name in ["...", ...]``: quoting and identifiers."""
    name = _name(draw(any_names()))
    texts = draw(st.lists(st.text(max_size=8).map(_string), min_size=1, max_size=3))
    if draw(st.booleans()):
        return ast.In(name, tuple(texts), draw(st.booleans()), NOSPAN)
    return _compare(["=="], [name, texts[0]])


def formula_texts(env: Env = FORMULA_ENV, depth: int = 3) -> st.SearchStrategy[str]:
    """Canonical texts of random well-typed formulas."""
    return st.one_of(number_exprs(env, depth), bool_exprs(env, depth)).map(pretty)


# -- rule sets --------------------------------------------------------------------

ENUMS = {"评价档次": ("好", "较好", "一般", "差"), "grade": ("A", "B", "C")}
GLOBAL_NUMBER_NAMES = (
    "实际入库", "收入计划", "督办事项", "按期办结", "违纪次数", "x", "y", "base_amount",
    "count_a", "得分2", "_tmp", "Rate",
)  # fmt: skip
OWN_INPUT_NAMES = (
    "采用篇数", "迟报次数", "漏报次数", "参训率", "信访事件", "own_a", "own_b", "机考得分",
    "z1", "件数",
)  # fmt: skip
VALUE_NAMES = ("完成率", "办结率", "系数", "adj", "基数", "bonus_value")
LET_NAMES = ("比率", "差额", "r", "t1", "余量")
BOOL_NAMES = ("是否达标", "flag")
DATE_NAMES = ("截止日期", "报送日期", "due")
LEVEL_INPUT_NAMES = ("依法行政评价", "机关管理评价", "rating", "评级")
INDICATOR_IDS = ("revenue", "质量", "integrity", "培训", "stability", "宣传", "ind_7")
NUMBER_KINDS = ("number", "money", "count", "percent", "integer")
POINTS = ("10", "20", "5", "15", "7.5", "0.5", "100")
SHARES = ("100%", "85%", "70%", "50%", "0", "1", "0.6", "33.3%")
GROUP_CALLS = tuple(name for name, g in GROUP_FUNCTIONS.items() if 1 in g.arity)
POWER_EXPONENTS = ("0", "1", "2", "3", "0.5", "1.5")
TOTAL_TEMPLATES = (
    "sum(C)",
    "count(C, 项 >= 5) + sum(C, 项 > 0) - median(C)",
    "if all(C, 项 >= 0) and not any(C, 项 == 3) then max(C, 项 < 50) else median(C, 项 != 0)",
    "avg(C, 项 > 1) + min(C, power(项, 2) >= 4)",
    "avg(C)",
    "max(C) - min(C)",
    "sum(C) / count(C)",
    'round(sum(C) * 100 / (count(C) + 1), 2, "half_even")',
    "sum(C) + (E)",
)


@dataclass
class RuleSetCase:
    """A generated rule set (file name -> YAML text) and input rows for it.

    A row maps every input name to its value as the data loader would hand
    it over (``None`` only for inputs whose absence is ``exempt``).
    """

    files: dict[str, str]
    rows: list[dict[str, object]] = field(default_factory=list)

    def dump(self) -> str:
        texts = "\n".join(f"--- {name}\n{text}" for name, text in self.files.items())
        return texts + "\n--- rows\n" + "\n".join(map(repr, self.rows))


@dataclass
class _Scope:
    numbers: list[str] = field(default_factory=list)
    bools: list[str] = field(default_factory=list)
    levels: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)
    dates: list[str] = field(default_factory=list)

    def env(self) -> Env:
        return Env(tuple(self.numbers), tuple(self.bools), tuple(self.levels), tuple(self.dates))

    def copy(self) -> _Scope:
        return _Scope(list(self.numbers), list(self.bools), list(self.levels), list(self.dates))


T = TypeVar("T")


class Draw(Protocol):
    """A draw function: ``st.DrawFn`` in a ``@st.composite`` or ``st.DataObject.draw``.

    (``st.DrawFn`` itself also declares ``__signature__``, which a bound method lacks.)
    """

    def __call__(self, strategy: st.SearchStrategy[T], label: object = None, /) -> T: ...


class YamlWriter:
    """A tiny YAML writer with a choice of scalar styles for formulas."""

    def __init__(self, draw: Draw) -> None:
        self.draw = draw
        self.lines: list[str] = []

    def line(self, text: str) -> None:
        self.lines.append(text)

    def formula(self, indent: int, key: str, text: str) -> None:
        pad = " " * indent
        style = self.draw(st.sampled_from(["plain", "double", "single", "block", "folded"]))
        if style == "plain" and _plain_ok(text):
            self.line(f"{pad}{key}: {text}")
        elif style == "single":
            self.line(f"{pad}{key}: '{text.replace(chr(39), chr(39) * 2)}'")
        elif style == "block":
            # Break the formula over lines at some spaces (strings hold no spaces).
            words = text.split(" ")
            lines: list[str] = [words[0]]
            for word in words[1:]:
                if self.draw(st.integers(0, 4)) == 0:
                    lines.append(word)
                else:
                    lines[-1] += " " + word
            self.line(f"{pad}{key}: |")
            self.lines.extend(f"{pad}  {part}" for part in lines)
        elif style == "folded":
            self.line(f"{pad}{key}: >-")
            self.line(f"{pad}  {text}")
        else:
            self.line(f"{pad}{key}: {json.dumps(text, ensure_ascii=False)}")

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


_PLAIN_BAD_START = tuple("-?:,[]{}#&*!|>'\"%@`")


def _plain_ok(text: str) -> bool:
    """Whether ``text`` can be a plain YAML scalar that stays the same string."""
    if not text or text.startswith(_PLAIN_BAD_START) or ": " in text or " #" in text:
        return False
    if text.endswith(":") or text != text.strip():
        return False
    # Plain scalars that YAML resolves to numbers, booleans or null would not
    # come back as the same formula text.
    return not re.fullmatch(r"[-+]?[0-9.]+|true|false|True|False|TRUE|FALSE|null|~", text)


# -- input values -------------------------------------------------------------------

_SPECIAL_NUMBERS = [
    Decimal(0), Decimal(0), Decimal("0.00"), Decimal("-0"), Decimal(1), Decimal(-1),
    Decimal("0.5"), Decimal(100), Decimal("1E+30"), Decimal("-1E+30"), Decimal("1E-30"),
    Decimal("9.99E+999998"), Decimal("1E+40"), Decimal("123456789012345678901234567890.123"),
]  # fmt: skip

_NUMBERS = st.one_of(
    st.just(Decimal(0)),  # division by zero
    st.sampled_from(_SPECIAL_NUMBERS),
    st.integers(-1000, 1000).map(Decimal),
    st.decimals(min_value=-(10**6), max_value=10**6, places=3, allow_nan=False),
)
OUTSIDE_LEVEL = "不在档次中"
# Date cells as the loader hands them over: 2015-2017 mostly, sometimes a
# year the working-day calendar does not cover.
_DATE_VALUES = st.one_of(
    st.integers(0, 3 * 366).map(lambda n: date(2015, 1, 1) + timedelta(days=n)),
    st.sampled_from([date(2016, 10, 8), date(2016, 10, 1), date(2003, 12, 31), date(2099, 6, 1)]),
)
_COUNTS = st.one_of(st.just(Decimal(0)), st.integers(0, 20).map(Decimal), _NUMBERS)


def _values(
    kind: str, members: tuple[str, ...], missing: str, default: object
) -> st.SearchStrategy[object]:
    """Values the data loader could hand over for an input.

    Numbers include zero (division by zero), huge and tiny values (decimal
    overflow and rounding faults); ``None`` only for inputs whose absence is
    ``exempt`` (the loader fills defaults and rejects other empty cells).
    """
    base: st.SearchStrategy[object]
    if kind in ("count", "integer"):
        base = _COUNTS
    elif kind in NUMBER_KINDS:
        base = _NUMBERS
    elif kind == "bool":
        base = st.booleans()
    elif kind == "date":
        base = _DATE_VALUES
    elif kind == "level":
        # Rarely a level outside the enumeration: the loader rejects it, but
        # callers of the evaluators' API may pass one (fault E0704).
        base = st.sampled_from((*members, OUTSIDE_LEVEL))
    else:  # pragma: no cover - the generators declare no other kinds
        raise AssertionError(f"no values for {kind}")
    if missing == "exempt":
        return st.one_of(st.none(), base)
    if missing == "default":
        return st.one_of(st.just(default), base)
    return base


def input_values(input_field: ir.InputField) -> st.SearchStrategy[object]:
    """Values for one input of a compiled program."""
    kind = input_field.kind if input_field.kind != "level" else "level"
    return _values(kind, input_field.type.members, input_field.missing, input_field.default)


def input_rows(program: ir.Program) -> st.SearchStrategy[tuple[object, ...]]:
    """One subject's inputs, ordered as ``program.inputs``."""
    return st.tuples(*(input_values(f) for f in program.inputs))


class _Inputs:
    """Declared inputs: their YAML lines and how to draw their values."""

    def __init__(self, draw: st.DrawFn) -> None:
        self.draw = draw
        self.values: dict[str, st.SearchStrategy[object]] = {}

    def number(self, name: str, indent: int) -> tuple[str, str]:
        """Declare a number input; returns (YAML line, missing policy)."""
        draw = self.draw
        kind = draw(st.sampled_from(NUMBER_KINDS))
        policy = draw(st.sampled_from(["error", "default", "exempt"]))
        default: Decimal | None = None
        if policy == "error" and draw(st.booleans()):
            spec = kind
        else:
            parts = [f"type: {kind}"]
            if policy == "exempt":
                parts.append("missing: exempt")
            elif policy == "default":
                text = draw(st.sampled_from(["0", "1", "2.5", "100"]))
                default = Decimal(text)
                parts.append(f"default: {text}")
            if draw(st.integers(0, 3)) == 0:
                parts.append("min: 0")
            if draw(st.integers(0, 3)) == 0:
                parts.append("max: 1000000")
            spec = "{" + ", ".join(parts) + "}"
        self.values[name] = _values(kind, (), policy, default)
        return f"{' ' * indent}{name}: {spec}", policy

    def boolean(self, name: str, indent: int) -> str:
        spec = self.draw(st.sampled_from(["bool", "{type: bool, default: false}", "{type: bool}"]))
        policy = "default" if "default" in spec else "error"
        self.values[name] = _values("bool", (), policy, False)
        return f"{' ' * indent}{name}: {spec}"

    def date(self, name: str, indent: int) -> str:
        spec = self.draw(st.sampled_from(["date", "{type: date}"]))
        self.values[name] = _values("date", (), "error", None)
        return f"{' ' * indent}{name}: {spec}"

    def level(self, name: str, enum: str, indent: int) -> tuple[str, str]:
        policy = self.draw(st.sampled_from(["error", "default", "exempt"]))
        default = self.draw(st.sampled_from(ENUMS[enum]))
        if policy == "error":
            spec = f"level({enum})"
        elif policy == "exempt":
            spec = f"{{type: level({enum}), missing: exempt}}"
        else:
            spec = f"{{type: level({enum}), default: {default}}}"
        self.values[name] = _values("level", ENUMS[enum], policy, default)
        return f"{' ' * indent}{name}: {spec}", policy


@st.composite
def rule_sets(
    draw: st.DrawFn,
    *,
    exempt_values: bool = True,
    depth: int = 2,
    max_rows: int = 4,
    sanctions: bool = False,
    groups: bool = False,
) -> RuleSetCase:
    """A whole small rule set that compiles without errors, with input rows.

    ``exempt_values``: whether rule-set ``values`` and the ``total`` formula may
    read inputs declared ``missing: exempt`` (indicator formulas always may).
    ``sanctions``: add a veto item raised by a generated condition over the
    rule set's names (``raised_by``), gated or not by ``when``, with a
    sanction's outcome; rows then give its occurrence count.

    ``groups``: the rows are the sections of an organization in one or two
    groups (row ``n`` is section ``s<n>``, ``RuleSetCase.subjects``), and
    formulas read group functions, in two or three stages.
    """
    names = iter(draw(st.permutations(GLOBAL_NUMBER_NAMES)))
    own_names = iter(draw(st.permutations(OWN_INPUT_NAMES)))
    let_pool = draw(st.permutations(LET_NAMES))
    enums = draw(st.lists(st.sampled_from(sorted(ENUMS)), max_size=2, unique=True))
    inputs = _Inputs(draw)

    manifest = YamlWriter(draw)
    manifest.line(f"# generated rule set {draw(st.integers(0, 9999))}")
    manifest.line("scheme: 生成的规则集")
    manifest.line('version: "1.0"')
    manifest.line("year: 2024")
    if draw(st.booleans()):
        manifest.line(f"places: {draw(st.integers(0, 4))}")
    if draw(st.booleans()):
        manifest.line(f"rounding: {draw(st.sampled_from(ROUNDING_MODES))}")
    if draw(st.integers(0, 3)) == 0:
        manifest.line(f"full_marks: {draw(st.sampled_from(['100', '50', '120.5']))}")

    sections = YamlWriter(draw)
    if enums:
        sections.line("levels:")
        for enum in enums:
            sections.line(f"  {enum}: [{', '.join(ENUMS[enum])}]")

    # Rule-set inputs.
    scope = _Scope()  # every global name
    safe = _Scope()  # global names whose value is never absent
    sections.line("inputs:")
    global_inputs: list[str] = []
    for _ in range(draw(st.integers(1, 4))):
        name = next(names)
        line, policy = inputs.number(name, 2)
        sections.line(line)
        scope.numbers.append(name)
        global_inputs.append(name)
        if policy != "exempt":
            safe.numbers.append(name)
    for name in draw(st.lists(st.sampled_from(BOOL_NAMES), max_size=2, unique=True)):
        sections.line(inputs.boolean(name, 2))
        scope.bools.append(name)
        safe.bools.append(name)
    for name in draw(st.lists(st.sampled_from(DATE_NAMES), max_size=2, unique=True)):
        sections.line(inputs.date(name, 2))
        scope.dates.append(name)
        safe.dates.append(name)
    level_names = iter(draw(st.permutations(LEVEL_INPUT_NAMES)))
    for enum in enums:
        if draw(st.booleans()):
            name = next(level_names)
            line, policy = inputs.level(name, enum, 2)
            sections.line(line)
            scope.levels.append((name, ENUMS[enum]))
            if policy != "exempt":
                safe.levels.append((name, ENUMS[enum]))

    # Values: each reads inputs and earlier values.
    value_names = draw(
        st.lists(st.sampled_from(VALUE_NAMES), min_size=int(exempt_values), max_size=3, unique=True)
    )
    if value_names:
        sections.line("values:")
    readable = scope if exempt_values else safe
    for name in value_names:
        is_bool = draw(st.integers(0, 3)) == 0
        strategy = bool_exprs if is_bool else number_exprs
        env = readable.env()
        if exempt_values:  # read the inputs that may be absent more often
            absent = tuple(n for n in scope.numbers if n not in safe.numbers)
            env = dataclasses.replace(env, numbers=absent * 2 + env.numbers)
        sections.formula(2, name, pretty(draw(strategy(env, depth))))
        for target in {id(scope): scope, id(readable): readable}.values():
            (target.bools if is_bool else target.numbers).append(name)

    # A value asking whether an input that may be absent is there (always
    # allowed: present and fallback make absence a value, not a fault).
    maybe_absent = [n for n in scope.numbers if n not in safe.numbers and n in global_inputs]
    if len(maybe_absent) > 0 and draw(st.booleans()):
        name = draw(st.sampled_from(maybe_absent))
        other = pretty(draw(number_exprs(safe.env(), 1)))
        if not value_names:
            sections.line("values:")
        sections.formula(
            2, "兜底值", f"fallback({name}, {other}) + (if present({name}) then 1 else 0)"
        )
        scope.numbers.append("兜底值")
        safe.numbers.append("兜底值")

    # Group values: a stage-2 value of a value every subject has, and a
    # stage-3 value of that one.
    group_names: list[str] = []
    if groups:
        group_names = list(safe.numbers)
        if not value_names and "兜底值" not in scope.numbers:
            sections.line("values:")
        if not group_names:  # every input may be absent: measure a constant
            sections.formula(2, "组基数", pretty(draw(number_literals())))
            group_names = ["组基数"]
        measured = draw(st.sampled_from(group_names))
        sections.formula(
            2, "组差", f"{draw(st.sampled_from(GROUP_CALLS))}({measured}) - {measured}"
        )
        sections.formula(2, "组名次", f"{draw(st.sampled_from(GROUP_CALLS))}(组差)")
        for target in (scope, safe):
            target.numbers.extend(("组差", "组名次"))

    # Indicators.
    ids = draw(st.lists(st.sampled_from(INDICATOR_IDS), min_size=1, max_size=4, unique=True))
    body = YamlWriter(draw)
    body.line("indicators:")
    qualified: list[str] = []  # earlier indicators' number lets, as `id.name`
    for ident in ids:
        lets = _indicator(
            draw, body, inputs, ident, scope, global_inputs, own_names, let_pool, enums, depth,
            qualified, group_names,
        )  # fmt: skip
        qualified.extend(f"{ident}.{name}" for name in lets)

    # Collections and total.
    if draw(st.booleans()):
        members = draw(st.lists(st.sampled_from(ids), min_size=1, unique=True))
        body.line("collections:")
        body.line(f"  全部指标: [{', '.join(members)}]")
        template = draw(st.sampled_from(TOTAL_TEMPLATES)).replace("C", "全部指标")
        extra = pretty(draw(number_exprs(readable.env(), 1)))
        body.formula(0, "total", template.replace("E", extra))

    counts: list[str] = []
    if sanctions:
        body.line("items:")
        for n in range(draw(st.integers(1, 2))):
            body.line(f"  - id: 否决{n}")
            body.line(f"    name: 否决{n}")
            body.line("    kind: veto")
            body.formula(4, "raised_by", pretty(draw(bool_exprs(safe.env(), depth))))
            if draw(st.booleans()):
                body.formula(4, "when", pretty(draw(bool_exprs(safe.env(), 1))))
            outcome = draw(st.sampled_from(["scoring: not_scored", "scoring: ranked_last",
                                            "veto: fail", "veto: no_excellent"]))  # fmt: skip
            body.line(f"    {outcome}")
            counts.append(f"否决{n}.count")
    rows = draw(st.lists(st.fixed_dictionaries(inputs.values), min_size=1, max_size=max_rows))
    for row in rows:
        row.update({name: Decimal(draw(st.integers(0, 2))) for name in counts})

    if groups:
        manifest.line("organization:")
        manifest.line("  groups: [{id: g0}, {id: g1}]")
        manifest.line("  sections:")
        for n in range(len(rows)):
            manifest.line(f"    - {{id: s{n}, name: s{n}, group: g{draw(st.integers(0, 1))}}}")
    if scope.dates:  # formulas may read the period's first and last day
        quarter = draw(st.integers(1, 4))
        start = date(2016, 3 * quarter - 2, 1)
        end = date(2016 + quarter // 4, 3 * quarter % 12 + 1, 1) - timedelta(days=1)
        for row in rows:
            row.update(period_start=start, period_end=end)
    layout = draw(st.sampled_from(["single", "split", "split_listed"]))
    if layout == "single":
        return RuleSetCase({"ruleset.yaml": manifest.text() + sections.text() + body.text()}, rows)
    if layout == "split_listed":
        manifest.line("files: [levels.yaml, indicators.yaml]")
    files = {
        "ruleset.yaml": manifest.text(),
        "levels.yaml": sections.text(),
        "indicators.yaml": body.text(),
    }
    return RuleSetCase(files, rows)


def _indicator(
    draw: st.DrawFn,
    out: YamlWriter,
    inputs: _Inputs,
    ident: str,
    scope: _Scope,
    global_inputs: list[str],
    own_names: Iterator[str],
    let_pool: Sequence[str],
    enums: list[str],
    depth: int,
    qualified: Sequence[str] = (),
    group_names: Sequence[str] = (),
) -> list[str]:
    """One indicator scored by a formula, a level table, a deduction or a machine
    value; its number lets are returned (later indicators may read them as
    ``id.name``, through ``fallback`` since the indicator may be unscored)."""
    number_lets: list[str] = []
    local = scope.copy()
    local.numbers.append("points")
    out.line(f"  - id: {ident}")
    out.line(f"    name: 指标{ident}")
    out.line(f"    points: {draw(st.sampled_from(POINTS))}")
    if draw(st.booleans()):
        cadence = draw(st.sampled_from(["monthly", "quarterly", "annual"]))
        out.line(f"    cadence: {cadence}")
        if cadence == "annual":  # scored at its checkpoint only: a context flag
            inputs.values[f"{ident}.in_force"] = st.booleans()
    methods = ["formula", "formula", "deduct", "machine"] + (["levels"] if enums else [])
    method = draw(st.sampled_from(methods))
    declared: list[str] = []
    own: list[str] = []
    level_input: str | None = None
    if method == "levels":
        enum = draw(st.sampled_from(enums))
        shared = [name for name, members in scope.levels if members == ENUMS[enum]]
        if len(shared) > 0 and draw(st.booleans()):
            level_input = draw(st.sampled_from(shared))
        else:
            declared.append(inputs.level(f"{ident}档次", enum, 6)[0])
    else:
        for _ in range(draw(st.integers(0, 2))):
            name = next(own_names)
            declared.append(inputs.number(name, 6)[0])
            local.numbers.append(name)
            own.append(name)
    if declared:
        out.line("    inputs:")
        out.lines.extend(declared)
    if method == "formula":
        lets = draw(st.lists(st.sampled_from(let_pool), max_size=2, unique=True))
        if lets:
            out.line("    let:")
        for name in lets:
            is_bool = draw(st.integers(0, 3)) == 0
            strategy = bool_exprs if is_bool else number_exprs
            out.formula(6, name, pretty(draw(strategy(local.env(), depth))))
            (local.bools if is_bool else local.numbers).append(name)
            if not is_bool:
                number_lets.append(name)
        score = pretty(draw(number_exprs(local.env(), depth)))
        if len(qualified) > 0 and draw(st.booleans()):
            score = f"fallback({draw(st.sampled_from(qualified))}, 1) + ({score})"
        if len(group_names) > 0 and draw(st.booleans()):
            call = f"{draw(st.sampled_from(GROUP_CALLS))}({draw(st.sampled_from(group_names))})"
            score = f"{call} * ({score}) + group_count()"
        out.formula(4, "score", score)
    elif method == "levels":
        shares = [f"{m}: {draw(st.sampled_from(SHARES))}" for m in ENUMS[enum]]
        if draw(st.booleans()):
            out.line("    levels: {" + ", ".join(shares) + "}")
        else:
            out.line("    levels:")
            out.lines.extend(f"      {share}" for share in shares)
        if level_input is not None:
            out.line(f"    level_input: {level_input}")
    elif method == "deduct":
        count = draw(st.sampled_from(own + global_inputs))
        parts = [f"per: {draw(st.sampled_from(['2', '0.5', '1', '10%']))}", f"count: {count}"]
        if draw(st.booleans()):
            parts.append(f"cap: {draw(st.sampled_from(['5', '0', '2.5']))}")
        out.line("    deduct: {" + ", ".join(parts) + "}")
    else:
        out.line(f"    machine: {draw(st.sampled_from(own + global_inputs))}")
    if draw(st.booleans()):
        out.line(f"    round: {draw(st.integers(0, 4))}")
        if draw(st.booleans()):
            out.line(f"    rounding: {draw(st.sampled_from(ROUNDING_MODES))}")
    return number_lets


# -- malformed text -----------------------------------------------------------------

FULLWIDTH = "（）［］【】，。．：；＋－＊／＝＞＜％“”‘’×÷≥≤≠　！？"
NASTY_CHARS = (
    FULLWIDTH + "\"'\\`#%=<>!&|^~@$?:;,.{}[]()+-*/ \t\n\r\x00\x07\x1b\ufeff\u200b\u2028"
    "\ud800e\u0301\U0001d7d9\u0661\u216b"
)
NASTY_PIECES = (
    "9" * 400, "9" * 5000, "1e999999999", "-1e999999999", "1e-999999999", "0.000000000001",
    "99999999999999999999999999999999999999%", "1e999999999%", "NaN", "inf", "-.inf",
    "0x1F", "1_000", ".5", "1.", "+5", "if ", " then ", " elif ", " else ", "case ",
    " when ", " end", "not ", " in [", " and ", " or ", "true", "false", "points", "min(",
    "round(x, 99, \"sideways\")", "clamp(1, 2)", "date(\"2016-02-30\")", "x(", "\\n", '\\"',
    "'unterminated", '"unterminated', "(" * 60, "-" * 60, "not " * 50, "<", "==", "===",
)  # fmt: skip
YAML_PIECES = (
    ": ", "- ", "\n", "\n  ", "  ", "\t", "&a ", "*a", "&a [*a]", "!!python/object:os.system ",
    "!!str ", "!tag ", "{", "}", "[", "]", "|", ">", "---\n", "...\n", "%YAML 1.1\n", "? ",
    "<<: *a", "null", "~", "yes", "2016-04-01", "1e999999999", "-1e999999999", "1e-999999999",
    "1e999999999%", "99999999999999999999999999999999999999999", "NaN", ".nan", ".inf", "0x1F",
    "1_000", "85%", "-", "[" * 80, "{a: " * 70,
)  # fmt: skip

_NUMBER_TOKEN = re.compile(r"(?<![\w.])[0-9]+(?:\.[0-9]+)?%?")
_NAME_TOKEN = re.compile(r"[^\W\d]\w*")
HUGE_NUMBERS = (
    "1e999999999", "-1e999999999", "1e-999999999", "1E+999999", "9" * 60, "9" * 4000,
    "1e999999999%", "0.0000000000000000000000000000000000001", "-0", "1e5", "NaN", "Infinity",
    "-1", "11", "3.14159", "1.5", "0", "0%", "10000000000%",
)  # fmt: skip
ODD_NAMES = (
    "if", "then", "end", "not", "in", "true", "points", "min", "sum", "date", "未知指标",
    "完成 率", "1abc", "a-b", "total", "revenue", "好", "x", "完成率", "level(评价档次)",
)  # fmt: skip


def _pieces(extra: Sequence[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(NASTY_CHARS),
        st.sampled_from(extra),
        st.characters(),
        st.text(st.sampled_from(NASTY_CHARS), min_size=1, max_size=4),
    )


@st.composite
def mutations(draw: st.DrawFn, base: str, yaml: bool = False) -> str:
    """``base`` after 1-4 random edits: characters, number tokens, names or lines."""
    pieces = _pieces(NASTY_PIECES + YAML_PIECES if yaml else NASTY_PIECES)
    text = base
    for _ in range(draw(st.integers(1, 4))):
        kinds = ["insert", "delete", "replace", "number", "name"]
        if yaml:
            kinds += ["line_delete", "line_dup", "line_swap", "line_indent", "line_insert"]
        kind = draw(st.sampled_from(kinds))
        if kind in ("insert", "delete", "replace"):
            start = draw(st.integers(0, len(text)))
            length = draw(st.integers(0, 3)) if kind != "insert" else 0
            piece = draw(pieces) if kind != "delete" else ""
            text = text[:start] + piece + text[start + length :]
        elif kind in ("number", "name"):
            pattern = _NUMBER_TOKEN if kind == "number" else _NAME_TOKEN
            found = list(pattern.finditer(text))
            if not found:
                continue
            match = found[draw(st.integers(0, len(found) - 1))]
            new = draw(st.sampled_from(HUGE_NUMBERS if kind == "number" else ODD_NAMES))
            text = text[: match.start()] + new + text[match.end() :]
        else:
            lines = text.split("\n")
            index = draw(st.integers(0, len(lines) - 1))
            if kind == "line_delete":
                del lines[index]
            elif kind == "line_dup":
                lines.insert(index, lines[index])
            elif kind == "line_swap":
                other = draw(st.integers(0, len(lines) - 1))
                lines[index], lines[other] = lines[other], lines[index]
            elif kind == "line_indent":
                change = draw(st.sampled_from([-2, -1, 1, 2, 4]))
                line = lines[index]
                lines[index] = line[-change:] if change < 0 else " " * change + line
            else:
                lines.insert(index, draw(st.text(st.sampled_from(NASTY_CHARS + "abc好"))))
            text = "\n".join(lines)
    return text


def random_formula_texts() -> st.SearchStrategy[str]:
    """Arbitrary text, mostly made of characters that mean something in formulas."""
    alphabet = st.one_of(
        st.sampled_from(NASTY_CHARS + "0123456789xyz完成率 "),
        st.sampled_from(["if ", " then ", " else ", "case ", " when ", " end", "min(", " in "]),
        st.characters(),
    )
    return st.lists(alphabet, max_size=40).map("".join)


@st.composite
def malformed_formulas(draw: st.DrawFn) -> str:
    """Random text, or a mutation of a valid formula."""
    if draw(st.integers(0, 3)) == 0:
        return draw(random_formula_texts())
    return draw(mutations(draw(formula_texts(depth=2))))


@st.composite
def malformed_yaml_texts(draw: st.DrawFn) -> str:
    """A generated manifest (a whole rule set in one file) after random edits."""
    case = draw(rule_sets(depth=1, max_rows=1))
    return draw(mutations(case.files["ruleset.yaml"], yaml=True))


@st.composite
def malformed_rule_sets(draw: st.DrawFn) -> dict[str, bytes]:
    """A generated rule set with one file mutated (or replaced by random text)."""
    case = draw(rule_sets(depth=1))
    files = dict(case.files)
    name = draw(st.sampled_from(sorted(files)))
    if draw(st.integers(0, 5)) == 0:
        files[name] = draw(st.text(st.sampled_from(NASTY_CHARS + "abc: -\n好"), max_size=80))
    else:
        files[name] = draw(mutations(files[name], yaml=True))
    # A lone surrogate cannot be UTF-8: written as is, the file is not UTF-8.
    return {n: t.encode("utf-8", "surrogatepass") for n, t in files.items()}


# -- columns of numbers for the batch engine (tests/test_batch.py) --------------------

# Values on rounding boundaries (x.xx5 and its neighbours), long expansions
# (1/3, 2/7 to 34 digits) and their products, zeros with exponents, negatives.
_BOUNDARY_TEXTS = (
    "0.005", "0.015", "0.025", "2.675", "1.005", "59.475", "99.125", "118.9", "120", "0.125",
    "0.3333333333333333333333333333333333", "0.2857142857142857142857142857142857",
    "9999999999999999999999999999999999", "0.00", "-0.0", "-2.5", "3", "7", "100", "1E+2",
)  # fmt: skip


def boundary_numbers() -> st.SearchStrategy[Decimal]:
    """Decimals where rounding and division are most likely to differ between backends."""
    texts = st.sampled_from(_BOUNDARY_TEXTS)
    fives = st.tuples(st.integers(-999, 999), st.integers(0, 3)).map(
        lambda t: Decimal(f"{t[0]}5").scaleb(-(t[1] + 1))
    )
    plain = st.decimals(min_value=-1000, max_value=1000, places=4, allow_nan=False)
    return st.one_of(texts.map(Decimal), fives, plain)


# Formulas over x, y, z: quotients with long expansions, products of them,
# every rounding mode at a boundary, safe_div, comparisons of quotients (the
# aggregates over collections come with ``rule_sets``).
BATCH_FORMULAS = (
    "x / y",
    "x / 3 + y / 7",
    "2 / 7 * x - z",
    "60 * x / y",
    "x * (y / 120)",
    'round(x / y * z, 2, "{mode}")',
    'round(x * y, 1, "{mode}") + round(z / 3, 0, "{mode}")',
    "safe_div(x, y, z) * safe_div(z, x, 1)",
    "if x / y > z / 7 then x / y else clamp(z / 3, 0, 100)",
    "max(x / 3, y / 7, z) - min(x, y / 3)",
    "(x / 3 + y + z / 7) / 3",
    "abs(z - x / 7) + max(x, y) / 7",
    "case when x in [1, 2.5, 3] then y / 3 when z >= 0 then z / 7 else -x end",
    "(x + y + z) / (abs(x) + abs(y) + abs(z) + 1)",
)


@st.composite
def batch_cases(draw: st.DrawFn, max_rows: int = 12) -> RuleSetCase:
    """A rule set with one or two indicators scored by ``BATCH_FORMULAS`` over
    number inputs x, y, z (places and rounding drawn) and rows of ``boundary_numbers``."""
    formulas = draw(st.lists(st.sampled_from(BATCH_FORMULAS), min_size=1, max_size=2))
    modes = [draw(st.sampled_from(ROUNDING_MODES)) for _ in formulas]
    places = draw(st.integers(0, 4))
    rounding = draw(st.sampled_from(ROUNDING_MODES))
    text = (
        f'scheme: s\nversion: "1"\nyear: 2024\nplaces: {places}\nrounding: {rounding}\n'
        "inputs:\n  x: number\n  y: number\n  z: number\nindicators:\n"
    )
    for n, (formula, mode) in enumerate(zip(formulas, modes, strict=True)):
        text += f"  - id: i{n}\n    name: i{n}\n    points: 50\n"
        text += f"    score: {json.dumps(formula.replace('{mode}', mode))}\n"
    number = boundary_numbers()
    rows: list[dict[str, object]] = draw(
        st.lists(
            st.fixed_dictionaries({"x": number, "y": number, "z": number}),
            min_size=1,
            max_size=max_rows,
        )
    )
    return RuleSetCase({"ruleset.yaml": text}, rows)
