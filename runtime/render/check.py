"""Rendering a clean ``jixiao check``: what the rule set holds, counted over
both kinds of subject (inputs the runtime sets itself are not counted)."""

from __future__ import annotations

from compiler.pipeline import Compilation
from dsl.messages import render_message
from runtime.inputs.data import RUNTIME_KINDS


def summary(compilation: Compilation, rules: str, lang: str) -> str:
    """One line: the rules' name, and how many indicators, inputs and items."""
    programs = list(compilation.programs.values())
    counts = {
        "rules": rules,
        "indicators": sum(len(p.indicators) for p in programs),
        "inputs": sum(1 for p in programs for f in p.inputs if f.kind not in RUNTIME_KINDS),
        "items": sum(len(p.items) for p in programs),
    }
    return render_message("check.ok", lang, counts) + "\n"
