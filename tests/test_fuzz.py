"""The standing fuzz suite, bounded for CI: every family of ``tests/fuzzing.py``
with a small count; ``python bench/fuzz.py`` is the long run (10,000+ inputs)."""

from __future__ import annotations

import pytest

from tests.fuzzing import FAMILIES, Family, run_family

CI_SHARE = 40  # one input in 40 of the long run's count, at least 10 a family


@pytest.mark.parametrize("family", FAMILIES, ids=[f.name for f in FAMILIES])
def test_no_internal_errors_and_no_silent_acceptance(family: Family) -> None:
    tally = run_family(family, max(10, family.share // CI_SHARE))
    assert tally.inputs > 0
    assert tally.internal == []
    assert tally.silent == []
