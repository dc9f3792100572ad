"""Quota sizing over plain values, written once.

The population stage sizes each grade's quota with it, the dry run reports
it and the verifier uses it to find quotas that round to no place at all.
"""

from __future__ import annotations

from decimal import Decimal

from semantics.rounding import round_to_integer


def quota_places(
    share: Decimal, rounding: str, at_least: int | None, at_most: int | None, pool_size: int
) -> int:
    """``share`` of the pool, rounded with ``rounding``, then bounded by
    ``at_least``/``at_most`` (not yet by the pool's size)."""
    size = round_to_integer(share * pool_size, rounding)
    if at_least is not None:
        size = max(size, at_least)
    if at_most is not None:
        size = min(size, at_most)
    return size


def quota_size(
    share: Decimal, rounding: str, at_least: int | None, at_most: int | None, pool_size: int
) -> int:
    """How many of a pool of ``pool_size`` a quota admits: ``quota_places``,
    never more than the pool."""
    return min(quota_places(share, rounding, at_least, at_most, pool_size), pool_size)
