"""Rendering results: a terminal table, JSON for tools, CSV and XLSX for spreadsheets.

Numbers are shown as decimal strings at the rule set's declared places
(rounded with its declared mode); output is byte-identical for the same rules
and data: no timestamps, no dict-order or float surprises.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from compiler import ir
from dsl.diagnostics import display_width
from dsl.messages import text
from runtime.engine.population import UNGRADED
from runtime.engine.results import IndicatorResult, SubjectResult
from runtime.inputs.checkpoints import due_date
from runtime.inputs.periods import parse_periods
from runtime.render.indented_json import encode_string, indented
from runtime.render.workbook import Cell, csv_text, fill_sheet, new_workbook, workbook_bytes
from semantics.rounding import shown


def fmt(value: Decimal | None, program: ir.Program) -> str | None:
    if value is None:
        return None
    # Numerically equal values show the same text (rounded to the places, a
    # zero unsigned), and a large table repeats its scores: each shown once.
    key = (value, program.places, program.rounding)
    found = _FORMATTED.get(key)
    if found is None:
        found = str(shown(value, program.places, program.rounding))
        if len(_FORMATTED) >= _FORMATTED_MAX:
            _FORMATTED.clear()
        _FORMATTED[key] = found
    return found


# ``fmt``'s texts by (value, places, rounding mode); emptied when it is full.
_FORMATTED: dict[tuple[Decimal, int, str], str] = {}
_FORMATTED_MAX = 200_000


def _grade_word(grade: str | None, lang: str) -> str:
    if grade == UNGRADED:
        return text("table.ungraded", lang)
    return grade or ""


def sanction_word(result: SubjectResult, lang: str) -> str:
    """The sanctions holding for a subject as a cell: each item's name, the
    one that decided the grade or scoring followed by what it decided."""
    parts = []
    for s in result.sanctions:
        said = []
        if s.item == result.decided_by and result.decision:
            grade = s.grade if result.decision == "forced" else s.at_most
            said.append(text(f"sanction.word.{result.decision}", lang).format(grade=grade))
        if s.item == result.scoring_by and result.scoring:
            said.append(text(f"sanction.word.{result.scoring}", lang))
        parts.append(f"{s.name}（{'，'.join(said)}）" if said else s.name)
    return "、".join(parts)


def _not_scored(result: SubjectResult) -> bool:
    """A subject a sanction took out of scoring: no total, no rank shown."""
    return result.scoring == "not_scored"


def _signed(value: Decimal, program: ir.Program) -> str:
    """An adjustment as the table shows it: signed, empty when it rounds to 0."""
    rounded = shown(value, program.places, program.rounding)
    if not rounded:
        return ""
    return str(rounded) if rounded < 0 else f"+{rounded}"


def _columns(program: ir.Program, results: list[SubjectResult]) -> list[ir.Indicator]:
    """The indicators that appear in these results, in rule order."""
    tuples = {id(r.indicators): r.indicators for r in results}  # a period's results share them
    present = {i.id for indicators in tuples.values() for i in indicators}
    return [i for i in program.indicators if i.id in present]


def _dates(label: str) -> tuple[datetime.date, datetime.date]:
    periods = parse_periods(label)
    return periods[0].start, periods[-1].end


def _checkpoints(program: ir.Program, ident: str, label: str) -> list[dict[str, str]]:
    """The indicator's checkpoints in the period on which it is in force: in a
    roll-up, an indicator removed on 31 March has none on 30 June."""
    indicator = next(i for i in program.indicators if i.id == ident)
    start, end = _dates(label)
    return [
        {"date": day.isoformat(), "due": due_date(indicator, day).isoformat()}
        for day in indicator.checkpoint_days(start, end)
        if indicator.in_force(day)
    ]


def _section_of(result: SubjectResult, program: ir.Program) -> tuple[str, Decimal | None]:
    """A person's section and that section's total as their score combined it
    (``("", None)`` for a section, or rules that combine nothing)."""
    return _sections_of([result], program)[0]


def _sections_of(
    results: list[SubjectResult], program: ir.Program
) -> list[tuple[str, Decimal | None]]:
    """``_section_of`` of each result (a table's column at once)."""
    if program.kind != "person" or program.organization is None:
        return [("", None)] * len(results)
    person, slot = program.organization.people_by_id().get, program.section_total
    found: list[tuple[str, Decimal | None]] = []
    for result in results:
        mine = person(result.id)
        values = result.values
        value = values[slot] if slot is not None and slot < len(values) else None
        found.append(
            (
                mine.section if mine is not None else "",
                value if isinstance(value, Decimal) else None,
            )
        )
    return found


class _PerPeriod:
    """What every subject of a program shares in one period, computed once:
    each indicator's cadence and checkpoints (not per subject and indicator)."""

    def __init__(self, program: ir.Program) -> None:
        self.program = program
        self.cadence = {i.id: i.cadence for i in program.indicators}
        self.points: dict[tuple[str, str], list[dict[str, str]]] = {}

    def checkpoints(self, ident: str, label: str) -> list[dict[str, str]]:
        """A fresh copy of the indicator's checkpoints in ``label`` (callers may keep it)."""
        key = (ident, label)
        if key not in self.points:
            self.points[key] = _checkpoints(self.program, ident, label)
        return [dict(point) for point in self.points[key]]


def _subject_json(
    result: SubjectResult, program: ir.Program, shared: _PerPeriod | None = None
) -> dict[str, object]:
    shared = shared if shared is not None and shared.program is program else _PerPeriod(program)
    cadence = shared.cadence
    section: dict[str, object] = {}
    if program.kind == "person":
        ident, total = _section_of(result, program)
        section = {"section": ident, "section_total": fmt(total, program)}
    return {
        "id": result.id,
        "name": result.name,
        "kind": result.kind,
        "group": result.group,
        **section,
        "total": fmt(result.total, program),
        "rank": result.rank,
        "grade": result.grade,
        "base": fmt(result.base, program),
        "indicators": [
            {
                "id": i.id,
                "name": i.name,
                "score": fmt(i.score, program),
                "points": str(i.points),
                "status": i.status,
                "cadence": cadence[i.id],
                "checkpoints": shared.checkpoints(i.id, result.period),
            }
            for i in result.indicators
        ],
        "adjustments": [
            {
                "item": a.item,
                "name": a.name,
                "points": fmt(a.points, program),
                "reason": "；".join(a.reasons),
                "period": a.period,
                "events": [
                    {
                        "date": e.day.isoformat(),
                        "count": str(e.count),
                        "reason": e.reason,
                        "evidence": e.evidence,
                        "source": e.source,
                    }
                    for e in a.events
                ],
            }
            for a in result.adjustments
        ],
        "vetoes": list(result.vetoes),
        "consequences": [
            {
                "link": c.link,
                "name": c.name,
                "effect": c.effect,
                "target": c.target,
                "source": c.source,
            }
            for c in result.consequences
        ],
        "overridden": [
            {
                "link": c.link,
                "name": c.name,
                "effect": c.effect,
                "target": c.target,
                "source": c.source,
                "overridden_by": c.overridden_by,
            }
            for c in result.overridden
        ],
        "quarters": [{"period": p, "total": fmt(t, program)} for p, t in result.quarters],
        **_sanctions_json(result),
    }


def _sanctions_json(result: SubjectResult) -> dict[str, object]:
    """The sanctions holding for a subject, with their outcome and how long
    they hold (a later period reads them from the published results), and
    what they decided; nothing when none holds."""
    if not result.sanctions:
        return {}
    return {
        "sanctions": [
            {
                key: value
                for key, value in (
                    ("item", s.item),
                    ("name", s.name),
                    ("grade", s.grade),
                    ("at_most", s.at_most),
                    ("scoring", s.scoring),
                    ("until", s.until),
                    ("period", s.period),
                    ("where", s.where),
                )
                if value is not None
            }
            for s in result.sanctions
        ],
        "decided_by": result.decided_by or None,
        "decision": result.decision or None,
        "scoring": result.scoring or None,
        "scoring_by": result.scoring_by or None,
    }


def subject_json(result: SubjectResult, program: ir.Program) -> dict[str, object]:
    """One subject as ``to_json`` writes it among the others (a what-if's
    before and after, without the whole document)."""
    return _subject_json(result, program)


def to_json(
    sections: ir.Program,
    people: ir.Program | None,
    label: str,
    digest: str,
    section_results: list[SubjectResult],
    person_results: list[SubjectResult],
) -> str:
    return "".join(json_chunks(sections, people, label, digest, section_results, person_results))


def to_document(
    sections: ir.Program,
    people: ir.Program | None,
    label: str,
    digest: str,
    section_results: list[SubjectResult],
    person_results: list[SubjectResult],
) -> dict[str, object]:
    """The JSON document as data, its ``subjects`` an iterator made one at a
    time (the store writes them row by row; nothing holds them all)."""
    return {
        "scheme": sections.scheme,
        "version": sections.version,
        "period": label,
        "rules_digest": digest,
        "subjects": subject_documents(sections, people, section_results, person_results),
    }


def subject_documents(
    sections: ir.Program,
    people: ir.Program | None,
    section_results: list[SubjectResult],
    person_results: list[SubjectResult],
) -> Iterator[dict[str, object]]:
    """Each subject's JSON object, sections then people."""
    shared = _PerPeriod(sections)
    for result in section_results:
        yield _subject_json(result, sections, shared)
    if people is not None:
        shared = _PerPeriod(people)
        for result in person_results:
            yield _subject_json(result, people, shared)


def check_checkpoints(
    sections: ir.Program,
    people: ir.Program | None,
    label: str,
    digest: str,
    section_results: list[SubjectResult],
    person_results: list[SubjectResult],
) -> None:
    """Work out every checkpoint the JSON document would show, once per
    indicator and period, so that a due date the calendar cannot place is the
    same error (E0823) whether or not JSON is written."""
    for program, results in ((sections, section_results), (people, person_results)):
        if program is None:
            continue
        shared = _PerPeriod(program)
        for key in {(i.id, r.period) for r in results for i in r.indicators}:
            shared.checkpoints(*key)


def json_chunks(
    sections: ir.Program,
    people: ir.Program | None,
    label: str,
    digest: str,
    section_results: list[SubjectResult],
    person_results: list[SubjectResult],
) -> Iterator[str]:
    """The text of ``to_json`` in pieces, one subject at a time (written as
    they come, never the whole document in memory): byte for byte what
    ``json.dumps(document, ensure_ascii=False, indent=2) + "\\n"`` gives
    (``runtime.render.indented_json``), made faster."""
    head = {"scheme": sections.scheme, "version": sections.version, "period": label,
            "rules_digest": digest}  # fmt: skip
    yield "{" + "".join(f"\n  {encode_string(k)}: {indented(v, 1)}," for k, v in head.items())
    first = True
    for subject in subject_documents(sections, people, section_results, person_results):
        yield ('\n  "subjects": [\n    ' if first else ",\n    ") + indented(subject, 2)
        first = False
    yield '\n  "subjects": []\n}\n' if first else "\n  ]\n}\n"


def _indicator_heads(columns: list[tuple[ir.Program, list[ir.Indicator]]]) -> list[str]:
    """Indicator columns by name; a name both kinds use gets its id added."""
    names = [i.name for _, indicators in columns for i in indicators]
    return [
        f"{i.name}（{i.id}）" if names.count(i.name) > 1 else i.name
        for _, indicators in columns
        for i in indicators
    ]


def to_csv(
    sections: ir.Program,
    people: ir.Program | None,
    section_results: list[SubjectResult],
    person_results: list[SubjectResult],
    lang: str = "zh",
) -> str:
    """One row per subject; indicator columns of sections, then of people.
    CSV for Excel (``workbook.csv_text``): headers in ``lang``, numbers at
    the rule set's places."""
    blocks = [(sections, section_results)]
    if people is not None:
        blocks.append((people, person_results))
    columns = [(program, _columns(program, results)) for program, results in blocks]
    head = [text(f"table.head.{h}", lang) for h in _CSV_HEADS]
    sanctioned = any(r.sanctions for _, results in blocks for r in results)
    if sanctioned:
        head.append(text("table.head.sanction", lang))
    rows: list[list[Cell]] = []
    for index, (program, results) in enumerate(blocks):
        for result in results:
            out = _not_scored(result)
            cells: list[Cell] = [
                result.period, text(f"table.kind.{result.kind}", lang), result.id, result.name,
                None if out else result.rank, _grade_word(result.grade, lang),
                None if out else _number(result.total, program), _number(result.base, program),
                *([sanction_word(result, lang)] if sanctioned else []),
            ]  # fmt: skip
            scores = {i.id: _number(i.score, program) for i in result.indicators}
            for position, (_, indicators) in enumerate(columns):
                cells += [scores.get(i.id) if position == index else None for i in indicators]
            rows.append(cells)
    return csv_text(head + _indicator_heads(columns), rows)


_CSV_HEADS = ("period", "kind", "id", "name", "rank", "grade", "total", "base")
_XLSX_HEADS = ("period", "id", "name", "rank", "grade", "total", "base", "adjust", "veto")


def _number(value: Decimal | None, program: ir.Program) -> Decimal | None:
    return None if value is None else shown(value, program.places, program.rounding)


@dataclass(frozen=True, slots=True)
class _Column:
    """One column of the terminal table: its header, the words that choose it
    with ``--columns`` (both languages' headers, an indicator's id) and its cells."""

    head: str
    names: tuple[str, ...]
    cells: list[str]
    left: bool = False  # names are aligned left, numbers right
    kept: bool = False  # rank and name start every block of a wrapped table


def _fixed(
    lang: str, key: str, cells: list[str], left: bool = False, kept: bool = False
) -> _Column:
    """A column of the rules' own words, headed in ``lang``; ``--columns`` takes
    either language's header."""
    heads = tuple(text(f"table.head.{key}", each) for each in ("zh", "en"))
    return _Column(heads[1] if lang == "en" else heads[0], heads, cells, left, kept)


def _each_once(values: list[Hashable], word: Callable[[Any], str]) -> list[str]:
    """``word`` of each value, worked out once per distinct value (a table
    repeats its scores, grades and sums on every row).  Numbers are keyed by
    value, so 1.0 and 1.00 share a text: ``fmt`` shows both alike."""
    words = {value: word(value) for value in dict.fromkeys(values)}
    return list(map(words.__getitem__, values))


def _table_columns(program: ir.Program, results: list[SubjectResult], lang: str) -> list[_Column]:
    """Every column the table can show, in order.  People also show their
    section and its total, the part of their score ``combine`` takes from it.
    Cells are made a column at a time, each distinct value's text once."""

    def number(value: Decimal | None) -> str:
        return fmt(value, program) or ""

    out = [_not_scored(r) for r in results]
    columns = [
        _fixed(
            lang,
            "rank",
            ["" if o else str(r.rank) for r, o in zip(results, out, strict=True)],
            kept=True,
        ),
        _fixed(lang, "subject", [r.name for r in results], left=True, kept=True),
    ]
    organization = program.organization
    if program.kind == "person" and organization is not None:
        names = {s.id: s.name for s in organization.sections}
        sections = _sections_of(results, program)
        columns.append(
            _fixed(lang, "section", _each_once([i for i, _ in sections], lambda i: names.get(i, i)),
                   left=True)
        )  # fmt: skip
        if program.section_total is not None:
            columns.append(
                _fixed(lang, "section_total", _each_once([t for _, t in sections], number))
            )
    zero = Decimal(0)
    not_scored = text("sanction.word.not_scored", lang)
    columns += [
        _fixed(lang, "total", [not_scored if o else cell for o, cell in
                               zip(out, _each_once([r.total for r in results], number), strict=True)]),
        _fixed(lang, "grade", _each_once([r.grade for r in results], lambda g: _grade_word(g, lang))),
        _fixed(lang, "own" if program.kind == "person" else "base",
               _each_once([r.base for r in results], number)),
        _fixed(lang, "adjust",
               _each_once([sum((a.points for a in r.adjustments), zero) if r.adjustments else zero
                           for r in results], lambda v: _signed(v, program))),
        _fixed(lang, "veto",
               _each_once([r.vetoes for r in results],
                          lambda vetoes: ",".join(text(f"table.veto.{v}", lang) for v in vetoes))),
    ]  # fmt: skip
    if any(r.sanctions for r in results):
        columns.append(
            _fixed(lang, "sanction", [sanction_word(r, lang) for r in results], left=True)
        )
    shown = _columns(program, results)
    # Each result's indicator cells, worked out once per tuple of indicator
    # results: a period's results share their tuples (runtime.engine.subjects),
    # and every result is alive here, so a tuple's id names it.
    rows: dict[int, tuple[str, ...]] = {}

    def indicator_cells(indicators: tuple[IndicatorResult, ...]) -> tuple[str, ...]:
        found = rows.get(id(indicators))
        if found is None:
            mine = {i.id: i for i in reversed(indicators)}  # the first of an id
            found = rows[id(indicators)] = tuple(
                "" if (result := mine.get(indicator.id)) is None
                else number(result.score) or text(f"table.status.{result.status}", lang)
                for indicator in shown
            )  # fmt: skip
        return found

    cells = zip(*map(indicator_cells, [r.indicators for r in results]), strict=True)
    for indicator, column in zip(shown, cells, strict=True):
        columns.append(_Column(indicator.name, (indicator.name, indicator.id), list(column)))
    return columns


def column_names(program: ir.Program, results: list[SubjectResult], lang: str) -> list[str]:
    """The words ``--columns`` accepts for this table."""
    return [name for c in _table_columns(program, results, lang) for name in c.names]


def to_table(
    program: ir.Program,
    period: str,
    results: list[SubjectResult],
    lang: str,
    width: int | None = None,
    columns: list[str] | None = None,
) -> str:
    """A plain-text table aligned for CJK terminals (wide characters take two
    cells).  ``columns`` keeps only the chosen ones (rank and name always
    stay); ``width`` wraps the table into blocks that fit, each starting with
    rank and name, so no line is longer than the terminal and nothing is lost."""
    if not results:
        return ""
    shown_columns = _table_columns(program, results, lang)
    if columns is not None:
        shown_columns = [
            c for c in shown_columns if c.kept or any(name in columns for name in c.names)
        ]
    # A cell's width worked out once per distinct text (a table repeats its
    # scores, grades and sections on every row).
    known: dict[str, int] = {}

    def cells(text: str) -> int:
        found = known.get(text)
        if found is None:
            found = known[text] = len(text) if text.isascii() else display_width(text)
        return found

    def padded(text: str, width: int, right: bool) -> str:
        space = " " * max(0, width - cells(text))
        return space + text if right else text + space

    # Each column's distinct texts, measured and padded once.
    distinct = [dict.fromkeys(c.cells) for c in shown_columns]
    widths = [
        max([cells(c.head), *map(cells, texts)])
        for c, texts in zip(shown_columns, distinct, strict=True)
    ]
    kind = text(f"subjects.{program.kind}", lang)
    lines = [f"{program.scheme} {program.version} · {period} · {kind}", ""]
    for block in _blocks(shown_columns, widths, width):
        if len(lines) > 2:
            lines.append("")
        parts = [(shown_columns[i], widths[i], distinct[i]) for i in block]
        lines.append("  ".join(padded(c.head, w, not c.left) for c, w, _ in parts).rstrip())
        lines.append("  ".join("-" * w for _, w, _ in parts))
        # Padded a column at a time, joined a row at a time.
        filled = []
        for c, w, texts in parts:
            pads = {x: padded(x, w, not c.left) for x in texts}
            filled.append(map(pads.__getitem__, c.cells))
        lines.extend(map(str.rstrip, map("  ".join, zip(*filled, strict=True))))
    return "\n".join(lines) + "\n"


def _blocks(columns: list[_Column], widths: list[int], width: int | None) -> list[list[int]]:
    """Column positions split into blocks no wider than ``width``: the first
    block takes every column it can, each later one repeats the kept columns
    (rank, name).  A block always takes at least one new column, so a very
    narrow terminal still shows everything, one column per block."""
    every = list(range(len(columns)))
    if width is None:
        return [every]
    kept = [i for i in every if columns[i].kept]
    blocks: list[list[int]] = []
    rest = [i for i in every if not columns[i].kept]
    while rest or not blocks:
        block = list(kept)
        used = sum(widths[i] for i in block) + 2 * max(0, len(block) - 1)
        while rest and (len(block) == len(kept) or used + 2 + widths[rest[0]] <= width):
            used += 2 + widths[rest[0]]
            block.append(rest.pop(0))
        blocks.append(sorted(block))
    return blocks


def to_xlsx(
    sections: ir.Program,
    people: ir.Program | None,
    section_results: list[SubjectResult],
    person_results: list[SubjectResult],
    lang: str,
) -> bytes:
    """A workbook with a sheet for sections and one for people, ready to print
    (``runtime.render.workbook``): headers in ``lang``, scores as numbers at
    the rule set's places (exact decimals, no float); an unscored indicator
    shows why.  The same results give the same bytes."""
    workbook = new_workbook()
    sheet = workbook.active
    assert sheet is not None
    blocks = [(sections, section_results, text("subjects.section", lang))]
    if people is not None:
        blocks.append((people, person_results, text("subjects.person", lang)))
    for index, (program, results, title) in enumerate(blocks):
        target = sheet if index == 0 else workbook.create_sheet()
        target.title = title
        indicators = _columns(program, results)
        organization = program.organization
        person = program.kind == "person" and organization is not None
        keys = _XLSX_HEADS[:3] + (("section", "section_total") if person else ()) + _XLSX_HEADS[3:]
        heads = [text(f"table.head.{h}", lang) for h in keys]
        sanctioned = any(r.sanctions for r in results)
        if sanctioned:
            heads.append(text("table.head.sanction", lang))
        names = {s.id: s.name for s in organization.sections} if organization else {}
        rows: list[list[Cell]] = []
        for r in results:
            found = {i.id: i for i in r.indicators}
            section, section_total = _section_of(r, program)
            row: list[Cell] = [
                r.period, r.id, r.name,
                *((names.get(section, section), _number(section_total, program)) if person else ()),
                None if _not_scored(r) else r.rank, _grade_word(r.grade, lang),
                None if _not_scored(r) else _number(r.total, program), _number(r.base, program),
                _number(sum((a.points for a in r.adjustments), Decimal(0)), program),
                "、".join(text(f"table.veto.{v}", lang) for v in r.vetoes),
                *([sanction_word(r, lang)] if sanctioned else []),
            ]  # fmt: skip
            for indicator in indicators:
                result = found.get(indicator.id)
                if result is None:
                    row.append(None)
                elif result.score is None:
                    row.append(text(f"table.status.{result.status}", lang))
                else:
                    row.append(_number(result.score, program))
            rows.append(row)
        kind = text(f"subjects.{program.kind}", lang)
        label = results[0].period if results else ""
        fill_sheet(
            target,
            heads + [i.name for i in indicators],
            rows,
            program.places,
            header=f"{program.scheme} {program.version} · {label} · {kind}",
        )
    return workbook_bytes(workbook)
