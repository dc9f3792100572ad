"""Diagnostics: one record for every user-facing problem, and its renderers.

Every stage reports problems as ``Diagnostic`` values and keeps going, so one
run of ``jixiao check`` shows every problem of a rule set.  A diagnostic names a
stable code, a primary span, optional labelled secondary spans and a help line;
the message text comes from the catalogue in ``dsl.messages`` in Chinese or
English, chosen when rendering, never when the problem is found.

Three renderings: ``full`` (header, `` --> file:line:col``, numbered source
lines with carets under the exact characters), ``concise`` (one line per
problem) and ``json`` (for editors).
"""

from __future__ import annotations

import difflib
import functools
import json
import os
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from dsl.messages import render_message
from dsl.messages import text as word
from dsl.spans import Span, TableFile

Lang = Literal["zh", "en"]
Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Label:
    span: Span
    code: str  # message id of the label text
    args: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem found in rule files or data, located and explained."""

    code: str
    args: Mapping[str, object]
    span: Span | None
    severity: Severity = "error"
    labels: tuple[Label, ...] = ()
    help: tuple[str, Mapping[str, object]] | None = None
    # Where the problem is not in a rule file (data, arguments): a plain location.
    location: str | None = None

    def message(self, lang: Lang) -> str:
        return render_message(self.code, lang, self.args)

    def help_text(self, lang: Lang) -> str | None:
        if self.help is None:
            return None
        return render_message(self.help[0], lang, self.help[1])

    def where(self) -> str:
        if self.span is not None:
            return self.span.location()
        return self.location or "<unknown>"

    def sort_key(self) -> tuple[str, int, str]:
        if self.span is not None:
            return (self.span.path, self.span.start, self.code)
        return (self.location or "", 0, self.code)


class UserError(Exception):
    """Problems in what the user gave us (rules, data, arguments).

    Carries every diagnostic found; the CLI renders them and exits with 1.
    Internal bugs are any other exception and exit with 101.
    """

    def __init__(self, diagnostics: Sequence[Diagnostic]) -> None:
        super().__init__(f"{len(diagnostics)} problem(s)")
        self.diagnostics = tuple(diagnostics)


def did_you_mean(name: str, candidates: Iterable[str]) -> str | None:
    """The closest candidate by edit similarity (works for Chinese too)."""
    found = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.5)
    return found[0] if found else None


HelpLine = tuple[str, Mapping[str, object]]


def suggest(
    name: str, candidates: Iterable[str], fallback: HelpLine | None = None
) -> HelpLine | None:
    """A "did you mean" help line for a misspelt name, else ``fallback``."""
    found = did_you_mean(name, candidates)
    return ("E0401.didyoumean", {"suggestion": found}) if found else fallback


def sort_diagnostics(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    return sorted(diagnostics, key=Diagnostic.sort_key)


def detect_lang(environ: Mapping[str, str] | None = None) -> Lang:
    """The language when no ``--lang`` is given: ``JIXIAO_LANG`` (zh or en)
    if set, else English only when the locale asks for English (LC_ALL,
    LC_MESSAGES, LANG, LANGUAGE starting with ``en``), else Chinese.

    The users are Chinese offices: an unset, ``C`` or ``POSIX`` locale (a
    server, a container, a scheduled job) must not turn the workbooks'
    headers and the documents into English."""
    env = os.environ if environ is None else environ
    chosen = env.get("JIXIAO_LANG", "").strip().lower()
    if chosen in ("zh", "en"):
        return chosen  # type: ignore[return-value]
    for name in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = env.get(name, "")
        if value:
            return "en" if value.lower().startswith("en") else "zh"
    return "zh"


@functools.lru_cache(maxsize=1 << 16)  # tables repeat their cells (names, numbers, grades)
def display_width(text: str) -> int:
    """Terminal cells taken by ``text``: CJK wide and fullwidth take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def pad(text: str, width: int, right: bool = False) -> str:
    """``text`` filled with spaces to ``width`` cells (on the left if ``right``)."""
    space = " " * max(0, width - display_width(text))
    return space + text if right else text + space


def render_full(diagnostic: Diagnostic, lang: Lang) -> str:
    severity = word(f"severity.{diagnostic.severity}", lang)
    lines = [f"{severity}[{diagnostic.code}]: {diagnostic.message(lang)}"]
    spans: list[tuple[Span, str, bool]] = []
    if diagnostic.span is not None:
        spans.append((diagnostic.span, "", True))
    for label in diagnostic.labels:
        spans.append((label.span, render_message(label.code, lang, label.args), False))
    if not spans:
        lines.append(f"  --> {diagnostic.where()}")
    else:
        gutter = max(len(str(span.end_line_col[0])) for span, _, _ in spans)
        pad = " " * gutter
        lines.append(f"{pad}--> {spans[0][0].location()}")
        last_path = spans[0][0].path
        for span, text, primary in spans:
            if span.path != last_path:
                lines.append(f"{pad}::: {span.location()}")
                last_path = span.path
            lines.append(f"{pad} |")
            lines.extend(_snippet(span, text, primary, gutter))
        lines.append(f"{pad} |")
    help_text = diagnostic.help_text(lang)
    if help_text:
        indent = " " * (max(len(str(s.end_line_col[0])) for s, _, _ in spans) if spans else 1)
        lines.append(f"{indent} = {word('severity.help', lang)}: {help_text}")
    return "\n".join(lines)


def _snippet(span: Span, label: str, primary: bool, gutter: int) -> list[str]:
    """Numbered source lines of ``span`` with carets under its characters."""
    start_line, start_col = span.file.line_col(span.start)
    end_line, end_col = span.file.line_col(max(span.start, span.end))
    out: list[str] = []
    mark = "^" if primary else "-"
    lines = list(range(start_line, end_line + 1))
    if len(lines) > 4:  # a long span: its first two and last lines
        lines = [*lines[:2], -1, lines[-1]]
    for line in lines:
        if line == -1:
            out.append(f"{' ' * gutter} | ...")
            continue
        text = span.file.line_text(line).expandtabs(1)
        out.append(f"{line:>{gutter}} | {text}".rstrip())
        first = start_col - 1 if line == start_line else len(text) - len(text.lstrip())
        last = end_col - 1 if line == end_line else len(text)
        if last <= first:
            last = first + 1
        lead = display_width(text[:first])
        width = max(1, display_width(text[first:last]))
        underline = " " * lead + mark * width
        if line == end_line and label:
            underline += " " + label
        out.append(f"{' ' * gutter} | {underline}".rstrip())
    return out


def render_concise(diagnostic: Diagnostic, lang: Lang) -> str:
    severity = word(f"severity.{diagnostic.severity}", lang)
    text = f"{diagnostic.where()}: {severity}[{diagnostic.code}]: {diagnostic.message(lang)}"
    help_text = diagnostic.help_text(lang)
    if help_text:
        text += f" ({word('severity.help', lang)}: {help_text})"
    return text


def to_json_object(diagnostic: Diagnostic, lang: Lang) -> dict[str, object]:
    obj: dict[str, object] = {
        "code": diagnostic.code,
        "severity": diagnostic.severity,
        "message": diagnostic.message(lang),
        "help": diagnostic.help_text(lang),
    }
    if diagnostic.span is not None:
        line, col = diagnostic.span.file.line_col(diagnostic.span.start)
        end_line, end_col = diagnostic.span.end_line_col
        obj.update(
            file=diagnostic.span.path, line=line, column=col, end_line=end_line, end_column=end_col
        )
        if isinstance(diagnostic.span.file, TableFile):  # a roster's cell: row and column head
            obj["location"] = diagnostic.span.location()
    else:
        obj["location"] = diagnostic.location
    obj["labels"] = [
        {
            "file": label.span.path,
            "line": label.span.line,
            "column": label.span.column,
            "message": render_message(label.code, lang, label.args),
        }
        for label in diagnostic.labels
    ]
    return obj


OutputFormat = Literal["full", "concise", "json"]


def render_all(diagnostics: Sequence[Diagnostic], lang: Lang, fmt: OutputFormat = "full") -> str:
    """Render every diagnostic, sorted by place, with a closing count."""
    ordered = sort_diagnostics(diagnostics)
    if fmt == "json":
        return json.dumps([to_json_object(d, lang) for d in ordered], ensure_ascii=False, indent=2)
    if fmt == "concise":
        return "\n".join(render_concise(d, lang) for d in ordered)
    blocks = [render_full(d, lang) for d in ordered]
    errors = sum(1 for d in ordered if d.severity == "error")
    if errors:
        blocks.append(render_message("summary.errors", lang, {"count": errors}))
    return "\n\n".join(blocks)
