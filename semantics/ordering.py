"""Population ordering over plain sort keys, written once.

Standard competition ranking ("1224"): subjects equal on every key share a
rank, and the next distinct key's rank counts everyone ahead of it.  Keys
compare as tuples, best (smallest) first; ``sort_key`` builds one part of
such a key so that absent values (an exempt score) come after every present
value whichever the direction.  ``competition_ranks`` states the ranking;
the population stage (``runtime.engine.population``) computes it a column
at a time, tested against it.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from decimal import Decimal
from typing import Any, TypeVar

ZERO = Decimal(0)
K = TypeVar("K", bound=Hashable)


def sort_key(value: Decimal | None, descending: bool) -> tuple[bool, Decimal]:
    """One part of a key, best first: present values by direction, absent last."""
    if value is None:
        return (True, ZERO)
    return (False, -value if descending else value)


def competition_ranks(members: Sequence[K], keys: Mapping[K, Any]) -> dict[K, int]:
    """Each member's rank: 1 + how many members have a strictly smaller key.

    Computed by one sort (O(n log n)); the result equals the definition above
    for any keys that are totally ordered.
    """
    ordered = sorted(members, key=lambda member: keys[member])
    ranks: dict[K, int] = {}
    previous: Any = None
    rank = 0
    for position, member in enumerate(ordered):
        key = keys[member]
        if position == 0 or key != previous:
            rank = position + 1
            previous = key
        ranks[member] = rank
    return ranks
