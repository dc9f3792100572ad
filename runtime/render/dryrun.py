"""Rendering a dry-run: a terminal summary (Chinese or English), CSV and JSON."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

from dsl.messages import texts
from runtime.tools.dryrun import DryRun, SubjectChange


def _num(value: Decimal | None) -> str:
    if value is None:
        return "-"
    return str(value.copy_abs() if not value else value)  # no -0 in any output


def _delta(change: SubjectChange) -> str:
    delta = change.delta
    if delta is None:
        return "-"
    return ("+" if delta > 0 else "") + _num(delta)


def to_text(run: DryRun, lang: str, limit: int = 20) -> str:
    words = texts("dryrun.text", lang)
    lines = [words["title"].format(candidate=run.candidate, baseline=run.baseline), ""]
    for period in run.periods:
        changed = [s for s in period.subjects if s.changed]
        lines.append(
            words["changed"].format(
                period=period.period, changed=len(changed), total=len(period.subjects)
            )
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
            lines.extend(f"      {words['gained']} {c}" for c in s.gained)
            lines.extend(f"      {words['lost']} {c}" for c in s.lost)
        if len(ordered) > limit:
            lines.append(f"  … (+{len(ordered) - limit})")
        lines.append(f"  {words['matrix']}:")
        for (kind, before, after), count in sorted(period.transitions.items()):
            lines.append(f"    {words[kind]} {before} → {after}: {count}")
        if period.quotas:
            lines.append(f"  {words['quota']}:")
            for (kind, grade, group), (ub, qb, ua, qa) in sorted(period.quotas.items()):
                lines.append(f"    {words[kind]} {grade} {group}: {ub}/{qb} → {ua}/{qa}")
        if period.published is not None:
            status = (
                words["reproduced"]
                if period.published == "reproduced"
                else words["differ"].format(ids=period.published)
            )
            lines.append(f"  {words['published']}: {status}")
        lines.append("")
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


def to_csv(run: DryRun) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADER)
    for period in run.periods:
        for s in period.subjects:
            writer.writerow(_row(s))
    return buffer.getvalue()


def to_json(run: DryRun) -> str:
    document = {
        "baseline": run.baseline,
        "candidate": run.candidate,
        "periods": [
            {
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
            for p in run.periods
        ],
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def to_xlsx(run: DryRun) -> bytes:
    """The per-subject comparison as a workbook (one sheet a period), byte-identical per run."""
    import datetime

    import openpyxl

    from runtime.render.files import fixed_zip

    workbook = openpyxl.Workbook()
    workbook.properties.created = workbook.properties.modified = datetime.datetime(2000, 1, 1)
    first = workbook.active
    assert first is not None
    for index, period in enumerate(run.periods):
        sheet = first if index == 0 else workbook.create_sheet()
        sheet.title = period.period
        sheet.append(HEADER)
        for s in period.subjects:
            sheet.append([str(v) if isinstance(v, Decimal) else v for v in _row(s)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return fixed_zip(buffer.getvalue())
