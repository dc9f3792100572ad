"""The organization read from tables (``dsl/rostertables.py``).

The bundled organization converted to tables (CSV, and an XLSX workbook with
one sheet per part) evaluates byte for byte as the YAML one does; the tables
of a git revision are read from that revision; the rules digest covers the
tables; every problem of a table is located at its cell (goldens in
``tests/cases/failure/roster_*``); and a seeded roster of 200,000 people is
read and checked in seconds, its one bad row located.
"""

from __future__ import annotations

import csv
import random
import re
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from compiler.pipeline import check, compile_rules
from dsl.diagnostics import render_all
from dsl.gitsource import GitSource
from dsl.ruleset import DirectorySource, load_ruleset
from runtime.engine.subjects import rules_digest
from tests.clirun import run
from tests.gitrepo import git

BUNDLED = Path("rules/yongzhou")
DATA = "examples/yongzhou"

HEADS: dict[str, list[str]] = {
    "sections": ["科室编号", "科室名称", "考核组", "标签", "负责人", "联络员"],
    "people": ["工号", "姓名", "科室", "岗位"],
    "posts": ["岗位", "岗位名称", "岗位职责"],
}


def _rows(organization: dict[str, Any]) -> dict[str, list[list[str]]]:
    """The bundled organization's parts as an HR export's rows."""
    return {
        "sections": [
            [s["id"], s["name"], s["group"], "、".join(s.get("tags", [])),
             s.get("head", ""), s.get("liaison", "")]
            for s in organization["sections"]
        ],
        "people": [
            [p["id"], p["name"], p["section"], p.get("post", "")] for p in organization["people"]
        ],
        "posts": [
            [p["id"], p.get("name", ""), "\n".join(p.get("duties", []))]
            for p in organization["posts"]
        ],
    }  # fmt: skip


def _organization_yaml(source: Path, tables: dict[str, str]) -> str:
    """The bundled organization.yaml with its groups inline and the rest in tables."""
    text = (source / "organization.yaml").read_text(encoding="utf-8")
    organization = yaml.safe_load(text)["organization"]
    comments = text[: text.index("organization:")]
    groups = "".join(
        f"    - {{id: {g['id']}, name: {g['name']}}}\n" for g in organization["groups"]
    )
    named = ", ".join(f"{part}: {path}" for part, path in tables.items())
    return f"{comments}organization:\n  groups:\n{groups}  tables: {{{named}}}\n"


def as_tables(target: Path, workbook: bool = False) -> Path:
    """A copy of the bundled rules whose sections, people and posts are tables:
    three CSV files, or one workbook with a sheet per part."""
    shutil.copytree(BUNDLED, target)
    text = (BUNDLED / "organization.yaml").read_text(encoding="utf-8")
    rows = _rows(yaml.safe_load(text)["organization"])
    (target / "org").mkdir()
    if workbook:
        book = openpyxl.Workbook()
        book.remove(book.active)  # type: ignore[arg-type]
        for part, found in rows.items():
            sheet = book.create_sheet(part)
            sheet.append(HEADS[part])
            for row in found:
                sheet.append(row)
        book.save(target / "org" / "roster.xlsx")
        tables = {part: f"org/roster.xlsx#{part}" for part in rows}
    else:
        for part, found in rows.items():
            with open(target / "org" / f"{part}.csv", "w", newline="", encoding="utf-8-sig") as f:
                writer = csv.writer(f)
                writer.writerow(HEADS[part])
                writer.writerows(found)
        tables = {part: f"org/{part}.csv" for part in rows}
    (target / "organization.yaml").write_text(_organization_yaml(BUNDLED, tables), encoding="utf-8")
    return target


def _without_digest(text: str) -> str:
    return re.sub(r'"rules_digest": "sha256:[0-9a-f]+"', '"rules_digest": ""', text)


@pytest.mark.parametrize("workbook", [False, True], ids=["csv", "xlsx"])
def test_the_bundled_organization_as_tables_evaluates_identically(
    tmp_path: Path, workbook: bool
) -> None:
    rules = str(as_tables(tmp_path / "rules", workbook))
    for period, form in (("2016Q3", "table"), ("2016Q1..2016Q3", "json"), ("2016Q3", "csv")):
        argv = ("--data", DATA, "--period", period, "--format", form)
        code, expected, err = run("evaluate", str(BUNDLED), *argv)
        assert code == 0 and err == ""
        code, got, err = run("evaluate", rules, *argv)
        assert (code, err) == (0, "")
        # Only the rules digest differs: the rule set's files differ.
        assert _without_digest(got) == _without_digest(expected)
        if form == "json":
            assert got != expected
    for subject in ("p0902", "s01"):
        argv = ("--subject", subject, "--data", DATA, "--period", "2016Q3")
        code, expected, _ = run("explain", str(BUNDLED), *argv)
        assert code == 0
        code, got, err = run("explain", rules, *argv)
        # The same derivation; rule positions name the copy's folder.
        assert (code, got.replace(rules, str(BUNDLED)), err) == (0, expected, "")


def test_the_tables_are_the_same_ast(tmp_path: Path) -> None:
    rules = as_tables(tmp_path / "rules")
    bundled = load_ruleset(DirectorySource(str(BUNDLED))).ruleset
    tabled = load_ruleset(DirectorySource(str(rules))).ruleset
    assert bundled is not None and tabled is not None
    assert bundled.organization is not None and tabled.organization is not None

    def plain(decls: tuple[Any, ...]) -> list[str]:
        return [re.sub(r"Span\([^)]*\)", "", repr(d)) for d in decls]

    for part in ("groups", "sections", "people", "posts"):
        assert plain(getattr(tabled.organization, part)) == plain(
            getattr(bundled.organization, part)
        )


def test_the_rules_digest_covers_the_tables(tmp_path: Path) -> None:
    rules = as_tables(tmp_path / "rules")

    def digest() -> str:
        ruleset = load_ruleset(DirectorySource(str(rules))).ruleset
        assert ruleset is not None
        return rules_digest(ruleset.files)

    before = digest()
    people = rules / "org" / "people.csv"
    people.write_text(
        people.read_text(encoding="utf-8-sig").replace(
            "p0902,孟伟刚,s09,科员", "p0902,孟伟,s09,科员"
        ),
        encoding="utf-8",
    )
    assert digest() != before
    posts = rules / "org" / "posts.csv"  # a line break inside a duty is not a space
    text = posts.read_text(encoding="utf-8-sig")
    changed = digest()
    posts.write_text(text.replace("主持科室全面工作", "主持科室\n全面工作", 1), encoding="utf-8")
    assert digest() != changed


def test_a_git_revision_reads_its_own_tables(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    as_tables(repo / "rules")
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "tables")
    people = repo / "rules" / "org" / "people.csv"
    people.write_text(
        people.read_text(encoding="utf-8-sig").replace("p0902,孟伟刚,s09,", "p0902,孟伟刚,s99,"),
        encoding="utf-8",
    )
    working = check(DirectorySource(str(repo / "rules")))
    assert [d.code for d in working.diagnostics] == ["E0412"]
    assert working.diagnostics[0].where().endswith("org/people.csv:38 [科室]")
    committed = check(GitSource(str(repo / "rules"), "HEAD"))
    assert committed.ok, render_all(committed.diagnostics, "en")
    argv = ("--data", DATA, "--period", "2016Q3")
    expected = run("evaluate", str(BUNDLED), *argv)[1]
    assert run("evaluate", f"{repo / 'rules'}@HEAD", *argv) == (0, expected, "")
    # A table missing from the revision is read as missing, not from the disk.
    (repo / "rules" / "org" / "extra.csv").write_text("岗位\n科员\n", encoding="utf-8")
    organization = repo / "rules" / "organization.yaml"
    organization.write_text(
        organization.read_text(encoding="utf-8").replace("org/posts.csv", "org/extra.csv"),
        encoding="utf-8",
    )
    git(repo, "add", "rules/organization.yaml")
    git(repo, "commit", "-q", "-m", "posts elsewhere")
    result = check(GitSource(str(repo / "rules"), "HEAD"))
    missing = [d for d in result.diagnostics if d.code == "E0882"]
    assert len(missing) == 1 and "rules@HEAD/org/extra.csv" in missing[0].message("en")


def _rules_with(tmp_path: Path, tables: str, files: dict[str, str]) -> Path:
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "ruleset.yaml").write_text(
        'scheme: 测试\nversion: "1"\nyear: 2016\n'
        f"organization:\n  groups: [{{id: 机关科室}}]\n  tables: {tables}\n",
        encoding="utf-8",
    )
    for name, text in files.items():
        (rules / name).parent.mkdir(parents=True, exist_ok=True)
        (rules / name).write_text(text, encoding="utf-8")
    return rules


SECTIONS = "科室编号,科室名称,考核组\ns01,办公室,机关科室\n"


@pytest.mark.parametrize(
    ("tables", "files", "codes"),
    [
        ("{sections: org/sections.txt}", {"org/sections.txt": SECTIONS}, ["E0881"]),
        ("{sections: org/none.csv}", {}, ["E0882"]),
        ("{sections: /etc/passwd.csv}", {}, ["E0880"]),
        ("{sections: 'C:\\\\org\\\\s.csv'}", {}, ["E0880"]),
        ("{sections: org/s.csv#科室}", {"org/s.csv": SECTIONS}, ["E0887"]),
        ("{sections: org/s.csv}", {"org/s.csv": "\ufeff" + SECTIONS}, []),
        # English heads, any case; an HR export's other columns are ignored.
        ("{sections: s.csv}", {"s.csv": "ID,Name,Group,性别\ns01,办公室,机关科室,男\n"}, []),
        ("{sections: s.csv}", {"s.csv": "科室编号,科室名称,考核组\ns01,办公室,机关科室\n,,\n"}, []),
    ],
)
def test_table_problems(
    tmp_path: Path, tables: str, files: dict[str, str], codes: list[str]
) -> None:
    rules = _rules_with(tmp_path, tables, files)
    result = check(DirectorySource(str(rules)))
    assert [d.code for d in result.diagnostics] == codes


def test_a_link_out_of_the_rule_set_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside.csv"
    outside.write_text(SECTIONS, encoding="utf-8")
    rules = _rules_with(tmp_path, "{sections: s.csv}", {})
    (rules / "s.csv").symlink_to(outside)
    result = check(DirectorySource(str(rules)))
    assert [d.code for d in result.diagnostics] == ["E0882"]
    assert "outside the rule set" in result.diagnostics[0].message("en")


def test_a_gbk_table_and_a_section_named_by_its_name(tmp_path: Path) -> None:
    """WPS on Chinese Windows saves GBK; HR exports name a person's section."""
    rules = _rules_with(tmp_path, "{sections: s.csv, people: p.csv}", {})
    (rules / "s.csv").write_bytes(SECTIONS.encode("gbk"))
    (rules / "p.csv").write_bytes("工号,姓名,科室\np01,甲,办公室\np02,乙,s01\n".encode("gbk"))
    loaded = load_ruleset(DirectorySource(str(rules)))
    assert loaded.diagnostics == [] and loaded.ruleset and loaded.ruleset.organization
    assert [p.section.name for p in loaded.ruleset.organization.people] == ["s01", "s01"]


def _big_roster(rules: Path, people: int, seed: int, bad: Callable[[list[str]], None]) -> int:
    """``people`` people in sections of 50, one row spoilt by ``bad``; its row number."""
    rng = random.Random(seed)
    sections = people // 50
    with open(rules / "sections.csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(HEADS["sections"])
        for s in range(sections):
            tag = rng.choice(["综合科室", "业务科室"])
            writer.writerow([f"s{s:05d}", f"科室{s}", "机关科室", tag, f"p{s:05d}00", ""])
    spoilt = rng.randrange(people)
    with open(rules / "people.csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(HEADS["people"])
        for n in range(people):
            row = [f"p{n // 50:05d}{n % 50:02d}", f"人员{n}", f"s{n // 50:05d}", ""]
            if n == spoilt:
                bad(row)
            writer.writerow(row)
    return spoilt + 2  # the header is row 1


def test_a_roster_of_200000_people(tmp_path: Path) -> None:
    rules = _rules_with(tmp_path, "{sections: sections.csv, people: people.csv}", {})
    (rules / "rules.yaml").write_text(
        "indicators:\n  - {id: work, name: 工作, subjects: person, points: 100, score: points}\n",
        encoding="utf-8",
    )

    def unknown_section(row: list[str]) -> None:
        row[2] = row[2] + "x"

    row = _big_roster(rules, 200_000, seed=20161, bad=unknown_section)
    started = time.process_time()
    result = check(DirectorySource(str(rules)))
    seconds = time.process_time() - started
    print(f"\n200,000 people read and checked in {seconds:.2f} CPU s")
    assert [d.code for d in result.diagnostics] == ["E0412"]
    found = result.diagnostics[0]
    assert found.where() == f"{rules / 'people.csv'}:{row} [科室]"
    assert found.help is not None and found.help[0] == "E0401.didyoumean"
    assert seconds < 60  # about 5 s on the shared 2-core machine: linear, not quadratic


def test_a_workbook_row_ending_early_is_located_at_the_empty_column(tmp_path: Path) -> None:
    """A workbook leaves trailing empty cells out; the empty name is still at 姓名."""
    rules = _rules_with(tmp_path, "{sections: s.csv, people: org/p.xlsx#人员}", {"s.csv": SECTIONS})
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "人员"
    sheet.append(["工号", "科室", "姓名"])
    sheet.append(["p01", "s01", "甲"])
    sheet.append(["p02", "s01"])
    (rules / "org").mkdir()
    book.save(rules / "org" / "p.xlsx")
    result = check(DirectorySource(str(rules)))
    assert [(d.code, d.where()) for d in result.diagnostics] == [
        ("E0886", f"{rules / 'org' / 'p.xlsx'} (sheet 人员):3 [姓名]")
    ]


def test_a_table_that_cannot_be_read_stops_before_its_references(tmp_path: Path) -> None:
    """Without the people, every section's head would be unknown: one message, not hundreds."""
    heads = "".join(f"s{n:02d},科室{n},机关科室,p{n:02d}\n" for n in range(50))
    rules = _rules_with(
        tmp_path,
        "{sections: s.csv, people: p.csv}",
        {
            "s.csv": "科室编号,科室名称,考核组,负责人\n" + heads,
            "p.csv": "工号,名字,科室\np00,甲,s00\n",
        },
    )
    result = check(DirectorySource(str(rules)))
    assert [d.code for d in result.diagnostics] == ["E0884"]
    assert result.ruleset is None


def test_a_table_read_again_unchanged_is_not_parsed_again(tmp_path: Path) -> None:
    """A dry-run compiles the baseline and the candidate from one folder: the
    roster's declarations are read once and shared; changed bytes are read
    again, and a table with a problem is read (and reported) each time."""
    rules = as_tables(tmp_path / "rules")

    def organization() -> tuple[Any, ...]:
        loaded = load_ruleset(DirectorySource(str(rules)))
        assert loaded.ruleset is not None and loaded.ruleset.organization is not None
        files = tuple((f.path, f.text) for f in loaded.ruleset.files)
        return loaded.ruleset.organization.people, files, loaded.diagnostics

    people, files, problems = organization()
    again, files_again, problems_again = organization()
    assert again is people and files_again == files and problems == problems_again == []
    roster = rules / "org" / "people.csv"
    roster.write_bytes(roster.read_bytes() + "p9999,新人,s01,\n".encode())
    changed, _, _ = organization()
    names = [p.id.name for p in people]
    assert changed is not people and [p.id.name for p in changed] == [*names, "p9999"]
    roster.write_bytes(roster.read_bytes() + b"p9998,,s01,\n")
    found = [organization()[2] for _ in range(2)]
    assert [[d.code for d in problems] for problems in found] == [["E0886"], ["E0886"]]


def test_two_compilations_of_one_roster_share_its_organization(tmp_path: Path) -> None:
    """The baseline and the candidate of a dry-run check and build the
    organization once; another roster, or one with a problem, is built (and
    reported) anew."""
    rules = as_tables(tmp_path / "rules")

    def organization() -> tuple[object, list[str]]:
        compilation = compile_rules(DirectorySource(str(rules)))
        program = compilation.programs.get("section")
        return (program.organization if program else None), [
            d.code for d in compilation.diagnostics
        ]

    first, problems = organization()
    assert first is not None and problems == []
    again, problems = organization()
    assert again is first and problems == []
    roster = rules / "org" / "people.csv"
    roster.write_bytes(roster.read_bytes() + "p9999,新人,s99,\n".encode())
    for _ in range(2):
        assert organization() == (None, ["E0412"])


def test_the_collector_is_paused_while_a_roster_is_read_and_built(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reading a roster and building its organization make long-lived objects
    without cycles: the cyclic collector is off meanwhile (half of ``check``
    at 100,000 people) and back as it was afterwards, also after a problem."""
    import gc

    from compiler import organization as organization_module
    from dsl import rostertables

    seen: list[bool] = []
    declarations, build = rostertables._PartReader.declarations, organization_module._build

    def reading(self: Any, table: Any) -> tuple[Any, ...]:
        seen.append(gc.isenabled())
        return declarations(self, table)

    def building(decl: Any, diagnostics: Any) -> Any:
        seen.append(gc.isenabled())
        return build(decl, diagnostics)

    monkeypatch.setattr(rostertables._PartReader, "declarations", reading)
    monkeypatch.setattr(organization_module, "_build", building)
    monkeypatch.setattr(rostertables, "_LAST_READ", {})
    monkeypatch.setattr(organization_module, "_LAST_BUILT", None)
    rules = as_tables(tmp_path / "rules")
    assert gc.isenabled()
    assert compile_rules(DirectorySource(str(rules))).diagnostics == []
    assert seen == [False, False, False, False] and gc.isenabled()
    roster = rules / "org" / "people.csv"
    roster.write_bytes(roster.read_bytes() + b"p9998,,s01,\n")
    assert [d.code for d in check(DirectorySource(str(rules))).diagnostics] == ["E0886"]
    assert gc.isenabled()
    gc.disable()  # inside a command that paused it (evaluate): left off
    try:
        check(DirectorySource(str(rules)))
        assert not gc.isenabled()
    finally:
        gc.enable()


_CELL_TEXT = st.text(alphabet=st.sampled_from(list("ab甲\t\n\r\\ ")), max_size=4)


@settings(max_examples=300, deadline=None)
@given(
    header=st.lists(_CELL_TEXT, min_size=0, max_size=4),
    rows=st.lists(st.tuples(st.integers(1, 3), st.lists(_CELL_TEXT, max_size=5)), max_size=6),
)
def test_a_table_as_a_file_holds_every_cell_at_its_span(
    header: list[str], rows: list[tuple[int, list[str]]]
) -> None:
    """Each cell (escaped, rows with nothing to escape joined as they are) is
    found in the file's text at its span (``_cell_span``), one after the
    other on the line of its row; short rows are padded to the header's width."""
    from dsl.rostertables import _as_file, _cell_span
    from dsl.spans import escape_cell
    from dsl.tablefiles import Table

    numbered, number = [], 1
    for gap, cells in rows:
        number += gap
        numbered.append((number, cells))
    file, found = _as_file(Table("t.csv", header, numbered))
    assert file.line_text(1) == "\t".join(escape_cell(h) for h in header)
    assert file.line_count == (numbered[-1][0] if numbered else 1)
    for (number, cells), (row, padded) in zip(numbered, found, strict=True):
        assert row == number and padded[: len(cells)] == cells
        assert len(padded) == max(len(cells), len(header))
        assert set(padded[len(cells) :]) <= {""}
        assert file.line_text(number) == "\t".join(escape_cell(c) for c in padded)
        start = file.line_starts[number - 1]
        for position, cell in enumerate(padded):
            span = _cell_span(file, number, position)
            assert (span.start, span.text) == (start, escape_cell(cell))
            assert file.line_col(span.start) == (number, start - file.line_starts[number - 1] + 1)
            assert file.text[span.end] in ("\t", "\n") if span.end < len(file.text) else True
            start = span.end + 1
        past = _cell_span(file, number, len(padded))  # just after the row's end
        assert past.start == past.end == file.line_starts[number - 1] + len(file.line_text(number))


# -- a part made at once, or row by row on any problem ------------------------------

# Cells a roster may hold: good ids, an id padded with spaces, a section named
# by its name (unique, and one shared by two sections), and every kind of
# problem a cell may have (empty, not a name, a keyword, a NUL inside, a
# digit first, a full-width space inside).
_CELLS = [
    "s01",
    "s02",
    " p01 ",
    "p02",
    "科长",
    "办公室",
    "重名",
    "",
    " ",
    "1x",
    "if",
    "a\x00b",
    "a　b",
]
_TAGS = ["", "综合科室", "综合科室、业务科室", "a, b；c", "1x、ok", "ok,if", " 、 "]


def _flat(value: Any) -> Any:
    """A declaration as plain values, each name with its span's offsets."""
    import dataclasses

    from dsl import ast

    if isinstance(value, ast.Ident):
        return (value.name, value.span.start, value.span.end, value.span.file.path)
    if isinstance(value, tuple):
        return tuple(_flat(v) for v in value)
    if dataclasses.is_dataclass(value):
        fields = dataclasses.fields(value)
        return (type(value).__name__, *[_flat(getattr(value, f.name)) for f in fields])
    return value


def _both_ways(part: str, header: list[str], rows: list[list[str]]) -> tuple[Any, Any, bool]:
    """A part's table read as ``declarations`` reads it, and row by row."""
    from dsl.rostertables import _AT_ONCE, _as_file, _Columns, _PartReader
    from dsl.tablefiles import Table

    names = {"办公室": "s01", "重名": None}  # a section's name, and one two sections share
    table = Table("t.csv", header, [(n + 2, cells) for n, cells in enumerate(rows)])
    found: list[Any] = []
    for at_once in (True, False):
        diagnostics: list[Any] = []
        reader = _PartReader(part, None, diagnostics, names)  # type: ignore[arg-type]
        if at_once:
            made = reader.declarations(table)
            file, read = _as_file(table)
            columns = _PartReader(part, None, [], names).columns(table, file)  # type: ignore[arg-type]
            fast = (
                columns is not None
                and _AT_ONCE[part](
                    _PartReader(part, None, [], names),  # type: ignore[arg-type]
                    _Columns(file, read, columns),
                )
                is not None
            )
        else:
            file, read = _as_file(table)
            columns = reader.columns(table, file)
            made = reader.row_by_row(file, read, columns) if columns is not None else ()
        where = [(d.code, dict(d.args), d.where(), d.help, d.span and (d.span.start, d.span.end))
                 for d in diagnostics]  # fmt: skip
        found.append((_flat(made), where, reader.failed))
    return found[0], found[1], fast


@settings(max_examples=400, deadline=None)
@given(
    order=st.permutations(range(4)),
    post=st.booleans(),
    rows=st.lists(st.lists(st.sampled_from(_CELLS), min_size=2, max_size=4), max_size=6),
)
def test_people_made_at_once_are_the_people_made_row_by_row(
    order: list[int], post: bool, rows: list[list[str]]
) -> None:
    """Any columns' order, with or without posts, rows ending early, any
    problem in any cell: the same people and the same problems, in the same
    order at the same cells, as made one row at a time.  A table with a
    problem is never made at once."""
    header = [["工号", "姓名", "科室", "岗位"][i] for i in order if post or i != 3]
    at_once, row_by_row, fast = _both_ways("people", header, rows)
    assert at_once == row_by_row
    assert fast == (not row_by_row[1])


@settings(max_examples=400, deadline=None)
@given(
    order=st.permutations(range(6)),
    rows=st.lists(
        st.tuples(
            *[st.sampled_from(_CELLS)] * 3, st.sampled_from(_TAGS), *[st.sampled_from(_CELLS)] * 2
        ),
        max_size=5,
    ),
)
def test_sections_made_at_once_are_the_sections_made_row_by_row(
    order: list[int], rows: list[tuple[str, ...]]
) -> None:
    header = [HEADS["sections"][i] for i in order]
    at_once, row_by_row, fast = _both_ways(
        "sections", header, [[row[i] for i in order] for row in rows]
    )
    assert at_once == row_by_row
    assert fast == (not row_by_row[1])


@pytest.mark.parametrize(
    ("column", "cell", "code"),
    [(0, "", "E0886"), (0, "1x", "E0208"), (0, "if", "E0208"), (0, "a\x00b", "E0208"),
     (1, " ", "E0886"), (2, "", "E0886"), (2, "a b", "E0208"), (2, "1x", "E0208"), (3, "", "")],
)  # fmt: skip
def test_a_person_with_a_problem_is_reported_at_its_cell(column: int, cell: str, code: str) -> None:
    """One bad cell among good rows: the part is made row by row, the
    problem located at the cell, the other rows made as always."""
    rows = [["p01", "甲", "s01", "科长"], ["p02", "乙", "办公室", ""], ["p03", "丙", "s02", "科员"]]
    rows[1][column] = cell
    at_once, row_by_row, fast = _both_ways("people", HEADS["people"], rows)
    assert at_once == row_by_row and fast == (not code)  # an empty post is no problem
    assert [(c, where) for c, _, where, *_ in at_once[1]] == (
        [(code, f"t.csv:3 [{HEADS['people'][column]}]")] if code else []
    )


def test_a_cell_name_is_the_ident_it_stands_for() -> None:
    """A name read at once finds its span when asked: equal to, hashed,
    shown, copied and pickled as the ``Ident`` made with that span."""
    import copy
    import pickle

    from dsl import ast
    from dsl.rostertables import _as_file, _cell_span, _CellIdent, _Column
    from dsl.tablefiles import Table

    file, _ = _as_file(Table("t.csv", ["工号", "科室"], [(2, ["p01", "s\t01"]), (4, ["p02"])]))
    for number, position, name in ((2, 0, "p01"), (2, 1, "s\t01"), (4, 0, "p02"), (4, 1, "")):
        cell = _CellIdent(name, _Column(file, position), number)
        ident = ast.Ident(name, _cell_span(file, number, position))
        assert cell == ident and ident == cell and hash(cell) == hash(ident)
        elsewhere = ast.Ident(name, _cell_span(file, 6 - number, position))
        assert cell != elsewhere and elsewhere != cell
        assert repr(cell) == repr(ident)
        for copied in (copy.copy(cell), pickle.loads(pickle.dumps(cell))):
            assert type(copied) is ast.Ident and copied.name == name
            assert (copied.span.start, copied.span.end) == (ident.span.start, ident.span.end)
    assert ident.span.text == "" and file.line_text(4) == "p02\t"
    assert _cell_span(file, 2, 1).text == "s\\t01"


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from(list("a1_甲 \x00\n-")), max_size=3), max_size=5))
def test_a_column_of_names_is_checked_as_each_name_is(texts: list[str]) -> None:
    from dsl import schema
    from dsl.expressions import KEYWORDS
    from dsl.rostertables import _PartReader

    reader = _PartReader("people", None, [], {})  # type: ignore[arg-type]
    for required in (True, False):
        expected = all(
            (schema.is_name(t) and t not in KEYWORDS) if t else not required for t in texts
        )
        assert reader.all_names(texts, required=required) == expected


@pytest.mark.parametrize(
    "rows",
    [[(2, ["a", "b"]), (3, ["c", "d"])], [(2, ["a\tb", "c"])], [(2, ["a", "b\nc"])],
     [(2, ["a\\", "b"])], [(2, ["a\r", "b"])], [(2, ["a"])], [(2, ["a", "b"]), (4, ["c", "d"])],
     [(3, ["a", "b"])], [(2, ["a", "b", "c"])], []],
    ids=["plain", "tab", "newline", "backslash", "return", "short", "gap", "later", "long", "none"],
)  # fmt: skip
def test_a_table_joined_at_once_is_the_table_joined_row_by_row(
    rows: list[tuple[int, list[str]]],
) -> None:
    """The rows are joined at once only when nothing is escaped, padded or
    skipped; any of those is written as each row would be."""
    from dsl.rostertables import _as_file
    from dsl.spans import escape_cell
    from dsl.tablefiles import Table

    lines, line = ["h1\th2"], 1
    for number, cells in rows:
        lines += [""] * (number - line - 1)
        lines.append("\t".join(escape_cell(c) for c in cells + [""] * (2 - len(cells))))
        line = number
    file, _ = _as_file(Table("t.csv", ["h1", "h2"], rows))
    assert file.text == "\n".join(lines)


def test_problems_of_the_organization_read_at_once_are_where_they_were(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Tables without a problem of their own are made at once, their names'
    spans found when a message asks: an id used twice, an unknown group,
    section, person and post, a head of another section (with its label),
    a post spelt as a tag are shown, in every format, as they are when the
    tables are made row by row."""
    from compiler import organization as organization_module
    from dsl import rostertables

    rules = _rules_with(
        tmp_path,
        "{sections: org/s.csv, people: org/p.csv}",
        {
            "org/s.csv": "科室编号,科室名称,考核组,标签,负责人,联络员\n"
            "s01,办公室,机关科室,综合、科员,p01,p03\ns02,政工科,机关科式,,p09,\np02,重复,机关科室,,,\n",
            "org/p.csv": "姓名,工号,科室,岗位\n甲,p01,s01,科长\n乙,p02,办公室,科员\n丙,p03,s02,\n"
            "丁,p04,s03, 科 长 \n",
        },
    )
    manifest = rules / "ruleset.yaml"
    manifest.write_text(
        manifest.read_text(encoding="utf-8").replace(
            "  tables:", "  posts: [{id: 科长}, {id: 科员}]\n  tables:"
        ),
        encoding="utf-8",
    )
    shown = []
    for at_once in (rostertables._AT_ONCE, {}):
        monkeypatch.setattr(rostertables, "_AT_ONCE", at_once)
        monkeypatch.setattr(rostertables, "_LAST_READ", {})
        monkeypatch.setattr(organization_module, "_LAST_BUILT", None)
        found = check(DirectorySource(str(rules))).diagnostics
        shown.append([render_all(found, lang, form) for lang in ("zh", "en")
                      for form in ("full", "concise", "json")])  # fmt: skip
        codes = sorted({d.code for d in found})
    assert shown[0] == shown[1]
    assert codes == ["E0206", "E0412", "E0413", "E0455", "E0457"]
