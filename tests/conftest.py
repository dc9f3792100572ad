"""Shared fixtures: tests run from the repository root, so paths in messages
are the same relative paths a user sees (``rules/yongzhou/indicators.yaml``)."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["pytester"]  # tests of the rule-test pytest plugin

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _run_from_repo_root(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(REPO)
    # verify keeps counterexamples between runs; each test starts with none.
    monkeypatch.setattr(
        "runtime.tools.counterexamples.STORE", str(tmp_path / "counterexamples.json")
    )
