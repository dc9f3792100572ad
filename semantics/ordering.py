"""Population ordering over plain sort keys, written once.

Standard competition ranking ("1224"): subjects equal on every key share a
rank, and the next distinct key's rank counts everyone ahead of it.  Keys
compare as tuples, best (smallest) first; ``sort_key`` builds one part of
such a key so that absent values (an exempt score) come after every present
value whichever the direction.  ``competition_ranks`` states the ranking;
``ranked_order`` is what the population stage runs (a population repeats its
keys: only the distinct ones are sorted), tested against it.
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


def ranked_order(members: Sequence[K], keys: Sequence[Hashable]) -> list[tuple[K, int]]:
    """``members`` (``keys[n]`` the key of ``members[n]``) best first, each
    with its competition rank as ``competition_ranks`` gives it; members of
    equal keys sorted among themselves (ids: one order for everything that
    follows the ranks, e.g. grades given in rank order).

    Members are bucketed by key and only the distinct keys sorted: a
    population repeats its totals (100,000 people hold a few thousand), and a
    key's rank is 1 + the size of the buckets before it.  Equal keys are one
    bucket, so the keys must hash as they compare (Decimals and tuples of
    them do: 1.0 and 1.00 are one key)."""
    buckets: dict[Hashable, list[K]] = {}
    for member, key in zip(members, keys, strict=True):
        bucket = buckets.get(key)
        if bucket is None:
            buckets[key] = [member]
        else:
            bucket.append(member)
    distinct: list[Any] = list(buckets)  # Any: keys and members sort, which Hashable does not say
    distinct.sort()
    ordered: list[tuple[K, int]] = []
    rank = 1
    for key in distinct:
        tied: list[Any] = buckets[key]
        tied.sort()
        ordered.extend(zip(tied, [rank] * len(tied), strict=True))
        rank += len(tied)
    return ordered
