"""Showing a rule-test run: one line per case, the failures located in the
test file, the summary, and the coverage with every target no test reached."""

from __future__ import annotations

import json
from decimal import Decimal

from dsl.diagnostics import Lang, OutputFormat, display_width, pad, render_all, to_json_object
from dsl.messages import render_message
from runtime.tools.coverage import CATEGORIES, Coverage, Target
from runtime.tools.rule_tests import CaseOutcome, TestRun


def _status(outcome: CaseOutcome) -> str:
    if outcome.problems:
        return "error"
    return "fail" if outcome.failures else "pass"


def run_text(run: TestRun, lang: Lang, fmt: OutputFormat = "full") -> str:
    lines: list[str] = []
    places = [f"{o.case.path}:{o.case.line}" for o in run.outcomes]
    width = max((display_width(p) for p in places), default=0)
    for place, outcome in zip(places, run.outcomes, strict=True):
        status = render_message(f"test.{_status(outcome)}", lang, {})
        lines.append(f"{pad(place, width)}  {status}  {outcome.case.name}")
    for outcome in run.outcomes:
        found = outcome.problems + outcome.failures + outcome.warnings
        if found:
            lines.append("")
            lines.append(f"── {outcome.case.name} ({outcome.case.path}:{outcome.case.line})")
            lines.append(render_all(found, lang, fmt))
    counts = {"pass": 0, "fail": 0, "error": 0}
    for outcome in run.outcomes:
        counts[_status(outcome)] += 1
    lines.append("")
    lines.append(
        render_message(
            "test.summary",
            lang,
            {
                "count": len(run.outcomes),
                "passed": counts["pass"],
                "failed": counts["fail"],
                "errors": counts["error"],
            },
        )
    )
    lines.append("")
    lines.extend(coverage_lines(run.coverage, lang))
    return "\n".join(lines) + "\n"


def coverage_lines(coverage: Coverage, lang: Lang) -> list[str]:
    lines = [render_message("coverage.title", lang, {})]
    labels = {c: render_message(f"coverage.{c}", lang, {}) for c in CATEGORIES}
    labels_total = render_message("coverage.total", lang, {})
    width = max(display_width(label) for label in [*labels.values(), labels_total])
    for category in (*CATEGORIES, None):
        chosen = coverage.counted(category)
        if category is not None and not chosen:
            continue
        label = labels[category] if category is not None else labels_total
        lines.append(
            f"  {pad(label, width)}  {coverage.reached(category):>3}/{len(chosen):<3} "
            f"{coverage.percent(category):>5}%"
        )
    for title, targets in (("coverage.missed", coverage.missed()),
                           ("coverage.unreachable", coverage.unreachable)):  # fmt: skip
        if targets:
            lines.append(render_message(title, lang, {}))
        for target in targets:
            kind = render_message(f"kind.{target.kind}", lang, {})
            lines.append(
                f"  {target.span.location()}  {labels[target.category]} ({kind})  {target.label}"
            )
    return lines


def run_json(run: TestRun, lang: Lang) -> str:
    coverage = run.coverage
    document = {
        "cases": [
            {
                "name": o.case.name,
                "file": o.case.path,
                "line": o.case.line,
                "result": _status(o),
                "problems": [to_json_object(d, lang) for d in o.problems + o.failures + o.warnings],
            }
            for o in run.outcomes
        ],
        "coverage": {
            "percent": str(coverage.percent()),
            "categories": {
                c: {
                    "targets": len(coverage.counted(c)),
                    "covered": coverage.reached(c),
                    "percent": str(coverage.percent(c)),
                }
                for c in CATEGORIES
            },
            "missed": [_target(t) for t in coverage.missed()],
            "unreachable": [_target(t) for t in coverage.unreachable],
        },
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def _target(target: Target) -> dict[str, str]:
    return {"category": target.category, "kind": target.kind, "label": target.label,
            "location": target.span.location()}  # fmt: skip


def under(coverage: Coverage, required: Decimal) -> bool:
    return coverage.percent() < required
