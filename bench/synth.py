"""Seeded synthetic organizations of any size, built from the bundled example.

The bundled bureau (``rules/yongzhou``, ``examples/yongzhou``) has 17 sections
and 70 people.  ``generate`` replicates it: replica ``k`` of section ``s01`` is
``b0000ks01`` (and of person ``p0101`` is ``b0000kp0101``), every replica in
the bundled group, so ranking and quotas run over the whole organization (the
worst case for the population stage).  The rules are the bundled rules with
the organization file replaced; the indicators, items, grades and links are
the bundled ones.  The sections and people are CSV tables under ``rules/org/``
(an HR system's export, read by ``dsl/rostertables.py``), groups and posts
inline; ``generate(..., tables=False)`` writes the whole organization as one
YAML file instead (the stored expected outputs of ``tests/test_scale.py`` were
made from it, and their rules digest covers its files).

Data: each replica's row of a subject in a period is the bundled row, in that
period, of a subject chosen at random (seeded) among those whose empty cells
are the same (cells counted from the supervision table stay the subject's own) (so every value is one the bundled rules accept for that kind of
subject); each bundled event is kept with probability 0.7, supervision items
are copied, and the bundled published 2015 results are copied per replica (so
the two-years-running links read history, as in the quick start).

Replicas are whole bureaus: ``people`` is rounded up to a multiple of 70.

The organization of a large replica exceeds the rule-file limits
(``dsl.yamlsource``: 1 MB and 100,000 YAML nodes, E0103/E0104, as a YAML file;
and ``dsl.astbuilder``: 20,000 sections and people, E0210): evaluating it needs
``raised_limits()``, an explicit override used by the benchmark and the scale
test only, never by the CLI.

Used by ``bench/scale.py`` and ``tests/test_scale.py``.
"""

from __future__ import annotations

import csv
import itertools
import json
import math
import random
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "rules" / "yongzhou"
DATA = ROOT / "examples" / "yongzhou"
BUREAU = 70  # people in the bundled bureau
# Columns the bundled rules count from the supervision table (``from: supervision.…``):
# kept from the subject's own bundled row, since its supervision items are copied too.
FROM_SUPERVISION = ("督办事项", "按期办结")


@dataclass(frozen=True)
class Generated:
    rules: Path
    data: Path
    people: int
    sections: int


@contextmanager
def raised_limits(
    chars: int = 200_000_000, nodes: int = 50_000_000, subjects: int = 2_000_000
) -> Iterator[None]:
    """Rule-file limits raised for a generated organization (bench and tests
    only): file size and YAML nodes (E0103, E0104) and sections plus people
    (E0210, 20,000)."""
    from dsl import astbuilder, yamlsource

    saved = yamlsource.MAX_FILE_CHARS, yamlsource.MAX_NODES, astbuilder.MAX_SUBJECTS
    yamlsource.MAX_FILE_CHARS, yamlsource.MAX_NODES = chars, nodes
    astbuilder.MAX_SUBJECTS = subjects
    try:
        yield
    finally:
        yamlsource.MAX_FILE_CHARS, yamlsource.MAX_NODES, astbuilder.MAX_SUBJECTS = saved


def _prefix(replica: int) -> str:
    return f"b{replica:05d}"


def _flow(mapping: dict[str, object]) -> str:
    parts = []
    for key, value in mapping.items():
        if isinstance(value, list):
            parts.append(f"{key}: [{', '.join(str(v) for v in value)}]")
        else:
            parts.append(f"{key}: {value}")
    return "{" + ", ".join(parts) + "}"


def _organization(replicas: int) -> str:
    """The organization as one YAML file (the form a small bureau writes)."""
    bundled = yaml.safe_load((RULES / "organization.yaml").read_text(encoding="utf-8"))
    org = bundled["organization"]
    lines = ["organization:", "  groups:"]
    for group in org["groups"]:
        lines.append(f"    - {_flow(group)}")
    lines.append("  sections:")
    for k in range(replicas):
        p = _prefix(k)
        for section in org["sections"]:
            copy = dict(section)
            copy["id"] = p + section["id"]
            copy["name"] = f"{section['name']}{k}"
            for role in ("head", "liaison"):
                if role in copy:
                    copy[role] = p + copy[role]
            lines.append(f"    - {_flow(copy)}")
    posts = yaml.safe_dump({"posts": org["posts"]}, allow_unicode=True, sort_keys=False)
    lines.extend("  " + line for line in posts.splitlines())
    lines.append("  people:")
    for k in range(replicas):
        p = _prefix(k)
        for person in org["people"]:
            copy = dict(person)
            copy["id"] = p + person["id"]
            copy["section"] = p + person["section"]
            lines.append(f"    - {_flow(copy)}")
    return "\n".join(lines) + "\n"


# The heads an HR system's export has (``dsl/rostertables.py`` reads them).
SECTION_HEADS = ["科室编号", "科室名称", "考核组", "标签", "负责人", "联络员"]
PEOPLE_HEADS = ["工号", "姓名", "科室", "岗位"]


def _organization_tables(replicas: int, rules: Path) -> str:
    """The organization as an HR system exports it: sections and people as
    CSV tables under ``org/`` (one row each), groups and posts inline; the
    same sections and people, in the same order, as ``_organization``.
    Returns the organization file naming the tables."""
    bundled = yaml.safe_load((RULES / "organization.yaml").read_text(encoding="utf-8"))
    org = bundled["organization"]
    folder = rules / "org"
    folder.mkdir()

    def sections() -> Iterator[list[str]]:
        for k in range(replicas):
            p = _prefix(k)
            for s in org["sections"]:
                roles = [p + s[role] if role in s else "" for role in ("head", "liaison")]
                tags = "、".join(s.get("tags", []))
                yield [p + s["id"], f"{s['name']}{k}", s["group"], tags, *roles]

    def people() -> Iterator[list[str]]:
        for k in range(replicas):
            p = _prefix(k)
            for person in org["people"]:
                row = [p + person["id"], person["name"], p + person["section"]]
                yield [*row, person.get("post", "")]

    _write(folder / "sections.csv", SECTION_HEADS, sections())
    _write(folder / "people.csv", PEOPLE_HEADS, people())
    lines = ["organization:", "  groups:"]
    lines.extend(f"    - {_flow(group)}" for group in org["groups"])
    lines.append("  tables: {sections: org/sections.csv, people: org/people.csv}")
    posts = yaml.safe_dump({"posts": org["posts"]}, allow_unicode=True, sort_keys=False)
    lines.extend("  " + line for line in posts.splitlines())
    return "\n".join(lines) + "\n"


def _rows(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        return header, list(reader)


def _write(path: Path, header: list[str], rows: Iterator[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def _table(
    name: str, replicas: int, rng: random.Random, out: Path, renamed: bool, year: bool
) -> None:
    """A wide table: per replica, each subject's row drawn from a bundled
    subject of the same period with the same empty cells."""
    header, rows = _rows(DATA / name)
    own = {n for n, column in enumerate(header) if column in FROM_SUPERVISION}
    donors: dict[tuple[str, tuple[bool, ...]], list[list[str]]] = {}
    for row in rows:
        shape = tuple(cell == "" for cell in row[3:])
        donors.setdefault((row[0], shape), []).append(row)

    def generated() -> Iterator[list[str]]:
        for k in range(replicas):
            p = _prefix(k)
            for row in rows:
                shape = tuple(cell == "" for cell in row[3:])
                donor = rng.choice(donors[(row[0], shape)])
                cells = [row[n] if n in own else cell for n, cell in enumerate(donor)]
                yield [row[0], p + row[1], f"{row[2]}{k}" if renamed else row[2], *cells[3:]]

    def fourth_quarter() -> Iterator[list[str]]:
        """2016Q4, which the bundled data lacks (a whole year for the benchmark):
        each replica's 2016Q3 row of a subject drawn again, its supervision
        cells left empty (counted from the table: no item is due in it)."""
        extra = random.Random(4)  # its own draws: the other quarters stay as they are
        third = [row for row in rows if row[0] == "2016Q3"]
        second = {row[1]: row for row in rows if row[0] == "2016Q2"}
        # Half-yearly inputs (filled in 2016Q2, in no 2016Q3 row): the subject's 2016Q2 value.
        halves = {n for n in range(3, len(header)) if all(r[n] == "" for r in third)}
        for k in range(replicas):
            p = _prefix(k)
            for row in third:
                shape = tuple(cell == "" for cell in row[3:])
                donor = extra.choice(donors[(row[0], shape)])
                cells = [
                    "" if n in own else second[row[1]][n] if n in halves else cell
                    for n, cell in enumerate(donor)
                ]
                yield ["2016Q4", p + row[1], f"{row[2]}{k}" if renamed else row[2], *cells[3:]]

    _write(out / name, header, itertools.chain(generated(), fourth_quarter() if year else ()))


def _events(replicas: int, rng: random.Random, out: Path) -> None:
    header, rows = _rows(DATA / "events.csv")
    subject = header.index("subject")

    def generated() -> Iterator[list[str]]:
        for k in range(replicas):
            for row in rows:
                if rng.random() < 0.7:
                    copy = list(row)
                    copy[subject] = _prefix(k) + row[subject]
                    yield copy

    _write(out / "events.csv", header, generated())


def _supervision(replicas: int, out: Path) -> None:
    header, rows = _rows(DATA / "supervision.csv")
    ident, subject = header.index("id"), header.index("subject")

    def generated() -> Iterator[list[str]]:
        for k in range(replicas):
            for row in rows:
                copy = list(row)
                copy[ident] = f"{_prefix(k)}-{row[ident]}"
                copy[subject] = _prefix(k) + row[subject]
                yield copy

    _write(out / "supervision.csv", header, generated())


def _published(replicas: int, out: Path) -> None:
    folder = out / "published"
    folder.mkdir()
    for path in sorted((DATA / "published").glob("*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        subjects = []
        for k in range(replicas):
            for subject in document["subjects"]:
                subjects.append({**subject, "id": _prefix(k) + subject["id"]})
        document["subjects"] = subjects
        (folder / path.name).write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")


def generate(
    people: int, out: Path, seed: int = 2016, year: bool = False, tables: bool = True
) -> Generated:
    """Rules and data for about ``people`` people (whole bureaus) under ``out``;
    ``year``: with 2016Q4 rows too, so that the whole of 2016 can be evaluated;
    ``tables``: the sections and people as CSV tables (an HR system's export,
    ``rules/org/``), else the whole organization in one YAML file."""
    replicas = max(1, math.ceil(people / BUREAU))
    rng = random.Random(seed)
    rules, data = out / "rules", out / "data"
    rules.mkdir(parents=True)
    data.mkdir(parents=True)
    for path in sorted(RULES.glob("*.yaml")):
        if path.name != "organization.yaml":
            shutil.copyfile(path, rules / path.name)
    organization = _organization_tables(replicas, rules) if tables else _organization(replicas)
    (rules / "organization.yaml").write_text(organization, encoding="utf-8")
    _table("sections.csv", replicas, rng, data, renamed=True, year=year)
    _table("people.csv", replicas, rng, data, renamed=False, year=year)
    _events(replicas, rng, data)
    _supervision(replicas, data)
    _published(replicas, data)
    return Generated(rules, data, replicas * BUREAU, replicas * 17)


if __name__ == "__main__":
    import sys

    made = generate(int(sys.argv[1]), Path(sys.argv[2]))
    print(f"{made.people} people, {made.sections} sections: {made.rules} {made.data}")
