"""The rounding modes of the rule language: THE table, written once.

Everything that names a rounding mode derives from ``ROUNDING``: the rule
files' schema (its allowed values), the IR, the lowering of ``round(x, n,
mode)``, the prelude generated code receives (``_R_half_up`` ...), quota
sizing and the verifier.  A new mode is one entry here (and its spelling in
``RoundingMode``, which static typing needs; a test ties the two).
"""

from __future__ import annotations

import decimal
from decimal import Decimal
from typing import Literal

ROUNDING: dict[str, str] = {
    "half_up": decimal.ROUND_HALF_UP,
    "half_even": decimal.ROUND_HALF_EVEN,
    "half_down": decimal.ROUND_HALF_DOWN,
    "up": decimal.ROUND_UP,
    "down": decimal.ROUND_DOWN,
    "ceiling": decimal.ROUND_CEILING,
    "floor": decimal.ROUND_FLOOR,
}
"""Mode name (as written in rule files) -> the ``decimal`` rounding constant."""

# The same names for static typing (pydantic's allowed values, the IR's field
# types); tests/test_semantics.py checks it lists exactly ``ROUNDING``'s keys.
RoundingMode = Literal["half_up", "half_even", "half_down", "up", "down", "ceiling", "floor"]

ROUNDING_MODES: tuple[str, ...] = tuple(ROUNDING)
DEFAULT_ROUNDING: RoundingMode = "half_up"
"""The manifest's rounding mode when it declares none (and ``round(x, n)``'s)."""

MAX_PLACES = 10
QUANTA: tuple[Decimal, ...] = tuple(Decimal(1).scaleb(-places) for places in range(MAX_PLACES + 1))
"""``QUANTA[n]`` is the quantum of ``n`` decimal places (1, 0.1, ... 1E-10)."""


def round_to(value: Decimal, places: int, mode: str) -> Decimal:
    """Round to ``places`` with ``mode``; generated code calls ``Decimal.quantize``
    with the same quantum and mode directly (``_q2``, ``_R_half_up``)."""
    return value.quantize(QUANTA[places], rounding=ROUNDING[mode])


def shown(value: Decimal, places: int, mode: str) -> Decimal:
    """``value`` as every output shows it: rounded to ``places`` with ``mode``,
    and zero without a sign.  Decimal keeps the sign of a zero (``0 * -0.5``
    is ``-0.0``, ``-0.001`` rounds to ``-0.00``), which means nothing to a
    reader of a score, so no output ever prints ``-0``."""
    # Shown under a context wide enough for every digit of the result: the
    # caller's context (28 digits by default) may be narrower than a large
    # value rounded to ``places`` needs, and showing a number must not fail.
    digits = max(34, value.adjusted() + places + 2)
    context = _WIDE.get(digits)
    if context is None:  # one context per width, made once (a table shows millions of values)
        context = _WIDE.setdefault(
            digits, decimal.Context(prec=digits, Emax=decimal.MAX_EMAX, Emin=decimal.MIN_EMIN)
        )
    rounded = value.quantize(QUANTA[places], rounding=ROUNDING[mode], context=context)
    return rounded.copy_abs() if not rounded else rounded


# ``shown``'s contexts by precision; never modified (``quantize`` is given one
# and leaves it as it was, its flags aside, which nothing reads).
_WIDE: dict[int, decimal.Context] = {}


def unsigned(value: Decimal) -> Decimal:
    """``value`` with a zero's sign dropped (``-0.00`` -> ``0.00``): what every
    output shows of a value already at its places."""
    return value.copy_abs() if not value else value


def round_to_integer(value: Decimal, mode: str) -> int:
    """``value`` rounded to a whole number with ``mode`` (quota sizes)."""
    return int(value.quantize(QUANTA[0], rounding=ROUNDING[mode]))
