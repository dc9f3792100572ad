"""The four result links (四个挂钩) on the bundled rules and data: annual grades,
promotion, the talk after two years in the bottom two, and training lists."""

from __future__ import annotations

import importlib.util
import io
import json
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from runtime import cli
from tests.clirun import run
from tests.variants import variant


def _evaluate(*extra: str) -> dict[str, Any]:
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(
        ["evaluate", "rules/yongzhou", "--data", "examples/yongzhou", "--format", "json", *extra],
        stdout=out, stderr=err,
    )  # fmt: skip
    assert code == 0, err.getvalue()
    document = json.loads(out.getvalue())
    assert isinstance(document, dict)
    return document


# The JSON documents are typed dict[str, Any]: the tests navigate them freely.
def _subjects(document: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [s for s in document["subjects"] if s["kind"] == kind]


def _effects(subject: dict[str, Any], link: str) -> list[str]:
    return [
        c["effect"] for c in subject["consequences"]
        if c["link"] == link and c["target"] == subject["id"]
    ]  # fmt: skip


@pytest.fixture(scope="module")
def january_september() -> dict[str, object]:
    return _evaluate("--period", "2016Q1..2016Q3")


@pytest.fixture(scope="module")
def whole_year(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """2016 as a whole year: the bundled data with a fourth quarter copied from the third."""
    data = tmp_path_factory.mktemp("year") / "yongzhou"
    shutil.copytree("examples/yongzhou", data)
    # The fourth quarter's supervision counts are the copied cells, not the table's items.
    (data / "supervision.csv").unlink()
    for name in ("sections.csv", "people.csv"):
        path = data / name
        lines = path.read_text(encoding="utf-8").splitlines()
        # Q4 is Q3 again, with the half-year indicators' cells (empty in Q3,
        # which is no checkpoint of theirs) taken from Q2.
        second = {row.split(",")[1]: row.split(",") for row in lines if row.startswith("2016Q2,")}
        extra = []
        for line in lines:
            if line.startswith("2016Q3,"):
                cells = line.split(",")
                earlier = second.get(cells[1], cells)
                cells = [c or earlier[n] for n, c in enumerate(cells)]
                extra.append(",".join(["2016Q4", *cells[1:]]))
        path.write_text("\n".join([*lines, *extra]) + "\n", encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(
        ["evaluate", "rules/yongzhou", "--data", str(data), "--period", "2016", "--format", "json"],
        stdout=out, stderr=err,
    )  # fmt: skip
    assert code == 0 and err.getvalue() == "", err.getvalue()
    document = json.loads(out.getvalue())
    assert isinstance(document, dict)
    return document


ANNUAL = {
    "section_excellent_head", "section_excellent_commendation", "person_excellent_annual",
    "person_not_excellent_nomination", "promotion_priority", "promotion_blocked",
}  # fmt: skip


def test_annual_links_do_not_fire_from_a_quarter_or_part_of_the_year(
    january_september: dict[str, object],
) -> None:
    quarter = _evaluate("--period", "2016Q3")
    for document in (quarter, january_september):
        fired = {c["link"] for s in document["subjects"] for c in s["consequences"]}  # type: ignore[union-attr]
        assert not fired & ANNUAL
        assert "training_list" in fired


def test_head_of_excellent_section_gets_annual_excellent(whole_year: dict[str, object]) -> None:
    sections = _subjects(whole_year, "section")
    people = {p["id"]: p for p in _subjects(whole_year, "person")}
    excellent = [s for s in sections if s["grade"] == "优秀"]
    assert excellent, "the bundled data has excellent sections"
    heads = {
        c["target"] for s in excellent for c in s["consequences"]
        if c["link"] == "section_excellent_head"
    }  # fmt: skip
    assert len(heads) == len(excellent)
    for head in heads:
        assert _effects(people[head], "section_excellent_head") == ["annual_grade: 优秀"]
    # Heads of other sections get no such consequence.
    others = [p for p in people.values() if p["id"] not in heads]
    assert not any(_effects(p, "section_excellent_head") for p in others)


def test_heads_get_nothing_from_the_links_for_other_staff(whole_year: dict[str, object]) -> None:
    sections = _subjects(whole_year, "section")
    people = {p["id"]: p for p in _subjects(whole_year, "person")}
    heads = {str(c["target"]) for s in sections for c in s["consequences"]
             if c["link"] == "section_excellent_head"}  # fmt: skip
    every_head = {p["id"] for p in people.values() if p["id"].endswith("01")}
    for ident, person in people.items():
        other_staff = _effects(person, "person_not_excellent_nomination") + _effects(
            person, "person_excellent_annual"
        )
        if ident in every_head:
            assert other_staff == []
        else:
            assert len(other_staff) == 1
    assert heads <= every_head


def test_bottom_ranked_person_is_not_promoted(whole_year: dict[str, object]) -> None:
    people = _subjects(whole_year, "person")
    last = max(int(str(p["rank"])) for p in people)
    for person in people:
        blocked = _effects(person, "promotion_blocked")
        assert blocked == (["promotion: 原则上当年不得提拔"] if person["rank"] == last else [])
        priority = _effects(person, "promotion_priority")
        assert priority == (["promotion: 同等条件下优先"] if int(str(person["rank"])) <= 3 else [])
        assert person["overridden"] == []  # 70 people: the last is not also among the first 3


def test_training_list_names_indicators_where_points_were_lost(
    january_september: dict[str, object],
) -> None:
    for person in _subjects(january_september, "person"):
        lost = [
            i for i in person["indicators"]
            if i["score"] is not None and Decimal(i["score"]) < Decimal(i["points"])
        ]  # fmt: skip
        effects = _effects(person, "training_list")
        if not lost:
            assert effects == []
            continue
        (effect,) = effects
        assert effect.startswith("training: ")
        listed = [part.rsplit(" -", 1)[0] for part in effect.removeprefix("training: ").split("; ")]
        assert listed == [i["name"] for i in lost]


def test_bottom_two_sections_two_years_running_trigger_the_talk(tmp_path: Path) -> None:
    # Publish 2015 January-September with the same rules, as in force in 2015.
    rules_2015 = tmp_path / "rules-2015"
    shutil.copytree("rules/yongzhou", rules_2015)
    manifest = rules_2015 / "ruleset.yaml"
    manifest.write_text(
        manifest.read_text(encoding="utf-8").replace("year: 2016", "year: 2015"), "utf-8"
    )
    store = tmp_path / "results.sqlite"
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(
        ["evaluate", str(rules_2015), "--data", "examples/yongzhou", "--period", "2015Q1..2015Q3",
         "--publish", "--store", str(store), "--format", "json"],
        stdout=out, stderr=err,
    )  # fmt: skip
    assert code == 0, err.getvalue()
    sections_2015 = _subjects(json.loads(out.getvalue()), "section")
    bottom_2015 = {s["id"] for s in sections_2015 if int(str(s["rank"])) > len(sections_2015) - 2}

    document = _evaluate("--period", "2016Q1..2016Q3", "--store", str(store))
    sections = _subjects(document, "section")
    people = {p["id"]: p for p in _subjects(document, "person")}
    bottom_2016 = {s["id"] for s in sections if int(str(s["rank"])) > len(sections) - 2}
    both = bottom_2015 & bottom_2016
    assert both, "the bundled data has a section in the bottom two in both years"
    assert bottom_2016 - bottom_2015, "and one only in 2016"
    for section in sections:
        talked = [c for c in section["consequences"] if c["link"] == "bottom_two_talk"]
        if section["id"] in both:
            (talk,) = talked
            assert talk["effect"] == "talk: 约谈"
            assert _effects(people[talk["target"]], "bottom_two_talk") == ["talk: 约谈"]
            assert _effects(section, "bottom_two_reorganize") == ["reorganize: 列入班子调整考虑"]
        else:
            assert talked == []


def test_the_quick_start_applies_the_two_years_running_links_without_warnings() -> None:
    # No store: 2015 comes from the published results bundled with the example.
    for period in ("2016Q3", "2016Q1..2016Q3"):
        out, err = io.StringIO(), io.StringIO()
        argv = ["evaluate", "rules/yongzhou", "--data", "examples/yongzhou", "--period", period]
        assert cli.main(argv, stdout=out, stderr=err) == 0
        assert err.getvalue() == ""
        document = _evaluate("--period", period)
        talks = {
            (s["id"], c["target"]) for s in _subjects(document, "section")
            for c in s["consequences"] if c["link"] == "bottom_two_talk"
        }  # fmt: skip
        assert talks == {("s12", "p1201")}, period


def test_the_bundled_2015_results_are_what_the_script_computes(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location(
        "publish_2015", "examples/yongzhou/publish_2015.py"
    )
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    script.write_all(tmp_path)
    bundled = Path("examples/yongzhou/published")
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == sorted(p.name for p in bundled.glob("*.json"))
    for name in names:
        assert (tmp_path / name).read_bytes() == (bundled / name).read_bytes(), name
        assert "synthetic" in json.loads((bundled / name).read_text(encoding="utf-8"))["note"]


def test_a_broken_bundled_file_is_one_located_error(tmp_path: Path) -> None:
    data = tmp_path / "yongzhou"
    shutil.copytree("examples/yongzhou", data)
    (data / "published" / "2015Q3.json").write_text("{not json", encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    argv = ["--lang", "en", "evaluate", "rules/yongzhou", "--data", str(data), "--period", "2016Q3"]
    assert cli.main(argv, stdout=out, stderr=err) == 1
    assert err.getvalue().count("error[E1017]") == 1
    assert "2015Q3.json" in err.getvalue()


def test_the_new_link_keys_are_checked_with_located_errors(tmp_path: Path) -> None:
    folder = variant(
        tmp_path,
        {
            "links.yaml": (
                '    reads: year\n    when: grade == "优秀"\n    effect: {commendation: 优先推荐}\n',
                '    reads: year\n    except: [liaison]\n    when: grade == "优秀"\n'
                "    effect: {commendation: 优先推荐}\n"
                "    overrides: [section_excellent_commendation, promotion_priorty, training_list]\n",
            ),
        },
    )
    text = (folder / "links.yaml").read_text(encoding="utf-8")
    text = text.replace(
        '    except: [head]\n    when: grade == "优秀"',
        '    roles: [staff]\n    except: [head]\n    when: grade == "优秀"',
        1,
    ).replace(
        "    when: rank <= 3\n", "    when: rank <= 3\n    overrides: [promotion_blocked]\n", 1
    )
    (folder / "links.yaml").write_text(text, encoding="utf-8")
    code, out, err = run("check", str(folder), "--lang", "en", "--output-format", "concise")
    assert code == 1 and out == ""
    found = [line.replace(str(folder), "RULES").split(" (help:")[0] for line in err.splitlines()]
    assert found == [
        "RULES/links.yaml:20:14: error[E0442]: link `section_excellent_commendation` gives its "
        "consequences to the section itself; `roles`/`except` choose among people",
        "RULES/links.yaml:23:17: error[E0444]: link `section_excellent_commendation` cannot "
        "override itself",
        "RULES/links.yaml:23:49: error[E0443]: `overrides` names no link `promotion_priorty`",
        "RULES/links.yaml:23:68: error[E0445]: link `training_list` has no effect kind in common "
        "with this one (commendation): there is nothing to override",
        "RULES/links.yaml:31:14: error[E0441]: link `person_excellent_annual` has both `roles` "
        "and `except`; write one of them",
        "RULES/links.yaml:49:17: error[E0446]: overrides go round in a circle: "
        "`promotion_priority` overrides `promotion_blocked`, and `promotion_blocked` overrides "
        "`promotion_priority` (directly or through others)",
        "RULES/links.yaml:58:17: error[E0446]: overrides go round in a circle: "
        "`promotion_blocked` overrides `promotion_priority`, and `promotion_priority` overrides "
        "`promotion_blocked` (directly or through others)",
    ]
    assert "did you mean `promotion_priority`?" in err
    # An unknown role or reading is the schema's located error.
    bad = variant(tmp_path, {"links.yaml": ("    except: [head]\n", "    except: [boss]\n")}, "bad")
    code, _, err = run("check", str(bad), "--lang", "en", "--output-format", "concise")
    assert code == 1 and err.startswith(f"{bad}/links.yaml:28:14: error[E0203]")


def test_an_overridden_consequence_is_in_the_results_and_the_explanation(tmp_path: Path) -> None:
    # Every quarter, the top 70 get priority and the last is blocked: the last gets both.
    folder = variant(
        tmp_path,
        {
            "links.yaml": (
                "    reads: year\n    when: rank <= 3\n",
                "    reads: period\n    when: rank <= 70\n",
            )
        },
    )
    text = (folder / "links.yaml").read_text(encoding="utf-8")
    text = text.replace(
        "    reads: year\n    when: rank == count\n", "    when: rank == count\n", 1
    )
    (folder / "links.yaml").write_text(text, encoding="utf-8")
    argv = ["--data", "examples/yongzhou", "--period", "2016Q3"]
    code, out, err = run("evaluate", str(folder), *argv, "--format", "json")
    assert (code, err) == (0, "")
    people = _subjects(json.loads(out), "person")
    (last,) = [p for p in people if p["overridden"]]
    assert last["rank"] == len(people)
    assert [c["link"] for c in last["consequences"] if c["link"].startswith("promotion")] == [
        "promotion_blocked"
    ]
    assert last["overridden"] == [
        {
            "link": "promotion_priority",
            "name": "个人绩效排名靠前，同等条件下优先提拔",
            "effect": "promotion: 同等条件下优先",
            "target": last["id"],
            "source": last["id"],
            "overridden_by": "promotion_blocked",
        }
    ]
    code, out, _ = run("explain", str(folder), *argv, "--subject", last["id"], "--lang", "en")
    assert code == 0
    assert (
        "link promotion_priority (promotion: 同等条件下优先) gives way to promotion_blocked, "
        "which overrides it" in out
    )
