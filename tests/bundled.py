"""The bundled real schemes (rules/<id> with examples/<id>), as the tests use them.

Every bundled set is held to the same standard (tests/test_bundled_sets.py):
clean ``check`` and ``verify``, its own rule tests passing at full coverage,
example data its generator reproduces byte for byte, and a golden table.  What
differs is each scheme's own arithmetic, which its tests/test_bundled_<id>.py
recomputes by hand from the example data; ``evaluate`` gives them the results.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from tests.clirun import run


@dataclass(frozen=True)
class Bundled:
    id: str
    check_says: str  # what ``check`` reports of the set's size
    golden_period: str  # the period whose table is tests/cases/<id>/evaluate_<period>.zh.txt
    generated: tuple[str, ...]  # the example files examples/<id>/generate.py writes
    test_says: str = "100"  # what ``test --fail-under 100`` must also report

    @property
    def rules(self) -> str:
        return f"rules/{self.id}"

    @property
    def data(self) -> str:
        return f"examples/{self.id}"


SETS = (
    Bundled("staff_annual", "1 indicator", "2023",
            ("people.csv", "events.csv", "published/2021.json", "published/2022.json",
             "published/2023.json")),
    # The clamp around each 功效系数 position is what lets verify bound its scores.
    Bundled("chuzhou_quarterly", "4 indicators", "2022Q4", ("sections.csv", "events.csv")),
    Bundled("gov_website", "2 indicators, 5 items", "2020Q4", ("sections.csv", "events.csv"),
            test_says="vetoes              5/5"),
    Bundled("licheng_disclosure", "4 indicators", "2020", ("sections.csv",)),
    Bundled("hongqiao_reporting", "1 indicators", "2020", ("sections.csv",)),
    Bundled("econ_monthly", "1 indicators", "2020", ("sections.csv",)),
)  # fmt: skip


def evaluate(rules: str, data: str, period: str) -> list[dict[str, Any]]:
    """The subjects of ``evaluate --format json``, which must give no warning."""
    code, out, err = run("evaluate", rules, "--data", data, "--period", period, "--format", "json")
    assert code == 0 and err == "", err
    document = json.loads(out)
    assert isinstance(document, dict)
    subjects = document["subjects"]
    assert isinstance(subjects, list)
    return subjects
