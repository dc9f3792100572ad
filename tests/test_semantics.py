"""The bottom layer's tables are the one home of the language's facts.

(a) generated code's factory parameters and the loader's prelude are one table;
(b) every built-in and rounding-mode name is spelled in exactly one table;
(c) quota sizing and competition ranking over plain values.
"""

from __future__ import annotations

import ast
import inspect
import random
from decimal import Decimal
from pathlib import Path
from typing import get_args

import pytest

from compiler.codegen import FACTORY_PARAMETERS, generate
from compiler.pipeline import compile_rules
from dsl.ruleset import DirectorySource
from runtime.engine import compiled
from semantics import operations
from semantics.builtins import AGGREGATES, FUNCTIONS, NAMES
from semantics.ordering import competition_ranks, sort_key
from semantics.prelude import PRELUDE
from semantics.quota import quota_places, quota_size
from semantics.rounding import ROUNDING, RoundingMode

ROOT = Path(__file__).resolve().parent.parent
YONGZHOU = ROOT / "rules" / "yongzhou"

# -- (a) one prelude ---------------------------------------------------------------


def test_generated_factory_takes_exactly_the_prelude() -> None:
    result = compile_rules(DirectorySource(str(YONGZHOU)))
    assert result.ok and "section" in result.programs
    module = generate(result.programs["section"], "<test>")
    tree = ast.parse(module.source)
    make = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "_make")
    assert tuple(a.arg for a in make.args.args) == tuple(PRELUDE) == FACTORY_PARAMETERS


def test_loader_keeps_no_list_of_its_own() -> None:
    tree = ast.parse(inspect.getsource(compiled))
    prelude_names = set(PRELUDE)
    for node in ast.walk(tree):
        # No prelude name is spelled in the loader...
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            assert node.value not in prelude_names, node.value
    # ...it hands ``PRELUDE`` itself to the factory.
    calls = [
        n for n in ast.walk(tree)
        if isinstance(n, ast.Call) and any(
            k.arg is None and isinstance(k.value, ast.Name) and k.value.id == "PRELUDE"
            for k in n.keywords
        )
    ]  # fmt: skip
    assert len(calls) == 1


def test_prelude_holds_every_builtin_helper() -> None:
    helpers = [v for v in vars(operations).values() if callable(v)]
    for function in FUNCTIONS.values():
        if function.helper is None:  # evaluated when compiling (date)
            assert function.shape == "constant"
            continue
        assert PRELUDE[function.prelude] is function.helper
        assert any(function.helper is h for h in helpers), function.name
    for aggregate in AGGREGATES.values():
        assert PRELUDE[aggregate.prelude] is aggregate.helper
        assert any(aggregate.helper is h for h in helpers), aggregate.name


def test_rounding_literal_lists_exactly_the_table() -> None:
    assert get_args(RoundingMode) == tuple(ROUNDING)


def test_names_in_the_order_messages_list_them() -> None:
    # E0402's help lists them; the golden files hold this order.
    assert ", ".join(NAMES) == (
        "min, max, median, clamp, abs, round, safe_div, power, present, fallback, "
        "days_between, add_days, working_days_between, add_working_days, is_working_day, "
        "sum, avg, count, any, all, rank_in_group, rank_from_bottom, group_max, group_min, "
        "group_average, group_median, group_sum, group_count, share_of_group, date"
    )


# -- (b) each name in one table ----------------------------------------------------

TABLES = {"semantics/builtins.py": set(NAMES), "semantics/rounding.py": set(ROUNDING)}

# The same words used for something else, or places that build or recognise
# IR of a built-in in files owned by other work in progress (to read
# semantics.builtins / semantics.rounding when they are next touched).
_KIND = "an input kind or type name, not the built-in"
_KEY = "a dictionary key, column or message argument named by the same word"
_FIELD = "a rule-file field or option value spelled the same"
_DESUGAR = "builds or matches IR of the built-in it desugars caps/deductions to (not ours yet)"
_DEFAULT = "the manifest's default mode, to read semantics.rounding.DEFAULT_ROUNDING (not ours yet)"
ELSEWHERE: dict[str, dict[str, str]] = {
    "min": {
        "dsl/schema.py": _FIELD + " (an input's monthly method)",
        "compiler/passes/applicability.py": _FIELD + " (an input's monthly method)",
        "runtime/inputs/data.py": _FIELD + " (an input's monthly method)",
        "compiler/diff.py": _FIELD + "; " + _DESUGAR,
        "dsl/ast.py": _FIELD,
        "runtime/tools/coverage.py": _DESUGAR,
        "runtime/tools/explain.py": _DESUGAR,
    },
    "max": {
        "dsl/schema.py": _FIELD + " (an input's monthly method)",
        "compiler/passes/applicability.py": _FIELD + " (an input's monthly method)",
        "compiler/diff.py": _FIELD,
        "dsl/ast.py": _FIELD,
        "runtime/tools/explain.py": _DESUGAR,
    },
    "sum": {
        "compiler/passes/applicability.py": _FIELD + " (an input's monthly method)",
        "runtime/inputs/data.py": _FIELD + " (an input's monthly method)",
        "compiler/ir.py": _FIELD + " (roll-up method)",
        "compiler/verify.py": _KEY,
        "dsl/schema.py": _FIELD + " (roll-up method)",
        "runtime/engine/rollup.py": _FIELD + " (roll-up method)",
        "runtime/tools/explain.py": _KEY,
    },
    "round": {"compiler/diff.py": _FIELD, "dsl/ast.py": _FIELD},
    "count": {
        "compiler/passes/applicability.py": _KIND,
        "semantics/types.py": _KIND,
        "compiler/intervals.py": _KIND,
        "compiler/links.py": _KEY + " (a link's population value)",
        "compiler/passes/declare.py": _KIND,
        "compiler/properties.py": _KEY + " (a property's population value)",
        "dsl/diagnostics.py": _KEY,
        "dsl/astbuilder.py": _KEY,
        "runtime/engine/links.py": _KEY,
        "runtime/inputs/data.py": _KIND,
        "runtime/inputs/events.py": _KEY,
        "runtime/render/dryrun.py": _KEY,
        "runtime/render/forms.py": _KIND,
        "runtime/render/dryrun_html.py": _KEY,
        "runtime/render/results.py": _KEY,
        "runtime/render/rule_tests.py": _KEY,
        "runtime/tools/properties.py": _KIND,
        "runtime/tools/rule_tests.py": _KEY,
        "runtime/tools/what_if.py": _KEY + " (an event column, a rule test's event key)",
        "compiler/passes/sanctions.py": _KEY + " (the event table's own columns)",
    },
    "all": {
        "compiler/ir.py": _FIELD + " (quota pool)",
        "compiler/ruletests.py": _FIELD + " (rule-test population)",
        "dsl/ruletests.py": _FIELD + " (rule-test population)",
        "dsl/schema.py": _FIELD + " (quota pool)",
        "runtime/tools/forms.py": _FIELD + " (template --assessor all)",
        "runtime/engine/population.py": _FIELD + " (quota pool)",
        "runtime/tools/rule_tests.py": _FIELD + " (rule-test population)",
    },
    "date": {
        "compiler/passes/sanctions.py": _KEY + " (the event table's own columns)",
        "semantics/types.py": _KIND,
        "compiler/lower.py": _KIND,
        "runtime/tools/properties.py": _KIND,
        "compiler/ruletests.py": _KIND,
        "dsl/gitsource.py": _KEY,
        "dsl/ruletests.py": _KEY,
        "runtime/inputs/data.py": _KIND,
        "runtime/inputs/events.py": _KEY,
        "runtime/render/forms.py": _KIND,
        "runtime/render/results.py": _KEY,
        "runtime/tools/rule_tests.py": _KEY,
        "runtime/tools/early_warnings.py": _KEY,
        "dsl/ast.py": _FIELD + " (a revision's date)",
        "dsl/schema.py": _FIELD + " (a revision's date; JSON Schema format)",
        "dsl/astbuilder.py": _KEY,
        "compiler/diff.py": _FIELD + " (a revision's date)",
        "runtime/render/revisions.py": _KEY,
        "runtime/tools/what_if.py": _KEY + " (an event column, a rule test's event key)",
        "runtime/web/office.py": _KEY + " (the rules page's query: in force on a date)",
        "runtime/web/trials.py": _KEY + " (a version's kind: the rules in force on a date)",
    },
}


def _string_constants(path: Path) -> list[tuple[str, int]]:
    """String constants of a module, docstrings excluded."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                docstrings.add(id(body[0].value))
    return [
        (node.value, node.lineno)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
    ]


def test_each_builtin_and_rounding_name_is_spelled_in_one_table() -> None:
    names = set(NAMES) | set(ROUNDING)
    assert not set(NAMES) & set(ROUNDING)
    stray = []
    for package in ("semantics", "dsl", "compiler", "runtime"):
        for path in sorted((ROOT / package).rglob("*.py")):
            where = path.relative_to(ROOT).as_posix()
            for value, line in _string_constants(path):
                if value not in names or value in TABLES.get(where, ()):
                    continue
                if where in ELSEWHERE.get(value, {}):
                    continue
                stray.append(f"{where}:{line}: {value!r}")
    assert not stray, "names of the language spelled outside their table:\n" + "\n".join(stray)


def test_every_exception_is_still_needed() -> None:
    """An exception whose file no longer spells the name is stale: remove it."""
    stale = [
        f"{where}: {name!r}"
        for name, places in ELSEWHERE.items()
        for where in places
        if name not in {v for v, _ in _string_constants(ROOT / where)}
    ]
    assert stale == []


def test_each_table_spells_its_names() -> None:
    for where, expected in TABLES.items():
        spelled = {v for v, _ in _string_constants(ROOT / where)}
        assert expected <= spelled, where


# -- (c) quota sizing and ranking --------------------------------------------------


@pytest.mark.parametrize(
    ("mode", "expected"),
    [("half_up", 5), ("half_even", 4), ("half_down", 4), ("up", 5), ("down", 4),
     ("ceiling", 5), ("floor", 4)],
)  # fmt: skip
def test_quota_rounds_the_share_as_declared(mode: str, expected: int) -> None:
    assert quota_size(Decimal("0.1"), mode, None, None, 45) == expected


def test_quota_bounds() -> None:
    share = Decimal("0.2")
    assert quota_size(share, "half_up", None, None, 41) == 8
    assert quota_size(share, "half_up", 10, None, 41) == 10
    assert quota_size(share, "half_up", None, 5, 41) == 5
    # at_least beyond the pool: the pool is the limit; the verifier sees the excess.
    assert quota_size(share, "half_up", 10, None, 3) == 3
    assert quota_places(share, "half_up", 10, None, 3) == 10
    assert quota_size(Decimal("0.1"), "down", None, None, 9) == 0
    assert quota_size(share, "half_up", None, None, 0) == 0


def test_competition_ranks_share_ties_and_skip() -> None:
    keys = {"a": (Decimal(90),), "b": (Decimal(80),), "c": (Decimal(80),), "d": (Decimal(70),)}
    best_first = {k: (sort_key(v[0], descending=True),) for k, v in keys.items()}
    assert competition_ranks(list(keys), best_first) == {"a": 1, "b": 2, "c": 2, "d": 4}


def test_absent_values_rank_last_either_way() -> None:
    values = {"a": Decimal(1), "b": None, "c": Decimal(3), "d": None}
    for descending in (True, False):
        keys = {k: (sort_key(v, descending),) for k, v in values.items()}
        ranks = competition_ranks(list(values), keys)
        assert ranks["b"] == ranks["d"] == 3
        assert {ranks["a"], ranks["c"]} == {1, 2}
        assert (ranks["c"] < ranks["a"]) == descending


def test_equal_values_of_different_exponents_tie() -> None:
    keys = {"a": (sort_key(Decimal("80.0"), True),), "b": (sort_key(Decimal("80"), True),)}
    assert competition_ranks(["a", "b"], keys) == {"a": 1, "b": 1}


def test_ranks_by_sorting_equal_the_definition() -> None:
    rng = random.Random(9)
    for _ in range(200):
        members = [f"s{i}" for i in range(rng.randint(0, 12))]
        keys = {
            m: tuple(
                sort_key(rng.choice([None, Decimal(rng.randint(0, 3))]), rng.random() < 0.5)
                for _ in range(2)
            )
            for m in members
        }
        expected = {m: 1 + sum(1 for o in members if keys[o] < keys[m]) for m in members}
        assert competition_ranks(members, keys) == expected
