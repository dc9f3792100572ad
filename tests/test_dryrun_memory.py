"""A dry-run or a year that holds less (issue #15): the same results.

A dry-run slims each period's evaluations to what its report and the
roll-up over the periods read, and drops the rows of the periods it has
compared from the tables it read once; ``evaluate`` of a range keeps the
earlier quarters only as far as the roll-up reads them.  Each is checked
here against the path that keeps everything."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from dsl.tablefiles import Table
from runtime.cli import _compiled
from runtime.engine.run import evaluate_rules
from runtime.inputs.periods import Period, parse_periods
from runtime.render.results import json_chunks
from runtime.tools.dryrun import _rows_dropped, compare

ROOT = Path(__file__).resolve().parent.parent
SANCTIONS = ROOT / "tests" / "cases" / "sanctions"


def _sanctions_over_two_quarters(tmp_path: Path) -> tuple[Path, Path]:
    """The sanctions example with a roll-up and a first quarter in which a
    sanction is raised by data (s1: 3 of 10 checks unreachable)."""
    rules = tmp_path / "rules"
    shutil.copytree(SANCTIONS / "rules", rules)
    manifest = rules / "ruleset.yaml"
    manifest.write_text(
        manifest.read_text(encoding="utf-8") + "rollup:\n  method: average\n", encoding="utf-8"
    )
    data = tmp_path / "data"
    shutil.copytree(SANCTIONS / "data", data)
    table = data / "sections.csv"
    lines = table.read_text(encoding="utf-8").splitlines()
    first = ["2017Q1,s1,96,10,3", "2017Q1,s2,91,10,0", "2017Q1,s3,80,10,0", "2017Q1,s4,92,10,0"]
    table.write_text("\n".join([lines[0], *first, *lines[1:]]) + "\n", encoding="utf-8")
    return rules, data


def test_a_slimmed_dry_run_rolls_up_sanctions_raised_in_any_quarter(tmp_path: Path) -> None:
    rules, data = _sanctions_over_two_quarters(tmp_path)
    compilation = _compiled(str(rules))
    periods = parse_periods("2017Q1..2017Q2")
    kept, slim = (
        compare(compilation, compilation, str(data), periods, ("a", "b"), keep_results=keep)
        for keep in (True, False)
    )
    assert kept.cumulative is not None and slim.cumulative is not None
    assert slim.cumulative == kept.cumulative
    assert slim.periods == kept.periods
    grades = {s.id: s.grade_after for s in kept.cumulative.subjects}
    assert grades["s1"] == "不称职"  # raised in 2017Q1: it holds for the range


def test_a_range_evaluated_for_its_roll_up_only_gives_the_same_document(tmp_path: Path) -> None:
    rules, data = _sanctions_over_two_quarters(tmp_path)
    compilation = _compiled(str(rules))
    program = compilation.programs["section"]
    documents = []
    for keep in (True, False):
        evaluation = evaluate_rules(
            compilation, str(data), parse_periods("2017Q1..2017Q2"), keep_quarters=keep
        )
        documents.append(
            "".join(
                json_chunks(
                    program,
                    None,
                    evaluation.label,
                    evaluation.digest,
                    evaluation.sections,
                    evaluation.people,
                )
            )
        )
    assert documents[0] == documents[1]
    assert json.loads(documents[0])["subjects"]


def _table(*rows: list[str]) -> Table:
    return Table("t.csv", ["period", "subject", "x"], [(n + 2, r) for n, r in enumerate(rows)])


def test_rows_of_periods_compared_are_dropped_only_where_no_reader_could_tell(
    tmp_path: Path,
) -> None:
    rules, _ = _sanctions_over_two_quarters(tmp_path)
    compilation = _compiled(str(rules))
    slim = _rows_dropped([Period(2017, 2)], compilation, compilation)
    table = _table(["2017Q1", "s1", "1"], ["2017Q2", "s1", "2"], ["2017Q4", "s1", "3"])
    assert slim(table).rows == [(3, ["2017Q2", "s1", "2"])]  # row numbers kept
    whole = [
        _table(["2017Q1", "s1", "1"], ["2017-05", "s1", "2"]),  # month rows: read by quarter
        _table(["2017Q1", "s1", "1"], ["soon", "s1", "2"]),  # not a period: reported
        _table(["2017", "s1", "1"], ["2017Q2", "s1", "2"]),  # a year in quarterly data
        _table(["2017Q1", "s9", "1"], ["2017Q2", "s1", "2"]),  # s9 named only in 2017Q1
        _table(["2017Q2", "s1", "1"]),  # nothing to drop
    ]
    for table in whole:
        assert slim(table) is table
    # Event rows dated in periods done are dropped (the reader skips them) ...
    header = ["date", "subject", "item", "period"]
    events = Table(
        "e.csv", header, [(2, ["2017-01-02", "s1", "w", ""]), (3, [" 2017-04-03", "s1", "w", ""])]
    )
    assert slim(events).rows == [(3, [" 2017-04-03", "s1", "w", ""])]
    # ... unless a date does not read (reported again) or no row would be left.
    for rows in (
        [(2, ["2017-01-02", "s1", "w", "2017Q1"])],
        [(2, ["2017-13-02", "s1", "w", ""]), (3, ["2017-04-03", "s1", "w", ""])],
        [(2, ["2017-04-03", "s1", "w", ""]), (3, ["s1", "w"])],
    ):
        whole_events = Table("e.csv", header, rows)
        assert slim(whole_events) is whole_events


def _bundled_sections() -> dict[str, str]:
    """The bundled organization's sections, id -> name (what the supervision reader checks against)."""
    organization = _compiled(str(ROOT / "rules" / "yongzhou")).programs["section"].organization
    assert organization is not None
    return {s.id: s.name for s in organization.sections}


def test_supervision_items_are_made_for_the_periods_asked_and_every_row_checked(
    tmp_path: Path,
) -> None:
    from datetime import date

    from runtime.inputs.supervision import due_in, read_supervision

    sections = _bundled_sections()
    data = tmp_path / "data"
    shutil.copytree(ROOT / "examples" / "yongzhou", data)
    table = data / "supervision.csv"
    lines = table.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    bad = dict.fromkeys(header, "")
    bad.update(
        id="X-1", letter="L", issued="2016-13-01", subject="s01", matter="m", due="2015-01-02"
    )
    table.write_text("\n".join([*lines, ",".join(bad[h] for h in header)]) + "\n", encoding="utf-8")
    every, problems = read_supervision(str(data), sections)
    span = (date(2016, 4, 1), date(2016, 6, 30))
    with due_in([span]):
        asked, asked_problems = read_supervision(str(data), sections)
    assert asked_problems == problems and problems  # the bad row is reported either way
    assert asked[0] == every[0]  # the first item whatever its due date
    assert asked[1:] == [i for i in every[1:] if span[0] <= i.due <= span[1]]
    assert len(asked) < len(every)


def test_supervision_items_due_before_the_periods_left_are_dropped_but_the_first(
    tmp_path: Path,
) -> None:
    from datetime import date

    from runtime.inputs.supervision import drop_items_due_before, read_supervision
    from runtime.inputs.tables import read_once

    sections = _bundled_sections()
    data = str(ROOT / "examples" / "yongzhou")
    day = date(2016, 7, 1)
    with read_once():
        every, problems = read_supervision(data, sections)
        drop_items_due_before(day)
        left, left_problems = read_supervision(data, sections)
    assert every[0].due < day and left[0] == every[0]  # items read never become none
    assert left[1:] == [i for i in every[1:] if i.due >= day]
    assert len(left) < len(every) and left_problems == problems
    assert read_supervision(data, sections) == (every, problems)  # outside: read as ever


def test_the_bundled_dry_run_slimmed_gives_what_keeping_everything_gives() -> None:
    """Events, supervision items and rows of the periods done dropped, the
    slimmed results sharing sources and numbers: the same comparison."""
    baseline = _compiled(str(ROOT / "rules" / "yongzhou") + "#2016-03-31", every_context=True)
    candidate = _compiled(str(ROOT / "rules" / "yongzhou") + "#2016-04-01", every_context=True)
    periods = parse_periods("2016Q1..2016Q3")
    data = str(ROOT / "examples" / "yongzhou")
    kept, slim = (
        compare(baseline, candidate, data, periods, ("a", "b"), keep_results=keep)
        for keep in (True, False)
    )
    assert slim.periods == kept.periods and slim.cumulative == kept.cumulative
    assert kept.cumulative is not None and any(p.subjects for p in kept.periods)
