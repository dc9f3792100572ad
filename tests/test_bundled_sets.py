"""Every bundled real scheme (tests/bundled.py's SETS) to the same standard.

``check`` and ``verify`` are clean (verify proves every score within its
points and finds no contradiction), the set's own rule tests pass with
``--fail-under 100``, the example data is what its generator writes, and one
period's table is a golden file.  Each scheme's own arithmetic is checked in
its tests/test_bundled_<id>.py.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from tests.bundled import SETS, Bundled
from tests.clirun import run
from tests.golden import assert_golden

sets = pytest.mark.parametrize("bundled", SETS, ids=[s.id for s in SETS])


@sets
def test_check_is_clean(bundled: Bundled) -> None:
    code, out, err = run("--lang", "en", "check", bundled.rules)
    assert code == 0 and err == "", err
    assert bundled.check_says in out


@sets
def test_verify_is_clean(bundled: Bundled) -> None:
    code, out, err = run("--lang", "en", "verify", bundled.rules)
    assert code == 0 and "warning" not in out + err and "error" not in out + err, out + err


@sets
def test_rule_tests_pass_at_full_coverage(bundled: Bundled) -> None:
    code, out, err = run("--lang", "en", "test", bundled.rules, "--fail-under", "100")
    assert code == 0, out + err
    assert "0 failed" in out and bundled.test_says in out


@sets
def test_the_example_files_are_what_the_generator_writes(bundled: Bundled, tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location(
        f"{bundled.id}_generate", f"{bundled.data}/generate.py"
    )
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    script.write_all(tmp_path)
    for name in bundled.generated:
        assert (tmp_path / name).read_bytes() == (Path(bundled.data) / name).read_bytes(), name


@sets
def test_one_periods_table_is_golden(bundled: Bundled) -> None:
    period = bundled.golden_period
    code, out, err = run("--lang", "zh", "evaluate", bundled.rules, "--data", bundled.data,
                         "--period", period)  # fmt: skip
    assert code == 0 and err == ""
    assert_golden(Path(f"tests/cases/{bundled.id}/evaluate_{period}.zh.txt"), out)
