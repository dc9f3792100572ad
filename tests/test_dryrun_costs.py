"""What makes a dry-run cheaper (issue #15) leaves every value as it was.

The slimmed values are read and their numbers shared in one step
(``reading(program, each)``), numbers are shared by their exact spelling
only, a rolled-up result is made once with its standing, and the cyclic
collector is paused over the whole comparison.  Each is checked here
against what it replaces."""

from __future__ import annotations

import gc
from decimal import Decimal
from pathlib import Path

import pytest

from runtime.cli import _compiled
from runtime.engine.results import SubjectResult
from runtime.engine.rollup import RollupRule, reading, roll_up
from runtime.engine.run import evaluate_rules
from runtime.inputs.periods import parse_periods
from runtime.tools import dryrun
from runtime.tools.dryrun import _comparison, _Shared, _slimmed, compare

ROOT = Path(__file__).resolve().parent.parent
RULES, DATA = ROOT / "rules" / "yongzhou", ROOT / "examples" / "yongzhou"


class _Odd(Decimal):
    """A Decimal subclass: not shared (it may carry more than its digits)."""


def test_numbers_are_shared_by_their_exact_spelling_only() -> None:
    shared = _Shared()
    one, again = Decimal("1.50"), Decimal("1.50")
    assert shared.number(one) is one
    assert shared.number(again) is one  # the same spelling: the first one
    other = Decimal("1.5")  # equal, another spelling: kept apart
    assert shared.number(other) is other and str(shared.number(other)) == "1.5"
    odd = _Odd("1.50")
    for value in (None, True, False, "1.50", odd, 3):
        assert shared.number(value) is value  # not a plain Decimal: as it is
    assert _Shared().number(Decimal("1.50")) is not one  # each dry-run its own


def test_values_read_and_shared_in_one_step_are_those_read_then_shared() -> None:
    compilation = _compiled(str(RULES))
    program = compilation.programs["section"]
    evaluation = evaluate_rules(compilation, str(DATA), parse_periods("2016Q1"))
    shared = _Shared()
    plain, mapped = reading(program), reading(program, shared.number)
    for result in evaluation.sections:
        read, both = plain(result.values), mapped(result.values)
        assert type(both).positions == type(read).positions and tuple(both) == tuple(read)
        assert both.expanded() == read.expanded()
        assert all(v is shared.number(v) for v in both)  # every number the shared one


def test_a_roll_up_is_the_same_whether_its_quarters_are_consumed_or_not() -> None:
    """Kept quarters: a result made once, with its standing; consumed: made
    before the ranking (the last quarter not held); the same results."""
    compilation = _compiled(str(RULES))
    program = compilation.programs["section"]
    evaluation = evaluate_rules(compilation, str(DATA), parse_periods("2016Q1..2016Q2"))
    rule = RollupRule("average", {})
    per_period = {p: list(results[0]) for p, results in evaluation.quarters.items()}
    kept, _ = roll_up(program, rule, "2016Q1..2016Q2", per_period)
    consumed, _ = roll_up(program, rule, "2016Q1..2016Q2", per_period, consume=True)
    assert kept == consumed and kept
    assert all(not results for results in per_period.values())  # consumed: emptied


def test_the_collector_is_paused_over_the_whole_comparison(monkeypatch: pytest.MonkeyPatch) -> None:
    states: list[bool] = []
    cumulative = dryrun._cumulative

    def watched(*args: object) -> object:
        states.append(gc.isenabled())
        return cumulative(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(dryrun, "_cumulative", watched)
    compilation = _compiled(str(RULES))
    was = gc.isenabled()
    compare(compilation, compilation, str(DATA), parse_periods("2016Q1..2016Q2"), ("a", "b"),
            keep_results=False)  # fmt: skip
    assert states == [False] and gc.isenabled() == was


def test_consequences_set_aside_by_the_slimming_compare_as_those_held() -> None:
    """Slimmed with ``links``: the results hold no consequences, the
    comparison reads them set aside; the subject kept whole still holds its
    own and they are read from it (the careful path)."""
    compilation = _compiled(str(RULES))
    evaluation = evaluate_rules(compilation, str(DATA), parse_periods("2016Q1"))
    linked = [r for r in evaluation.people if r.consequences]
    assert len(linked) > 1  # the bundled links give some
    kept = linked[0].id
    links: dict[tuple[str, str], frozenset[str]] = {}
    slim = _slimmed(evaluation, compilation, kept, _Shared(), links)
    held = {r.id: r.consequences for r in slim.people}
    assert held[kept] == linked[0].consequences  # kept whole
    assert not any(held[r.id] for r in linked[1:])  # set aside
    assert set(links) == {(r.kind, r.id) for r in [*evaluation.sections, *evaluation.people]
                          if r.consequences and r.id != kept}  # fmt: skip
    whole = (evaluation.sections, evaluation.people)
    nobody: tuple[list[SubjectResult], list[SubjectResult]] = ([], [])
    for side in (0, 1):  # each side's consequences lost against nobody, gained against it
        pair = (whole, nobody) if side == 0 else (nobody, whole)
        slimmed = (slim.sections, slim.people)
        expected = _comparison("2016Q1", compilation, compilation, *pair)
        shown = (slimmed, nobody) if side == 0 else (nobody, slimmed)
        given = (links, {}) if side == 0 else ({}, links)
        assert _comparison("2016Q1", compilation, compilation, *shown, given) == expected
        assert any(s.lost or s.gained for s in expected.subjects)
