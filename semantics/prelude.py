"""The prelude generated code receives: parameter name -> object.

Generated modules define ``_make(<every name below>)``; the loader
(``runtime.engine.compiled``) calls it with exactly this mapping, and the code
generator (``compiler.codegen``) takes the parameter list from it, so the two
cannot disagree.  Everything here is derived from the tables of built-ins
(``semantics.builtins``) and rounding modes (``semantics.rounding``), plus
the few operations the generator emits itself: Decimal and date constants,
division, the rescaling of a normalized sum and ``Decimal.quantize``.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from semantics import operations
from semantics.builtins import AGGREGATES, FUNCTIONS
from semantics.rounding import QUANTA, ROUNDING


def quantum_name(places: int) -> str:
    """The prelude name of the quantum of ``places`` decimal places."""
    return f"_q{places}"


def mode_name(mode: str) -> str:
    """The prelude name of a rounding mode's ``decimal`` constant."""
    return f"_R_{mode}"


_CORE: dict[str, Any] = {
    "_D": Decimal,  # Decimal constants: _D('0.85')
    "_date": datetime.date,  # date constants: _date(2016, 4, 1)
    "_div": operations.div,  # a / b that may fault
    "_zdiv": operations.zero_divisor,  # the fault of an inlined division by zero
    "_quantize": Decimal.quantize,  # rounding: _quantize(x, _q2, _R_half_up)
    "_rescale": operations.rescale,  # the rescaled branch of a normalized sum
}

PRELUDE: MappingProxyType[str, Any] = MappingProxyType(
    {
        **_CORE,
        **{f.prelude: f.helper for f in FUNCTIONS.values() if f.helper is not None},
        **{a.prelude: a.helper for a in AGGREGATES.values()},
        **{quantum_name(places): quantum for places, quantum in enumerate(QUANTA)},
        **{mode_name(mode): constant for mode, constant in ROUNDING.items()},
    }
)
