"""The evaluate table in a terminal: wrapped to the width, chosen columns,
people with their section and its total (issue #13); progress only on a terminal."""

from __future__ import annotations

import io
from decimal import Decimal

from dsl.diagnostics import display_width
from runtime.render.progress import progress_bar
from tests.clirun import run

RULES, DATA = "rules/yongzhou", "examples/yongzhou"


def _table(*extra: str) -> str:
    code, out, _ = run(
        "evaluate", RULES, "--data", DATA, "--period", "2016Q3", "--lang", "zh", *extra
    )
    assert code == 0
    return out


def test_width_wraps_every_line_and_keeps_every_cell() -> None:
    whole = _table()
    wrapped = _table("--width", "100")
    assert max(display_width(line) for line in whole.splitlines()) > 100
    assert max(display_width(line) for line in wrapped.splitlines()) <= 100
    # nothing lost: every cell of the whole table appears in the wrapped one
    for word in set(whole.split()):
        assert word in wrapped, word
    # each block starts with rank and name
    heads = [line for line in wrapped.splitlines() if line.startswith("名次")]
    assert len(heads) > 2 and all(h.split()[1] == "考核对象" for h in heads)


def test_not_fitted_into_a_pipe_or_file() -> None:
    """Without --width, a captured (non-terminal) output is the whole table."""
    whole = _table()
    assert sum(1 for line in whole.splitlines() if line.startswith("名次")) == 2


def test_people_show_their_section_and_its_total() -> None:
    out = _table()
    people = out[out.index("· 个人") :].splitlines()
    head = people[2].split()
    assert head[:6] == ["名次", "考核对象", "所在科室", "科室总分", "总分", "等次"]
    assert "个人得分" in head
    sections = {
        line.split()[1]: line.split()[2]
        for line in out[: out.index("· 个人")].splitlines()[4:]
        if line
    }
    first = people[4].split()
    name, section, section_total, total, own = first[1], first[2], first[3], first[4], first[6]
    assert sections[section] == section_total
    # 7:3 is explainable from the row: own x 70% + section x 30% (no adjustments here)
    combined = Decimal(own) * Decimal("0.7") + Decimal(section_total) * Decimal("0.3")
    assert combined.quantize(Decimal("0.01")) == Decimal(total), name


def test_columns_choose_by_header_or_indicator_id() -> None:
    out = _table("--columns", "总分,duty,learning")
    people = out[out.index("· 个人") :].splitlines()
    assert people[2].split() == ["名次", "考核对象", "总分", "岗位职责履行", "学习成绩"]
    sections = out[: out.index("· 个人")].splitlines()
    assert sections[2].split() == ["名次", "考核对象", "总分"]


def test_unknown_column_is_a_usage_error_listing_the_choices() -> None:
    code, out, err = run(
        "evaluate", RULES, "--data", DATA, "--period", "2016Q3", "--lang", "en", "--columns", "totl"
    )
    assert code == 2 and out == ""
    assert "--columns names no such column: totl" in err
    assert "total" in err and "learning" in err


def test_json_people_carry_section_and_section_total() -> None:
    import json

    code, out, _ = run("evaluate", RULES, "--data", DATA, "--period", "2016Q3", "--format", "json")
    assert code == 0
    subjects = json.loads(out)["subjects"]
    totals = {s["id"]: s["total"] for s in subjects if s["kind"] == "section"}
    people = [s for s in subjects if s["kind"] == "person"]
    assert people and all(totals[p["section"]] == p["section_total"] for p in people)


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_only_on_a_terminal() -> None:
    assert progress_bar(io.StringIO(), "verify") is None
    assert progress_bar(_Terminal(), "verify", quiet=True) is None
    screen = _Terminal()
    step = progress_bar(screen, "verify")
    assert step is not None
    step(1, 4, "properties")
    assert "verify [█████···············] 1/4 properties" in screen.getvalue()
    step(4, 4, "")
    assert screen.getvalue().endswith("\r\x1b[K")


def test_verify_reports_each_stage() -> None:
    from compiler.pipeline import compile_rules
    from dsl.ruleset import DirectorySource
    from runtime.tools.verify import run_verify

    seen: list[tuple[int, int, str]] = []
    run_verify(
        compile_rules(DirectorySource(RULES)),
        5,
        lambda done, total, what: seen.append((done, total, what)),
    )
    assert seen[0][0] == 0 and seen[-1][0] == seen[-1][1] == 3
    assert [s[0] for s in seen] == sorted(s[0] for s in seen)
