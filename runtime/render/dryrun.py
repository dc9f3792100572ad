"""Rendering a dry-run: a terminal summary (Chinese or English), CSV, JSON and XLSX.

JSON keeps the English keys and strings tools read; CSV and XLSX are for
people: headers in their language, numbers as numbers, consequences named.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal

from dsl.messages import MESSAGES, render_message, text, texts
from runtime.render.workbook import (
    Cell,
    csv_text,
    fill_sheet,
    new_workbook,
    sheet_title,
    workbook_bytes,
)
from runtime.tools.dryrun import DryRun, PeriodComparison, SubjectChange
from semantics.rounding import DEFAULT_ROUNDING, shown, unsigned


def _num(value: Decimal | None) -> str:
    if value is None:
        return "-"
    return str(unsigned(value))


def _delta(change: SubjectChange) -> str:
    delta = change.delta
    if delta is None:
        return "-"
    return ("+" if delta > 0 else "") + _num(delta)


def _grade_key(run: DryRun, kind: str, grade: str) -> tuple[int, str]:
    """Where a grade stands in the rules' declared order (best first); "-" and
    unknown grades last."""
    order = run.grades.get(kind, ())
    return (order.index(grade), grade) if grade in order else (len(order), grade)


def _per_quarter(run: DryRun, kind: str, ident: str) -> list[tuple[str, Decimal | None]]:
    """The subject's score delta in each period of the run, for the cumulative view."""
    found = []
    for period in run.periods:
        change = next((s for s in period.subjects if s.kind == kind and s.id == ident), None)
        found.append((period.period, change.delta if change else None))
    return found


def _comparison_lines(
    run: DryRun, period: PeriodComparison, heading: str, lang: str, limit: int, cumulative: bool
) -> list[str]:
    words = texts("dryrun.text", lang)
    lines = []
    changed = [s for s in period.subjects if s.changed]
    lines.append(
        words["changed"].format(period=heading, changed=len(changed), total=len(period.subjects))
    )
    ordered = sorted(
        changed,
        key=lambda s: (-(abs(s.delta) if s.delta is not None else Decimal(0)), s.kind, s.id),
    )
    for s in ordered[:limit]:
        grade = (
            f"{s.grade_before or '-'} → {s.grade_after or '-'}"
            if s.grade_before != s.grade_after
            else (s.grade_after or "")
        )
        rank = f"{words['rank']} {s.rank_before or '-'} → {s.rank_after or '-'}"
        line = f"  {words[s.kind]} {s.name} ({s.id}): {_num(s.total_before)} → {_num(s.total_after)} ({_delta(s)}), {rank}"
        if grade:
            line += f", {grade}"
        lines.append(line)
        if cumulative:
            steps = ", ".join(
                f"{label} {'-' if d is None else ('+' if d > 0 else '') + _num(d)}"
                for label, d in _per_quarter(run, s.kind, s.id)
            )
            lines.append(f"      {words['quarters']}: {steps}")
        lines.extend(f"      {words['gained']} {c}" for c in s.gained)
        lines.extend(f"      {words['lost']} {c}" for c in s.lost)
    if len(ordered) > limit:
        lines.append(f"  … (+{len(ordered) - limit})")
    lines.append(f"  {words['matrix']}:")
    for (kind, before, after), count in sorted(
        period.transitions.items(),
        key=lambda item: (
            item[0][0] != "section", _grade_key(run, item[0][0], item[0][1]),
            _grade_key(run, item[0][0], item[0][2]),
        ),
    ):  # fmt: skip
        lines.append(f"    {words[kind]} {before} → {after}: {count}")
    if period.quotas:
        lines.append(f"  {words['quota']}:")
        for (kind, grade, group), (ub, qb, ua, qa) in sorted(
            period.quotas.items(), key=lambda item: (item[0][0] != "section", _grade_key(run, item[0][0], item[0][1]), item[0][2])
        ):  # fmt: skip
            lines.append(f"    {words[kind]} {grade} {group}: {ub}/{qb} → {ua}/{qa}")
    if period.published is not None:
        status = (
            words["reproduced"]
            if period.published == "reproduced"
            else words["differ"].format(ids=period.published)
        )
        lines.append(f"  {words['published']}: {status}")
    lines.append("")
    return lines


def cumulative_heading(run: DryRun, lang: str) -> str:
    """``2016Q1..2016Q3（累计：各季度的平均）``: the cumulative view's label."""
    assert run.cumulative is not None
    how = text(f"explain.rollup.{run.rollup}", lang) if run.rollup else ""
    return text("dryrun.text.cumulative", lang).format(period=run.cumulative.period, rollup=how)


def to_text(run: DryRun, lang: str, limit: int = 20) -> str:
    words = texts("dryrun.text", lang)
    lines = [words["title"].format(candidate=run.candidate, baseline=run.baseline), ""]
    for period in run.periods:
        lines.extend(_comparison_lines(run, period, period.period, lang, limit, False))
    if run.cumulative is not None:
        heading = cumulative_heading(run, lang)
        lines.extend(_comparison_lines(run, run.cumulative, heading, lang, limit, True))
    return "\n".join(lines)


def _row(s: SubjectChange) -> list[object]:
    return [
        s.period, s.kind, s.id, s.name, _num(s.total_before), _num(s.total_after), _delta(s),
        s.rank_before or "", s.rank_after or "", s.grade_before or "", s.grade_after or "",
        "; ".join(s.gained), "; ".join(s.lost),
    ]  # fmt: skip


HEADER = [
    "period", "kind", "subject", "name", "total_before", "total_after", "delta", "rank_before",
    "rank_after", "grade_before", "grade_after", "consequences_gained", "consequences_lost",
]  # fmt: skip


_HEADS = ("period", "kind", "id", "name", "total_before", "total_after", "delta", "rank_before",
          "rank_after", "grade_before", "grade_after", "gained", "lost")  # fmt: skip


def _places(run: DryRun) -> int:
    """The places the totals are shown at (totals come rounded to the rule
    set's places; a rule set without decimals shows none)."""
    exponents = [
        -int(v.as_tuple().exponent)
        for p in run.periods
        for s in p.subjects
        for v in (s.total_before, s.total_after)
        if v is not None and v.is_finite()
    ]
    return max(exponents, default=2)


def _link_names(run: DryRun) -> dict[str, str]:
    """Each link's name by id, from the consequences of the evaluations."""
    if run.link_names:  # gathered by ``compare`` before it slimmed the evaluations
        return dict(run.link_names)
    names: dict[str, str] = {}
    for pair in run.evaluations:
        for evaluation in pair:
            for result in (*evaluation.sections, *evaluation.people):
                for c in result.consequences:
                    names[c.link] = c.name
    return names


def _consequence(item: str, names: dict[str, str], lang: str) -> str:
    """``link: key: value`` as people read it: the link's name, the kind of
    consequence and what it says (科室组织绩效优秀…（评先评优：优先推荐）)."""
    link, _, effect = item.partition(": ")
    key, _, value = effect.partition(": ")
    word = f"table.effect.{key}"
    args = {
        "name": names.get(link, link),
        "effect": text(word, lang) if word in MESSAGES else key,
        "value": value,
    }
    return render_message("table.consequence", lang, args)


def consequence_names(run: DryRun, lang: str) -> Callable[[str], str]:
    """How a ``link: key: value`` consequence reads in ``lang`` (by the link's
    name), for the HTML report as for the workbooks."""
    names = _link_names(run)
    return lambda item: _consequence(item, names, lang)


def _cells(
    run: DryRun, lang: str, periods: list[PeriodComparison] | None = None
) -> tuple[list[str], list[list[list[Cell]]]]:
    """The heads in ``lang`` and, per period (the run's unless ``periods``
    says), one row per subject with numbers as numbers."""
    places = _places(run)
    names = _link_names(run)

    def number(value: Decimal | None) -> Decimal | None:
        return None if value is None else shown(value, places, DEFAULT_ROUNDING)

    def row(s: SubjectChange) -> list[Cell]:
        return [
            s.period, text(f"table.kind.{s.kind}", lang), s.id, s.name,
            number(s.total_before), number(s.total_after), number(s.delta),
            s.rank_before, s.rank_after, s.grade_before, s.grade_after,
            "；".join(_consequence(c, names, lang) for c in s.gained),
            "；".join(_consequence(c, names, lang) for c in s.lost),
        ]  # fmt: skip

    heads = [text(f"table.head.{h}", lang) for h in _HEADS]
    rows = [[row(s) for s in period.subjects] for period in (periods or run.periods)]
    return heads, rows


def to_csv(run: DryRun, lang: str = "zh") -> str:
    """One row per period and subject: CSV for Excel (BOM, headers in ``lang``,
    numbers unquoted, consequences by name)."""
    heads, periods = _cells(run, lang)
    return csv_text(heads, [row for rows in periods for row in rows])


def to_json(run: DryRun) -> str:
    document: dict[str, object] = {
        "baseline": run.baseline,
        "candidate": run.candidate,
        "periods": [_json_period(p) for p in run.periods],
    }
    if run.cumulative is not None:
        # Over several periods: the roll-up compared, with each subject's delta per period.
        cumulative = _json_period(run.cumulative)
        cumulative["rollup"] = run.rollup
        subjects = cumulative["subjects"]
        assert isinstance(subjects, list)
        for entry, s in zip(subjects, run.cumulative.subjects, strict=True):
            entry["deltas"] = {
                label: None if d is None else ("+" if d > 0 else "") + _num(d)
                for label, d in _per_quarter(run, s.kind, s.id)
            }
        document["cumulative"] = cumulative
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def _json_period(p: PeriodComparison) -> dict[str, object]:
    return {
        "period": p.period,
        "subjects": [dict(zip(HEADER, map(str, _row(s)), strict=True)) for s in p.subjects],
        "transitions": [
            {"kind": k, "from": a, "to": b, "count": n}
            for (k, a, b), n in sorted(p.transitions.items())
        ],
        "quotas": [
            {
                "kind": k,
                "grade": g,
                "group": grp,
                "used_before": ub,
                "quota_before": qb,
                "used_after": ua,
                "quota_after": qa,
            }
            for (k, g, grp), (ub, qb, ua, qa) in sorted(p.quotas.items())
        ],
        "published": p.published,
    }


def to_xlsx(run: DryRun, lang: str = "zh") -> bytes:
    """The per-subject comparison as a workbook ready to print (one sheet a
    period, ``runtime.render.workbook``), byte-identical per run."""
    workbook = new_workbook(texts("dryrun.html", lang)["title"])
    first = workbook.active
    assert first is not None
    heads, periods = _cells(run, lang)
    places = _places(run)
    header = f"{run.baseline} → {run.candidate}"
    for index, (period, rows) in enumerate(zip(run.periods, periods, strict=True)):
        sheet = first if index == 0 else workbook.create_sheet()
        sheet.title = sheet_title(period.period, workbook.sheetnames[:index])
        fill_sheet(sheet, heads, rows, places, header=f"{header} · {period.period}")
    if not run.periods:
        fill_sheet(first, heads, [], places)
    if run.cumulative is not None:
        # The roll-up compared, with a column for each period's difference.
        heads, (rows,) = _cells(run, lang, [run.cumulative])
        labels = [p.period for p in run.periods]
        heads += [text("table.head.delta_in", lang).format(period=label) for label in labels]
        for row, s in zip(rows, run.cumulative.subjects, strict=True):
            row.extend(
                None if d is None else shown(d, places, DEFAULT_ROUNDING)
                for _, d in _per_quarter(run, s.kind, s.id)
            )
        sheet = workbook.create_sheet()
        sheet.title = sheet_title(text("table.cumulative", lang), workbook.sheetnames[:-1])
        title = cumulative_heading(run, lang)
        fill_sheet(sheet, heads, rows, places, header=f"{header} · {title}")
    return workbook_bytes(workbook)
