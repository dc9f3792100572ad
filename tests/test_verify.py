"""jixiao verify: the bundled set verifies with its proven bounds printed;
crafted broken variants are each found and located; the interval analysis is
sound on generated rule sets (evaluation never leaves the proven bounds)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compiler.intervals import bounds
from compiler.pipeline import compile_rules
from compiler.verify import verify
from dsl.ruleset import DirectorySource
from runtime.engine.compiled import CompiledEvaluator
from runtime.tools.properties import check_properties
from tests.clirun import run
from tests.golden import assert_golden
from tests.variants import variant


def test_bundled_rules_verify_and_print_bounds() -> None:
    code, out, err = run("verify", "rules/yongzhou", "--lang", "zh")
    assert code == 0
    assert "error" not in err and "错误" not in err
    assert_golden(Path("tests/cases/verify/yongzhou.bounds.zh.txt"), out)
    assert "revenue 税收收入完成率" in out and "[0, 20]  (满分 20)" in out


def _findings(folder: Path) -> list[str]:
    _, _, err = run("verify", str(folder), "--lang", "en", "--output-format", "concise")
    return [line.replace(str(folder), "RULES") for line in err.splitlines() if line.strip()]


def test_gap_between_grade_bands(tmp_path: Path) -> None:
    folder = variant(
        tmp_path,
        {
            "grades.yaml": (
                "  - grade: 良好\n    min: 80\n",
                "  - grade: 良好\n    min: 80\n    max: 89.98\n",
            )
        },
    )
    assert (
        "RULES/grades.yaml:10:5: error[V0102]: no grade for totals from 89.99 to 89.99 (e.g. 89.99)"
        in _findings(folder)
    )


def test_overlap_between_grade_bands(tmp_path: Path) -> None:
    folder = variant(
        tmp_path,
        {
            "grades.yaml": (
                "  - grade: 良好\n    min: 80\n",
                "  - grade: 良好\n    min: 80\n    max: 95\n",
            )
        },
    )
    assert (
        "RULES/grades.yaml:10:5: error[V0103]: grades `优秀` and `良好` overlap from 90 to 95; "
        "`优秀`, listed first, takes precedence"
    ) in _findings(folder)


def test_points_not_summing_after_the_revision(tmp_path: Path) -> None:
    folder = variant(tmp_path, {"tasks.yaml": ("    points: 1\n", "    points: 2\n")})
    assert any(
        "error[V0101]: from 2016-04-01 to 2016-12-31 the section indicators in force add up to "
        "101 points, not full marks 100" in line
        for line in _findings(folder)
    )


def test_unreachable_grade(tmp_path: Path) -> None:
    folder = variant(tmp_path, {"grades.yaml": ("    min: 90\n", "    min: 110\n")})
    assert any(
        "error[V0104]: grade `优秀` can never be reached: totals are at most 103" in line
        for line in _findings(folder)
    )


def test_cap_that_never_binds(tmp_path: Path) -> None:
    folder = variant(
        tmp_path,
        {
            "indicators.yaml": (
                "    deduct: {per: 2, count: 违纪违规次数}",
                "    deduct: {per: 2, count: 违纪违规次数, cap: 12}",
            )
        },
    )
    assert any(
        "warning[V0108]: indicator `integrity`: its deduction cap 12 is not below its points 10"
        in line
        for line in _findings(folder)
    )


def test_unreachable_branch_and_unused_input(tmp_path: Path) -> None:
    folder = variant(tmp_path, {"indicators.yaml": (
        "        when 办结率 >= 90% then points * 办结率\n",
        "        when 办结率 >= 90% then points * 办结率\n        when 办结率 >= 95% then points\n",
    )})  # fmt: skip
    findings = _findings(folder)
    assert any(
        "warning[V0105]: this branch can never be taken" in line and "办结率 >= 95%" in line
        for line in findings
    )


RULES = """\
scheme: s
version: "1"
year: 2016
inputs:
  x: {{type: number, min: {xmin}, max: {xmax}}}
  n: count
indicators:
  - id: a
    name: a
    points: 10
    score: {formula}
"""
FORMULAS = [
    "clamp(x * 2, 0, points)",
    "if x >= 50 then points else max(0, points - (50 - x) * 0.3)",
    "case when x >= 90 then points when x >= 60 then points * x / 100 else points * 0.3 end",
    "min(points, safe_div(x, n, 1) * 10)",
    "round(abs(x - 5) / 2, 2)",
    "max(0, points - n * 0.5) + min(x, 3)",
]


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    st.sampled_from(FORMULAS),
    st.integers(-20, 50),
    st.integers(0, 120),
    st.lists(st.tuples(st.integers(-100, 200), st.integers(0, 30)), min_size=1, max_size=20),
)
def test_interval_analysis_is_sound(
    tmp_path: Path, formula: str, xmin: int, span: int, samples: list[tuple[int, int]]
) -> None:
    folder = tmp_path / f"r{abs(hash((formula, xmin, span)))}"
    folder.mkdir(exist_ok=True)
    (folder / "ruleset.yaml").write_text(
        RULES.format(xmin=xmin, xmax=xmin + span, formula=formula), encoding="utf-8"
    )
    result = compile_rules(DirectorySource(str(folder)))
    assert result.ok and "section" in result.programs and "section" in result.modules, (
        result.diagnostics
    )
    program = result.programs["section"]
    proven = bounds(program)
    evaluator = CompiledEvaluator(program, result.modules["section"])
    order = [f.name for f in program.inputs]
    for raw_x, n in samples:
        x = Decimal(xmin + raw_x % (span + 1))
        values = evaluator.evaluate(tuple({"x": x, "n": Decimal(n)}[name] for name in order))
        for slot, interval in proven.items():
            value = values[slot]
            if isinstance(value, Decimal):
                assert interval.contains(value), (
                    formula,
                    program.slots[slot].name,
                    value,
                    interval,
                )
    # A proven score range within 0..points means verify has nothing to say about it.
    verification = verify(program, None)
    score = proven[program.indicators[0].score]
    flagged = any(d.code == "V0110" for d in verification.findings)
    within = (
        score.low is not None and score.high is not None and 0 <= score.low and score.high <= 10
    )
    assert flagged != within


def test_no_gap_reported_means_sampling_finds_none(tmp_path: Path) -> None:
    """Whenever verify reports no grade gap, every total gets a grade."""
    from runtime.engine.population import UNGRADED, standings

    result = compile_rules(DirectorySource("rules/yongzhou"))
    assert "section" in result.programs and "section" in result.modules
    program = result.programs["section"]
    assert not [
        d for d in verify(program, result.programs.get("person")).findings if d.code == "V0102"
    ]
    total_slot = program.total
    for cents in range(-500, 10300, 7):
        values: list[object] = [None] * len(program.slots)
        values[total_slot] = Decimal(cents) / 100
        for _, slot in program.vetoes:
            values[slot] = False
        for band in program.grades:
            if band.requires is not None:
                values[band.requires] = True
        for slot, _ in program.ranking.keys if program.ranking else ():
            values[slot] = values[slot] if values[slot] is not None else Decimal(0)
        ranked = standings(program, [("s", values)])
        assert ranked["s"].grade != UNGRADED, cents


def test_violated_property_gives_a_rule_test_that_fails_until_the_rules_are_fixed(
    tmp_path: Path,
) -> None:
    folder = variant(
        tmp_path, {"grades.yaml": ("    always: total <= 100 + 3\n", "    always: total <= 95\n")}
    )
    code, out, err = run(
        "verify", str(folder), "--lang", "en", "--output-format", "concise", "--examples", "50"
    )
    assert code == 1
    failure = [line for line in err.splitlines() if "V0201" in line]
    assert len(failure) == 1
    assert "property `total_within_caps`" in failure[0] and "is a counterexample" in failure[0]
    # The counterexample is printed as a rule test, ready to paste under `cases:`.
    lines = out.splitlines()
    start = 1 + next(
        i for i, line in enumerate(lines) if line.startswith("a rule test reproducing")
    )
    end = next(i for i in range(start, len(lines)) if not lines[i].startswith("  "))
    case = "\n".join(lines[start:end]) + "\n"
    assert case.startswith('  - name: "total_within_caps: ')
    assert case.endswith("    properties: [total_within_caps]\n")
    (folder / "tests" / "counterexample.yaml").write_text("cases:\n" + case, encoding="utf-8")
    only = str(folder / "tests" / "counterexample.yaml")
    code, out, _ = run("test", str(folder), only, "--lang", "en")
    assert code == 1, out
    assert (
        "error[T0003]: property total_within_caps (科室总分不超过满分加上加分上限) does not hold"
        in out
    )
    # Fixed rules: the same test passes.
    grades = folder / "grades.yaml"
    fixed = grades.read_text(encoding="utf-8").replace("total <= 95", "total <= 100 + 3")
    grades.write_text(fixed, encoding="utf-8")
    code, out, _ = run("test", str(folder), only, "--lang", "en")
    assert code == 0, out
    assert "1 case(s): 1 passed" in out


def test_counterexamples_of_people_and_with_events_are_rule_tests_too(tmp_path: Path) -> None:
    """A person's counterexample gives their section total; item occurrences are events."""
    folder = variant(
        tmp_path,
        {
            "grades.yaml": (
                '    always: grade != "优秀" or total >= 90\n',
                "    always: not vetoed\n",
            )
        },
    )
    grades = folder / "grades.yaml"
    grades.write_text(
        grades.read_text(encoding="utf-8")
        + "  - id: person_no_veto\n    name: 个人没有被一票否决\n    subjects: person\n"
        + "    always: not vetoed\n",
        encoding="utf-8",
    )
    code, out, _ = run("verify", str(folder), "--lang", "en")
    assert code == 1
    cases = out.split("a rule test reproducing it")[1:]
    assert len(cases) == 2
    text = "cases:\n" + "".join(
        "\n".join(line for line in c.splitlines()[1:] if line.startswith("  ")) + "\n"
        for c in cases
    )
    assert "    events:\n      - {subject: " in text
    assert "section_total: " in text
    test_file = folder / "tests" / "found.yaml"
    test_file.write_text(text, encoding="utf-8")
    code, out, _ = run("test", str(folder), str(test_file), "--lang", "en")
    assert code == 1
    assert "2 case(s): 0 passed, 2 failed, 0 could not run" in out, out


def test_a_found_counterexample_is_kept_and_replayed_first(tmp_path: Path) -> None:
    folder = variant(
        tmp_path, {"grades.yaml": ("    always: total <= 100 + 3\n", "    always: total <= 95\n")}
    )
    result = compile_rules(DirectorySource(str(folder)))
    assert "section" in result.programs and "section" in result.modules
    store = str(tmp_path / "kept.json")
    first = {
        r.property.id: r
        for r in check_properties(
            result.programs["section"], result.modules["section"], 50, 1, store
        )
    }
    assert not first["total_within_caps"].holds
    assert "total_within_caps" in Path(store).read_text(encoding="utf-8")
    # Another seed and a single example would hardly find it again: the kept case does.
    again = {
        r.property.id: r
        for r in check_properties(
            result.programs["section"], result.modules["section"], 1, 2, store
        )
    }
    assert not again["total_within_caps"].holds
    assert again["total_within_caps"].counterexample == first["total_within_caps"].counterexample
    # Once the rules keep the property, the kept case no longer fails and is dropped.
    grades = folder / "grades.yaml"
    grades.write_text(
        grades.read_text(encoding="utf-8").replace("total <= 95", "total <= 100 + 3"),
        encoding="utf-8",
    )
    fixed = compile_rules(DirectorySource(str(folder)))
    assert "section" in fixed.programs and "section" in fixed.modules
    assert all(
        r.holds
        for r in check_properties(fixed.programs["section"], fixed.modules["section"], 20, 1, store)
    )
    assert "total_within_caps" not in Path(store).read_text(encoding="utf-8")


def test_a_pairwise_property_relates_two_subjects(tmp_path: Path) -> None:
    """Ranking by base instead of total: a section with more bonus points can
    rank behind one with a lower total; the pairwise property finds it."""
    folder = variant(tmp_path, {"grades.yaml": ("  by: total\n", "  by: base\n")})
    code, out, err = run("verify", str(folder), "--lang", "en", "--output-format", "concise")
    assert code == 1
    assert "property `rank_follows_total`" in err
    case = out.split("a rule test reproducing it")[1]
    kept = [line for line in case.splitlines()[1:] if line.startswith("  ")]
    text = "cases:\n" + "\n".join(kept) + "\n"
    assert "    events:\n" in text  # only bonus or deduction points part base from total
    (folder / "tests" / "pair.yaml").write_text(text, encoding="utf-8")
    code, out, _ = run("test", str(folder), str(folder / "tests" / "pair.yaml"), "--lang", "en")
    assert code == 1 and "error[T0003]: property rank_follows_total" in out


def test_other_takes_one_name_and_a_property_has_one_kind(tmp_path: Path) -> None:
    pairwise = "    pairwise: total <= other(total) or rank <= other(rank)\n"
    bad = "    pairwise: total <= other(total + 1) or rank <= other(rnak)\n"
    folder = variant(tmp_path, {"grades.yaml": (pairwise, bad)})
    code, _, err = run("check", str(folder), "--lang", "en", "--output-format", "concise")
    assert code == 1
    assert "grades.yaml:49:24: error[E0437]: `other(...)` takes exactly one name" in err
    assert "error[E0401]: unknown name `other(rnak)`" in err
    assert "did you mean `other(rank)`?" in err
    both = tmp_path / "both"
    both.mkdir()
    folder = variant(both, {"grades.yaml": (pairwise, pairwise + "    always: true\n")})
    code, _, err = run("check", str(folder), "--lang", "en", "--output-format", "concise")
    assert code == 1
    assert "error[E0434]: property `rank_follows_total` needs exactly one of" in err


def test_a_monotone_property_is_tested_on_every_subject(tmp_path: Path) -> None:
    """collection_quality applies to 业务科室 only, and the first generated
    section is a 综合科室: the step must be tried on every section, not the
    first alone."""
    folder = variant(tmp_path, {})
    grades = folder / "grades.yaml"
    grades.write_text(
        grades.read_text(encoding="utf-8")
        + "  - id: quality_decreasing\n    name: 方向写反\n"
        + "    monotone: {of: collection_quality, input: 征管质量得分, direction: decreasing}\n",
        encoding="utf-8",
    )
    code, out, _ = run("verify", str(folder), "--lang", "en")
    assert code == 1
    assert "property quality_decreasing (方向写反) fails" in out
    assert "property revenue_monotone (入库税收越多，税收收入完成率得分不会越低): holds" in out


def test_unresolved_contradiction_between_links_is_found_with_a_witness(tmp_path: Path) -> None:
    # Without `overrides`, the last of three people is also among the first three.
    folder = variant(tmp_path, {"links.yaml": ("    overrides: [promotion_priority]\n", "")})
    findings = _findings(folder)
    expected = (
        "RULES/links.yaml:41:9: warning[V0114]: links `promotion_priority` and `promotion_blocked` "
        '(RULES/links.yaml:49:9) can both give one person a promotion, "同等条件下优先" and '
        '"原则上当年不得提拔", and no `overrides` decides which stands (e.g. rank = 1, count = 1)'
    )
    (line,) = [f for f in findings if "V0114" in f]
    assert line.startswith(expected), line
    # The bundled set declares the precedence: nothing to report.
    assert not any("V0114" in line for line in _findings(Path("rules/yongzhou")))


def test_links_kept_apart_by_roles_or_reads_do_not_contradict(tmp_path: Path) -> None:
    # The head's own link would give the head a second annual grade, unless heads are excluded.
    folder = variant(tmp_path, {"links.yaml": ("    except: [head]\n", "")})
    findings = _findings(folder)
    (line,) = [f for f in findings if "V0114" in f]
    assert "`section_excellent_head` and `person_excellent_annual`" in line
    assert 'section_excellent_head: grade = "优秀"; person_excellent_annual: grade = "优秀"' in line
    quarterly = variant(
        tmp_path,
        {"links.yaml": ("    reads: year\n    except: [head]\n", "    reads: quarter\n")},
        name="quarterly",
    )
    assert not any("V0114" in f for f in _findings(quarterly))
