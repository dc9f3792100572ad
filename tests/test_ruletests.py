"""jixiao test: rule tests beside the rules, their located problems, their
failures, and the coverage of bands, branches, levels, caps, vetoes and links."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from tests.clirun import run
from tests.gitrepo import git, repository_of_bundled_rules
from tests.golden import assert_golden

CASES = Path("tests/cases/ruletests")


def _rules(tmp_path: Path, tests: dict[str, str] | None = None) -> Path:
    """A copy of the bundled rules; ``tests`` replaces its test files."""
    folder = tmp_path / "rules"
    shutil.copytree("rules/yongzhou", folder)
    if tests is not None:
        shutil.rmtree(folder / "tests")
        (folder / "tests").mkdir()
        for name, text in tests.items():
            (folder / "tests" / name).write_text(text, encoding="utf-8")
    return folder


def _relative(text: str, folder: Path) -> str:
    return text.replace(str(folder.parent) + "/", "")


def test_bundled_rule_tests_pass_with_full_coverage() -> None:
    code, out, err = run("test", "rules/yongzhou", "--fail-under", "100", "--lang", "en")
    assert (code, err) == (0, "")
    assert "22 case(s): 22 passed, 0 failed, 0 could not run" in out
    for line in ("grade bands         8/8   100.0%", "links               9/9   100.0%",
                 "total              78/78  100.0%"):  # fmt: skip
        assert line in out
    # The people's overall caps never bind (verify proves it): left out, and said so.
    assert "left out (jixiao verify proves no data can reach them):" in out
    assert "rules/yongzhou/items.yaml:5:14  caps (person)  bonus_cap" in out
    assert_golden(CASES / "yongzhou.en.txt", out)


def test_bundled_rule_tests_json() -> None:
    code, out, _ = run("test", "rules/yongzhou", "--format", "json")
    document = json.loads(out)
    assert code == 0
    assert {c["result"] for c in document["cases"]} == {"pass"}
    assert document["coverage"]["percent"] == "100.0"
    assert document["coverage"]["categories"]["link"] == {
        "targets": 9, "covered": 9, "percent": "100.0"
    }  # fmt: skip
    assert [t["label"] for t in document["coverage"]["unreachable"]] == [
        "bonus_cap",
        "deduction_cap",
    ]


_HEADER = """\
period: 2016Q2
defaults:
  sections: {实际入库: 100, 收入计划: 100, 征管质量得分: 15, 依法行政评价: 好, 机关管理评价: 好,
             创卫评价: 好, 创文评价: 好, 满意率: 100%, 扶贫评价: 好}
cases:
"""


def test_every_problem_of_the_test_files_is_reported_at_once(tmp_path: Path) -> None:
    broken = (
        _HEADER
        + """\
  - name: misspelt names
    sections:
      s4: {}
      s05: {实际入库量: 90}
    events:
      - {subject: s05, item: provincal_commendation}
    expect:
      s05: {revenu: 18, grade: 特优, rank: 0, links: [section_excellent]}
    properties: [veto_fail]
  - nmae: a key misspelt
"""
    )
    no_period = (
        _HEADER.replace("period: 2016Q2\n", "")
        + """\
  - name: no period anywhere
    sections:
      s04: {}
"""
    )
    folder = _rules(tmp_path, {"broken.yaml": broken, "no_period.yaml": no_period})
    outputs = {}
    for lang in ("zh", "en"):
        code, out, err = run("test", str(folder), "--lang", lang)
        assert (code, out) == (1, "")
        outputs[lang] = _relative(err, folder)
    # A schema problem stops its own case only; every name is checked at its
    # line, with "did you mean".
    assert_golden(CASES / "errors.zh.txt", outputs["zh"])
    assert_golden(CASES / "errors.en.txt", outputs["en"])
    for expected in (
        "E0201",
        "E1002",
        "E1003",
        "E1004",
        "E1005",
        "E1006",
        "E1007",
        "E1008",
        "E1009",
    ):
        assert f"[{expected}]" in outputs["en"], expected
    assert "error[E1012]: case “no period anywhere” names no period" in outputs["en"]


def test_a_failing_expectation_is_shown_at_the_expected_value(tmp_path: Path) -> None:
    wrong = (
        _HEADER
        + """\
  - name: revenue at 95% of plan
    sections:
      s05: {实际入库: 95}
    expect:
      s05: {revenue: 19, grade: 良好}
"""
    )
    folder = _rules(tmp_path, {"wrong.yaml": wrong})
    code, out, err = run("test", str(folder), "--lang", "en")
    assert (code, err) == (1, "")
    out = _relative(out, folder)
    assert "rules/tests/wrong.yaml:6  FAIL  revenue at 95% of plan" in out
    assert "error[T0001]: s05 revenue: expected 19, got 18.00" in out
    assert " --> rules/tests/wrong.yaml:10:22" in out
    assert "grade" not in out.split("error[T0001]")[1].split("\n")[0]  # the grade was right
    assert "1 case(s): 0 passed, 1 failed, 0 could not run" in out


def test_bad_input_values_are_located_in_the_test_file(tmp_path: Path) -> None:
    bad = (
        _HEADER
        + """\
  - name: a level that does not exist
    sections:
      s05: {依法行政评价: 很好, 满意率: 120%}
    events:
      - {subject: s05, item: criticized, date: 2016-01-05}
"""
    )
    folder = _rules(tmp_path, {"bad.yaml": bad})
    code, out, _ = run("test", str(folder), "--lang", "en", "--output-format", "concise")
    out = _relative(out, folder)
    assert code == 1
    assert "rules/tests/bad.yaml:6  ERROR  a level that does not exist" in out
    assert "rules/tests/bad.yaml:8 [依法行政评价]: error[E0806]" in out
    assert "rules/tests/bad.yaml:8 [满意率]: error[E0807]" in out
    assert "rules/tests/bad.yaml:10:48: error[E1014]" in out
    assert "0 passed, 0 failed, 1 could not run" in out


def test_coverage_lists_what_no_test_reaches_and_fail_under_fails(tmp_path: Path) -> None:
    folder = _rules(tmp_path)
    (folder / "tests" / "items.yaml").unlink()  # the only cases reaching caps and vetoes
    code, out, _ = run("test", str(folder), "--lang", "en", "--fail-under", "95")
    out = _relative(out, folder)
    assert code == 1
    assert "caps                3/11   27.2%" in out
    assert "rules/items.yaml:47:5  vetoes (section)  discipline_case" in out
    assert "rules/items.yaml:9:5  caps (section)  provincial_commendation" in out
    assert "coverage 87.1% is below the required 95%" in out
    code, _, _ = run("test", str(folder), "--fail-under", "85")
    assert code == 0


def test_a_revision_adding_a_band_is_uncovered_until_a_test_reaches_it(tmp_path: Path) -> None:
    folder = _rules(tmp_path)
    grades = folder / "grades.yaml"
    text = grades.read_text(encoding="utf-8")
    added = "  - grade: 基本合格\n    min: 50\n    blocked_by: [fail]\n  - grade: 不合格\n"
    grades.write_text(text.replace("  - grade: 不合格\n", added), encoding="utf-8")
    code, out, _ = run("test", str(folder), "--lang", "en", "--fail-under", "100")
    out = _relative(out, folder)
    # Every test still passes (no test total lies in 50..60), but the new band
    # is reached by none of them, and full coverage is required.
    assert code == 1
    assert "22 case(s): 22 passed" in out
    assert "grade bands         8/9    88.8%" in out
    assert "rules/grades.yaml:20:5  grade bands (section)  基本合格" in out
    assert "coverage 98.7% is below the required 100%" in out
    tests = folder / "tests" / "grades.yaml"
    tests.write_text(
        tests.read_text(encoding="utf-8")
        + """
  - name: 50 分以上不到 60 分为基本合格
    sections:
      s07: {实际入库: 50, 征管质量得分: 0, 依法行政评价: 差, 机关管理评价: 差, 满意率: 80%}
    expect:
      s07: {grade: 基本合格}
""",
        encoding="utf-8",
    )
    code, out, _ = run("test", str(folder), "--lang", "en", "--fail-under", "100")
    assert code == 0, out
    assert "grade bands         9/9   100.0%" in out


def test_naming_test_files_and_a_git_revision(tmp_path: Path) -> None:
    code, out, _ = run("test", "rules/yongzhou", "rules/yongzhou/tests/people.yaml", "--lang", "en")
    assert code == 0
    assert "2 case(s): 2 passed" in out
    repo = repository_of_bundled_rules(tmp_path)
    (repo / "rules" / "tests" / "people.yaml").unlink()
    git(repo, "commit", "-q", "-am", "drop the people's tests")
    code, out, _ = run("test", f"{repo / 'rules'}@HEAD~1", "--lang", "en")
    assert code == 0 and "22 case(s): 22 passed" in out
    code, out, _ = run("test", f"{repo / 'rules'}@HEAD", "--lang", "en")
    assert code == 0 and "20 case(s): 20 passed" in out


def test_no_tests_is_an_error(tmp_path: Path) -> None:
    folder = _rules(tmp_path)
    shutil.rmtree(folder / "tests")
    code, _, err = run("test", str(folder), "--lang", "en")
    assert code == 1
    assert "error[E1011]: no rule tests in" in err


@pytest.mark.parametrize("value", ["101", "-1", "abc"])
def test_fail_under_must_be_a_percentage(value: str) -> None:
    code, _, err = run("test", "rules/yongzhou", "--fail-under", value)
    assert code == 2 and "--fail-under" in err


def test_history_for_the_wrong_year_is_warned_about(tmp_path: Path) -> None:
    folder = _rules(tmp_path)
    grades = folder / "tests" / "grades.yaml"
    grades.write_text(
        grades.read_text(encoding="utf-8").replace("      2015Q2:\n", "      2014Q2:\n"),
        encoding="utf-8",
    )
    code, out, _ = run("test", str(folder), str(grades), "--lang", "en")
    assert code == 1
    assert "warning[W0901]: link `bottom_two_talk` needs the published results of 2015Q2" in out
    assert "s07 links: expected [bottom_two_reorganize, bottom_two_talk], got []" in out
    # Cases without history have no earlier results: no warning for them.
    assert out.count("warning[W0901]: link `bottom_two_talk`") == 1


def test_mistakes_found_in_review_are_reported_once_and_plainly(tmp_path: Path) -> None:
    mistakes = (
        _HEADER.replace("cases:\n", "")
        + """\
  people: {履职评价: 好, 学习得分: 15, 学习得份: 1}
cases:
  - name: wrong kinds
    sections:
      p0101: {}
    people:
      p0102: {section_total: 80%}
    expect:
      p0102: {links: [section_excellent_head, person_excellent_annual, person_excellent_annual]}
  - name: wrong history
    sections:
      s07: {}
    history:
      "2016Q1": {s07: {rank: 18, count: 17, total: 70}}
      "2015Q2": {s07: {rank: 1, total: 99, grade: 特优}}
  - name: ""
"""
    )
    folder = _rules(tmp_path, {"mistakes.yaml": mistakes})
    code, _, err = run("test", str(folder), "--lang", "en", "--output-format", "concise")
    err = _relative(err, folder)
    assert code == 1
    assert "error[E1015]: `p0101` is a person: list it under `people`" in err
    assert "invalid expected value of `section_total`: points such as 85.5" in err
    assert "invalid expected value of `links`: a list of ids, each once" in err
    assert "error[E1016]: the history period `2016Q1` must be a period before 2016" in err
    assert "invalid expected value of `rank`: a rank no greater than count" in err
    assert "error[E1007]: no grade `特优`" in err
    assert "error[E0203]" in err  # the empty name
    # The defaults' misspelt input, checked with each of the three cases, once.
    assert err.count("no input named `学习得份`") == 1


def test_links_of_the_other_kind_and_properties_with_nobody_to_check(tmp_path: Path) -> None:
    other = (
        _HEADER
        + """\
  - name: a head receives the section's link
    sections:
      s04: {}
    people:
      p0401: {履职评价: 好, 学习得分: 15}
    expect:
      p0401: {links: [section_excellent_head]}
"""
    )
    folder = _rules(tmp_path, {"other.yaml": other})
    code, _, err = run("test", str(folder), "--lang", "en", "--output-format", "concise")
    assert code == 1
    assert (
        "`section_excellent_head` is a link of the other kind of subject; "
        "what a subject receives goes under `receives`" in err
    )
    nobody = (
        _HEADER
        + """\
  - name: only sections
    sections:
      s04: {}
    properties: [person_excellent_needs_90]
"""
    )
    folder = _rules(tmp_path / "b", {"nobody.yaml": nobody})
    code, out, _ = run("test", str(folder), "--lang", "en")
    assert code == 1
    assert "error[T0004]: no person in this case to check property person_excellent_needs_90" in out


def test_population_all_reports_a_missing_default_once_per_input(tmp_path: Path) -> None:
    everyone = """\
period: 2016Q2
cases:
  - name: everyone, without defaults
    population: all
    sections:
      s04: {实际入库: 100, 收入计划: 100, 征管质量得分: 15, 依法行政评价: 好, 机关管理评价: 好,
            创卫评价: 好, 创文评价: 好, 满意率: 100%, 扶贫评价: 好}
"""
    folder = _rules(tmp_path, {"everyone.yaml": everyone})
    code, out, _ = run("test", str(folder), "--lang", "en", "--output-format", "concise")
    assert code == 1
    assert out.count("error[E0803]") == len(set(re.findall(r"\[(\S+)\]: error\[E0803\]", out)))


@pytest.mark.parametrize(
    ("name", "usage"),
    [("people.yaml", False), ("rules/yongzhou/tests/people.yaml", False),
     ("rules/yongzhou/items.yaml", True), ("/etc/hosts", True)],
)  # fmt: skip
def test_test_files_are_named_in_the_tests_folder(name: str, usage: bool) -> None:
    code, out, err = run("test", "rules/yongzhou", name, "--lang", "en")
    if usage:
        assert code == 2 and "must be in the rule set's tests/ folder" in err
    else:
        assert code == 0 and "2 case(s): 2 passed" in out


def test_a_quota_is_covered_only_when_it_keeps_someone_out(tmp_path: Path) -> None:
    below = (
        _HEADER
        + """\
  - name: one section below every quota
    sections:
      s06: {征管质量得分: 5, 依法行政评价: 差, 机关管理评价: 差, 创卫评价: 差, 创文评价: 差,
            扶贫评价: 差, 满意率: 80%}
    expect:
      s06: {total: 74, grade: 合格}
"""
    )
    folder = _rules(tmp_path, {"below.yaml": below})
    code, out, _ = run("test", str(folder), "--lang", "en")
    out = _relative(out, folder)
    assert code == 0
    assert "quotas              0/2     0.0%" in out
    assert "rules/grades.yaml:10:5  quotas (section)  优秀" in out
    # 96 points and a full quota: 优秀 is kept from s05, which reaches the section quota.
    kept_out = below.replace(
        "s06: {征管质量得分: 5", "s04: {}\n      s05: {实际入库: 90}\n      s06: {征管质量得分: 5"
    )
    folder = _rules(tmp_path / "b", {"kept.yaml": kept_out})
    code, out, _ = run("test", str(folder), "--lang", "en")
    assert "quotas              1/2    50.0%" in out


def test_history_grades_point_at_the_value_and_rank_total_only_when_read(tmp_path: Path) -> None:
    """Issue #11: ``grade: 不定等次`` in an earlier result is shown at the value
    with a hint to write ``ungraded``; ``rank`` and ``total`` are asked for only
    because the bundled history links read ``rank`` (E0470 names the link)."""
    history = (
        _HEADER
        + """\
  - name: earlier results
    sections:
      s07: {}
    history:
      2015Q2:
        s07: {grade: 不定等次}
        s04: {rank: 1, count: 17, total: 99, grade: 优秀}
"""
    )
    folder = _rules(tmp_path, {"history.yaml": history})
    outputs = {}
    for lang in ("zh", "en"):
        code, out, err = run("test", str(folder), "--lang", lang)
        assert (code, out) == (1, "")
        outputs[lang] = _relative(err, folder)
    assert "ungraded" in outputs["en"]
    assert outputs["en"].count("E0470") == 2  # two history links read rank; total is not read
    assert "`total`" not in outputs["en"]
    assert_golden(CASES / "history.zh.txt", outputs["zh"])
    assert_golden(CASES / "history.en.txt", outputs["en"])


def test_a_prerequisite_is_covered_only_when_it_keeps_someone_out(tmp_path: Path) -> None:
    """`requires` on a band is a target of its own: reached when it alone keeps a
    subject out of a band whose threshold admits them."""
    case = (
        _HEADER
        + """\
  - name: a section between 80 and 90
    sections:
      s06: {征管质量得分: 5, 满意率: SHARE}
    expect:
      s06: {grade: GRADE}
"""
    )
    reached = {}
    for share, grade in (("100%", "良好"), ("90%", "合格")):
        folder = _rules(
            tmp_path / share.rstrip("%"),
            {"t.yaml": case.replace("SHARE", share).replace("GRADE", grade)},
        )
        grades = folder / "grades.yaml"
        text = grades.read_text(encoding="utf-8")
        band = "  - grade: 良好\n    min: 80\n"
        assert band in text
        grades.write_text(
            text.replace(band, band + "    requires: 满意率 >= 95%\n"), encoding="utf-8"
        )
        code, out, _ = run("test", str(folder), "--lang", "en")
        assert code == 0, out
        assert "1 case(s): 1 passed" in out
        reached[share] = "prerequisites       1/1   100.0%" in out
        if share == "100%":  # 良好 given: the prerequisite held, so it kept nobody out
            assert "prerequisites       0/1     0.0%" in out
            assert "grade bands (section)  良好" not in out
            assert "rules/grades.yaml:16:15  prerequisites (section)  良好" in _relative(
                out, folder
            )
    assert reached == {"100%": False, "90%": True}
