"""The dry-run report as one self-contained HTML page (Jinja2, inline SVG),
written for the leadership, who read it on screen and on A4 paper.

The finding comes first: a summary (how many subjects change grade, who gains
or loses the best grade, by name, quota use, the largest movers) before any
detail.  Then each period, sections before people, each under its own
heading, with grades in the order the rules declare them; then, over several
periods, the cumulative comparison (the roll-up the rules declare) with each
period's delta.  No script, stylesheet, font or image is fetched when the page
is viewed: the charts come from ``runtime.render.charts``, every text is
escaped (names come from data files), and the common CJK fonts are named
first.  The print CSS lays the page out for A4 (Chromium prints it for
``--format pdf``): headings kept with what follows, table headers repeated.
"""

from __future__ import annotations

from decimal import Decimal

import jinja2

from dsl.messages import text, texts
from runtime.inputs.periods import parse_periods
from runtime.render.charts import Bar, HistogramWords, delta_bars, histogram
from runtime.render.dryrun import consequence_names
from runtime.tools.bulletin import period_text
from runtime.tools.dryrun import DryRun, PeriodComparison, SubjectChange
from semantics.rounding import unsigned

KINDS = ("section", "person")
MOVERS = 3  # the largest movers named in the summary, per kind
LABELLED_PEOPLE = 20  # people drawn in the change chart (the largest changes)


def _money(value: Decimal | None) -> str:
    return "-" if value is None else str(unsigned(value))


def _signed(value: Decimal | None) -> str:
    if value is None:
        return "-"
    shown = unsigned(value)
    return ("+" if shown > 0 else "") + str(shown)


def _direction(value: Decimal | None) -> str:
    """The CSS class of a change: a gain, a loss, or none."""
    if not value:
        return ""
    return "gain" if value > 0 else "loss"


def _label(period: str, lang: str) -> str:
    """A period as an office writes it in Chinese (2016年1—9月), as given in English."""
    return period_text(parse_periods(period)) if lang == "zh" else period


def _short(period: str, lang: str) -> str:
    """A period in a column head, without the year (一季度; 2016Q1 in English)."""
    if lang != "zh":
        return period
    written = period_text(parse_periods(period))
    return written.split("年", 1)[1].removeprefix("第")


def _size(change: SubjectChange) -> Decimal:
    return abs(change.delta) if change.delta is not None else Decimal(0)


def _ordered_grades(run: DryRun, kind: str, mine: list[SubjectChange]) -> list[str]:
    """The declared grades best first, then "-" (no grade) when some subject has none."""
    grades = list(run.grades.get(kind, ()))
    seen = {g or "-" for c in mine for g in (c.grade_before, c.grade_after)}
    grades += sorted(seen - set(grades))
    return grades


def _matrix(grades: list[str], mine: list[SubjectChange]) -> list[dict[str, object]]:
    counts: dict[tuple[str, str], int] = {}
    for c in mine:
        key = (c.grade_before or "-", c.grade_after or "-")
        counts[key] = counts.get(key, 0) + 1
    top = max(counts.values(), default=1)
    return [
        {
            "grade": before,
            "cells": [
                {
                    "count": counts.get((before, after), 0),
                    "shade": f"{counts.get((before, after), 0) / top * 0.6:.2f}",
                    "moved": before != after and counts.get((before, after), 0) > 0,
                }
                for after in grades
            ],
        }
        for before in grades
    ]


def _summary(run: DryRun, period: PeriodComparison, heading: str, lang: str) -> dict[str, object]:
    """The period's finding in a few sentences and one row of the summary table."""
    words = texts("dryrun.html", lang)
    sep = words["separator"]
    graded = {k: [s for s in period.subjects if s.kind == k and s.grade_before != s.grade_after]
              for k in KINDS}  # fmt: skip
    sentences = [
        words["grade_changes"].format(
            period=heading, total=len(period.subjects),
            changed=sum(len(v) for v in graded.values()),
            sections=len(graded["section"]), people=len(graded["person"]),
        )
    ]  # fmt: skip
    gains: list[str] = []
    losses: list[str] = []
    for kind in KINDS:
        order = run.grades.get(kind, ())
        if not order or not any(s.kind == kind for s in period.subjects):
            continue
        best = order[0]
        won = [
            s.name
            for s in period.subjects
            if s.kind == kind and s.grade_after == best != s.grade_before
        ]
        lost = [s.name for s in period.subjects if s.kind == kind and s.grade_before == best != s.grade_after]  # fmt: skip
        who = words[kind]
        colon = text("explain.colon", lang)
        gains.append(who + colon + (sep.join(won) or words["nobody"]))
        losses.append(who + colon + (sep.join(lost) or words["nobody"]))
        sentences.append(
            words["gains_best"].format(kind=who, grade=best, names=sep.join(won) or words["nobody"])
        )
        sentences.append(words["loses_best"].format(kind=who, grade=best, names=sep.join(lost) or words["nobody"]))  # fmt: skip
    movers: list[str] = []
    for kind in KINDS:
        mine = sorted(
            (s for s in period.subjects if s.kind == kind and _size(s)),
            key=lambda s: (-_size(s), s.id),
        )
        movers.extend(f"{s.name} {_signed(s.delta)}" for s in mine[:MOVERS])
    if movers:
        sentences.append(words["movers"].format(names=sep.join(movers)))
    return {
        "label": heading,
        "sentences": sentences,
        "sections": len(graded["section"]),
        "people": len(graded["person"]),
        "gains": gains,
        "losses": losses,
        "movers": sep.join(movers) or words["nobody"],
    }


def _quotas(run: DryRun, period: PeriodComparison, heading: str, lang: str) -> list[dict[str, str]]:
    def key(item: tuple[tuple[str, str, str], tuple[int, int, int, int]]) -> tuple[int, int, str]:
        (kind, grade, group), _ = item
        order = run.grades.get(kind, ())
        return (KINDS.index(kind), order.index(grade) if grade in order else len(order), group)

    return [
        {"period": heading, "kind": text(f"dryrun.html.{kind}", lang), "grade": grade,
         "group": group or "-", "before": f"{ub}/{qb}", "after": f"{ua}/{qa}",
         "direction": "gain" if ua > ub else "loss" if ua < ub else ""}
        for (kind, grade, group), (ub, qb, ua, qa) in sorted(period.quotas.items(), key=key)
    ]  # fmt: skip


def _block(
    run: DryRun, period: PeriodComparison, kind: str, lang: str, cumulative: bool
) -> dict[str, object] | None:
    """One kind's part of a period: charts, transition matrix and the table."""
    words = texts("dryrun.html", lang)
    mine = [s for s in period.subjects if s.kind == kind]
    if not mine:
        return None
    label = words[kind]
    axis = HistogramWords(words["before"], words["after"], words["axis_total"], words["axis_count"])
    distribution = histogram(
        [s.total_before for s in mine if s.total_before is not None],
        [s.total_after for s in mine if s.total_after is not None],
        run.thresholds.get(kind, ()),
        axis,
    )
    # Only subjects whose score changes are drawn: every section, the people
    # with the largest changes; the note says what the rest are within.
    moved = sorted((s for s in mine if s.delta is not None), key=lambda s: (-_size(s), s.id))
    limit = len(moved) if kind == "section" else LABELLED_PEOPLE
    shown = [s for s in moved[:limit] if _size(s)]
    note = ""
    if not shown:
        note = words["no_change"]
    elif len(shown) < len(moved):
        rest = max((_size(s) for s in moved[len(shown) :]), default=Decimal(0))
        note = words["movers_note"].format(shown=len(shown), total=len(moved), limit=_money(rest))
    bars = [
        Bar(s.name, s.delta, f"{s.rank_before or '-'}→{s.rank_after or '-'}")
        for s in shown
        if s.delta is not None
    ]
    charts = [
        {"kind": f"distribution-{kind}", "title": words["distribution"].format(kind=label),
         "svg": distribution, "note": ""},
        {"kind": f"shifts-{kind}", "title": words["shifts"].format(kind=label),
         "svg": delta_bars(bars, words["axis_delta"]), "note": note},
    ]  # fmt: skip
    grades = _ordered_grades(run, kind, mine)
    labels = [p.period for p in run.periods] if cumulative else []
    steps: dict[tuple[str, str], Decimal | None] = {
        (p.period, s.id): s.delta for p in run.periods for s in p.subjects if s.kind == kind
    }
    named = consequence_names(run, lang)
    rows = []
    for s in sorted(mine, key=lambda c: (-_size(c), c.id)):
        rows.append({
            "name": s.name, "id": s.id, "before": _money(s.total_before),
            "after": _money(s.total_after), "delta": _signed(s.delta),
            "direction": _direction(s.delta),
            "steps": [{"delta": _signed(steps.get((p, s.id))), "direction": _direction(steps.get((p, s.id)))}
                      for p in labels],
            "rank_before": s.rank_before or "-", "rank_after": s.rank_after or "-",
            "rank_direction": _direction(Decimal((s.rank_before or 0) - (s.rank_after or 0)))
            if s.rank_before and s.rank_after else "",
            "grade_before": s.grade_before or "-", "grade_after": s.grade_after or "-",
            "grade_changed": s.grade_before != s.grade_after,
            "consequences": [f"{words['gained']} {named(c)}" for c in s.gained] + [f"{words['lost']} {named(c)}" for c in s.lost],
        })  # fmt: skip
    return {
        "kind": kind,
        "title": label,
        "heading": words["kind_heading"].format(kind=label, count=len(mine)),
        "charts": charts,
        "grades": grades,
        "matrix": _matrix(grades, mine),
        "steps": [words["step"].format(period=_short(p, lang)) for p in labels],
        "rows": rows,
    }


def _period(
    run: DryRun, period: PeriodComparison, heading: str, lang: str, cumulative: bool
) -> dict[str, object]:
    words = texts("dryrun.html", lang)
    published = None
    if period.published is not None:
        published = (
            words["reproduced"]
            if period.published == "reproduced"
            else words["differ"].format(ids=period.published)
        )
    blocks = [_block(run, period, kind, lang, cumulative) for kind in KINDS]
    return {
        "id": "cumulative" if cumulative else f"period-{period.period}",
        "label": heading,
        "changed": words["changed"].format(
            changed=sum(1 for s in period.subjects if s.changed), total=len(period.subjects)
        ),
        "blocks": [b for b in blocks if b is not None],
        "published": published,
        "cumulative": cumulative,
    }


def render(run: DryRun, lang: str) -> str:
    words = texts("dryrun.html", lang)
    periods = [_period(run, p, _label(p.period, lang), lang, False) for p in run.periods]
    summaries = [_summary(run, p, _label(p.period, lang), lang) for p in run.periods]
    quotas = [q for p in run.periods for q in _quotas(run, p, _label(p.period, lang), lang)]
    if run.cumulative is not None:
        how = text(f"explain.rollup.{run.rollup}", lang) if run.rollup else ""
        heading = words["cumulative"].format(period=_label(run.cumulative.period, lang), rollup=how)
        periods.append(_period(run, run.cumulative, heading, lang, True))
        summaries.append(_summary(run, run.cumulative, heading, lang))
        quotas += _quotas(run, run.cumulative, heading, lang)
    best = dict.fromkeys(order[0] for order in run.grades.values() if order)
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("runtime.render", "templates"),
        autoescape=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    template = environment.get_template("dryrun.html.j2")
    return template.render(
        run=run, periods=periods, summaries=summaries, quotas=quotas, words=words, lang=lang,
        best=" / ".join(best),
    )  # fmt: skip
