"""How a number is written: the one definition rule files and data cells share.

A number is ASCII digits with an optional sign, decimal point and trailing
``%`` (``85%`` is 0.85): ``20``, ``-0.5``, ``95.5``, ``.5``, ``85%``.  No
exponents (``1e2``), no underscores (``1_2``), no full-width or other
scripts' digits (``１２``, ``١٢``): each is a likely typing or export
accident, and reading it silently would put a wrong number into a score.

Data cells may also group thousands with commas, exactly as Excel and WPS
display them (``1,234.5``, ``12,345,678``); any other comma (``12,5``,
``1,2,3``, ``,5``) is not a number, never a silently different one.

Magnitudes are bounded so that no spelling can reach the decimal context's
limits: a number's leading digit must lie between 10^-12 and 10^17.
"""

from __future__ import annotations

import re
from decimal import Decimal

NUMBER_TEXT = re.compile(r"[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)%?")
GROUPED_NUMBER_TEXT = re.compile(r"[-+]?[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]*)?%?")

SMALLEST_EXPONENT = -12  # leading digit at 10^-12 at the finest
LARGEST_EXPONENT = 17  # leading digit below 10^18


def in_range(value: Decimal) -> bool:
    """Whether ``value`` is finite and within the bounded magnitudes (0 always is)."""
    if not value.is_finite():
        return False
    # adjusted() is the exponent of the leading digit: no arithmetic, no overflow.
    return not value or SMALLEST_EXPONENT <= value.adjusted() <= LARGEST_EXPONENT


def parse_number(text: str, grouped: bool = False) -> Decimal | None:
    """``text`` as a Decimal (``85%`` -> 0.85), or None when it is not written
    as a number or is out of range.  ``grouped``: also accept thousands
    separators (data cells)."""
    text = text.strip()
    if NUMBER_TEXT.fullmatch(text):
        digits = text
    elif grouped and GROUPED_NUMBER_TEXT.fullmatch(text):
        digits = text.replace(",", "")
    else:
        return None
    value = Decimal(digits[:-1]) / 100 if digits.endswith("%") else Decimal(digits)
    return value if in_range(value) else None
