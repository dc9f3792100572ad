"""The dry-run report as one self-contained HTML page (Jinja2, inline SVG).

No script, stylesheet, font or image is fetched when the page is viewed: the
charts are SVG drawn here, every text is escaped (names come from data files),
and the fonts named first are the common CJK ones so Chinese labels render.
Charts: score distributions before and after, rank shifts, and the grade
transition matrix; then quota use and every subject's change.
"""

from __future__ import annotations

import html
from decimal import Decimal

import jinja2

from dsl.messages import texts
from runtime.tools.dryrun import DryRun, SubjectChange
from semantics.rounding import unsigned

BEFORE, AFTER = "#1f77b4", "#ff7f0e"


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def _histogram(changes: list[SubjectChange], words: dict[str, str]) -> str:
    values = [v for c in changes for v in (c.total_before, c.total_after) if v is not None]
    if not values:
        return ""
    low = int(min(values)) // 2 * 2
    high = int(max(values)) // 2 * 2 + 2
    bins = list(range(low, high + 1, 2))
    counts = []
    for start in bins[:-1]:
        before = sum(
            1 for c in changes if c.total_before is not None and start <= c.total_before < start + 2
        )
        after = sum(
            1 for c in changes if c.total_after is not None and start <= c.total_after < start + 2
        )
        counts.append((start, before, after))
    top = max(max(b, a) for _, b, a in counts) or 1
    width, height, left, bottom = 40 * len(counts) + 60, 220, 40, 30
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height + bottom}" role="img">'
    ]
    for index, (start, before, after) in enumerate(counts):
        x = left + index * 40
        for offset, count, color in ((4, before, BEFORE), (20, after, AFTER)):
            h = count * (height - 20) / top
            parts.append(
                f'<rect x="{x + offset}" y="{height - h:.1f}" width="15" height="{h:.1f}" fill="{color}">'
                f"<title>{start}–{start + 2}: {count}</title></rect>"
            )
        parts.append(
            f'<text x="{x + 20}" y="{height + 16}" font-size="11" text-anchor="middle">{start}</text>'
        )
    parts.append(f'<line x1="{left}" y1="{height}" x2="{width - 20}" y2="{height}" stroke="#888"/>')
    parts.append(
        f'<g font-size="12"><rect x="{left}" y="4" width="10" height="10" fill="{BEFORE}"/>'
        f'<text x="{left + 14}" y="13">{_esc(words["before"])}</text>'
        f'<rect x="{left + 90}" y="4" width="10" height="10" fill="{AFTER}"/>'
        f'<text x="{left + 104}" y="13">{_esc(words["after"])}</text></g>'
    )
    parts.append("</svg>")
    return "".join(parts)


def _shifts(changes: list[SubjectChange], labelled: bool) -> str:
    ranked = [c for c in changes if c.rank_before is not None and c.rank_after is not None]
    if not ranked:
        return ""
    most = max(max(c.rank_before or 0, c.rank_after or 0) for c in ranked)
    step = 18 if labelled else 6
    height = most * step + 30
    width = 520
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img">'
    ]
    for c in ranked:
        y1 = 15 + (c.rank_before or 0) * step - step / 2
        y2 = 15 + (c.rank_after or 0) * step - step / 2
        color = (
            "#0a7a2f"
            if (c.rank_after or 0) < (c.rank_before or 0)
            else "#b3261e"
            if (c.rank_after or 0) > (c.rank_before or 0)
            else "#999"
        )
        parts.append(
            f'<line x1="170" y1="{y1:.1f}" x2="350" y2="{y2:.1f}" stroke="{color}" stroke-width="1.5">'
            f"<title>{_esc(c.name)}: {c.rank_before} → {c.rank_after}</title></line>"
        )
        if labelled:
            parts.append(
                f'<text x="164" y="{y1 + 4:.1f}" font-size="12" text-anchor="end">{_esc(c.name)} {c.rank_before}</text>'
            )
            parts.append(
                f'<text x="356" y="{y2 + 4:.1f}" font-size="12">{c.rank_after} {_esc(c.name)}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)


def _matrix(changes: list[SubjectChange], title: str, kind: str) -> dict[str, object]:
    grades = sorted({g or "-" for c in changes for g in (c.grade_before, c.grade_after)})
    counts: dict[tuple[str, str], int] = {}
    for c in changes:
        key = (c.grade_before or "-", c.grade_after or "-")
        counts[key] = counts.get(key, 0) + 1
    top = max(counts.values(), default=1)
    rows = [
        {
            "grade": before,
            "cells": [
                {
                    "count": counts.get((before, after), 0),
                    "shade": f"{counts.get((before, after), 0) / top * 0.6:.2f}",
                }
                for after in grades
            ],
        }
        for before in grades
    ]
    return {"kind": kind, "title": title, "grades": grades, "rows": rows}


def _money(value: Decimal | None) -> str:
    if value is None:
        return "-"
    return str(unsigned(value))


def render(run: DryRun, lang: str) -> str:
    words = texts("dryrun.html", lang)
    periods = []
    for period in run.periods:
        charts, matrices = [], []
        for kind in ("section", "person"):
            mine = [s for s in period.subjects if s.kind == kind]
            if not mine:
                continue
            label = words[kind]
            charts.append({"kind": f"distribution-{kind}", "title": words["distribution"].format(kind=label),
                           "svg": _histogram(mine, words)})  # fmt: skip
            charts.append({"kind": f"shifts-{kind}", "title": words["shifts"].format(kind=label),
                           "svg": _shifts(mine, labelled=kind == "section")})  # fmt: skip
            matrices.append(_matrix(mine, label, kind))
        subjects = []
        for s in sorted(
            period.subjects,
            key=lambda c: (c.kind, -(abs(c.delta) if c.delta is not None else 0), c.id),
        ):
            delta = s.delta
            subjects.append({
                "name": s.name, "id": s.id, "before": _money(s.total_before), "after": _money(s.total_after),
                "delta": "-" if delta is None else ("+" if delta > 0 else "") + str(delta),
                "direction": "up" if delta and delta > 0 else "down" if delta and delta < 0 else "",
                "rank": f"{s.rank_before or '-'} → {s.rank_after or '-'}",
                "grade": f"{s.grade_before or '-'} → {s.grade_after or '-'}",
                "consequences": "; ".join([f"{words['gained']} {c}" for c in s.gained] + [f"{words['lost']} {c}" for c in s.lost]),
            })  # fmt: skip
        quotas = [
            {"grade": grade, "group": group or "-", "before": f"{ub}/{qb}", "after": f"{ua}/{qa}"}
            for (_, grade, group), (ub, qb, ua, qa) in sorted(period.quotas.items())
        ]
        published = None
        if period.published is not None:
            published = (
                words["reproduced"]
                if period.published == "reproduced"
                else words["differ"].format(ids=period.published)
            )
        periods.append({
            "label": period.period, "changed": sum(1 for s in period.subjects if s.changed),
            "total": len(period.subjects), "charts": charts, "matrices": matrices, "quotas": quotas,
            "published": published, "subjects": subjects,
        })  # fmt: skip
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("runtime.render", "templates"),
        autoescape=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    template = environment.get_template("dryrun.html.j2")
    return template.render(run=run, periods=periods, words=words, lang=lang)
