"""Rendering ``jixiao verify``: the proven bounds, then each property's outcome
(a failing one with its counterexample as a rule test to paste)."""

from __future__ import annotations

from compiler.verify import Verification
from dsl.diagnostics import display_width
from dsl.messages import render_message, texts
from runtime.tools.rule_tests import shown
from runtime.tools.verify import VerifyReport


def bounds_text(verification: Verification, lang: str) -> str:
    words = texts("verify.bounds", lang)
    lines: list[str] = []
    for kind in ("section", "person"):
        rows = [b for b in verification.bounds if b[0] == kind]
        if not rows:
            continue
        lines.append(words[kind])
        labels = [
            words.get(ident, f"{ident} {name}") if ident == name else f"{ident} {name}"
            for _, ident, name, _, _ in rows
        ]
        width = max(display_width(label) for label in labels)
        for label, (_, _, _, interval, points) in zip(labels, rows, strict=True):
            of = f"  ({words['of']} {points.normalize():f})" if points is not None else ""
            lines.append(f"  {label}{' ' * (width - display_width(label))}  {interval}{of}")
        lines.append("")
    return "\n".join(lines)


def to_text(report: VerifyReport, lang: str) -> str:
    """The report for standard output; the findings are diagnostics, shown apart."""
    parts = [bounds_text(report.verification, lang)]
    for check in report.properties:
        prop = check.result.property
        if check.result.holds:
            args = {"id": prop.id, "name": prop.name, "examples": report.examples}
            parts.append(render_message("property.holds", lang, args) + "\n")
            continue
        example = check.result.counterexample
        assert example is not None and check.test is not None
        values = "; ".join(f"{k} = {shown(v)}" for k, v in example.values.items())
        args = {"id": prop.id, "name": prop.name, "values": values}
        parts.append(render_message("property.fails", lang, args) + "\n")
        parts.append(render_message("property.test", lang, {}) + "\n")
        parts.append(check.test)
    return "".join(parts)
