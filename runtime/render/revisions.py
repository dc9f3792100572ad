"""The revision log (``jixiao revisions``) as text and JSON.

Text reads as the office keeps its list of notices: each revision with its
date, document number and reason, what the manifest says it changes, and
below that what the rules actually change on its day (computed from the
effective dates, located in the rule files).  What the source does not give
(a date, a document number) is printed as not given, never left blank.
"""

from __future__ import annotations

import json

from dsl.messages import text, texts
from runtime.tools.revisions import RevisionEntry, RevisionLog, RuleChange


def to_text(log: RevisionLog, lang: str, as_of: str | None = None) -> str:
    words = texts("revisions", lang)
    declared = [e for e in log.entries if e.ident is not None]
    title = words["title"].format(
        scheme=log.scheme, version=log.version, year=log.year, count=len(declared)
    )
    if as_of:
        title += words["as_of"].format(day=as_of)
    out = [title, ""]
    if not log.entries:
        out.append(words["none"])
    for number, entry in enumerate(log.entries, 1):
        out += _entry(number, entry, words, lang)
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def _entry(number: int, entry: RevisionEntry, words: dict[str, str], lang: str) -> list[str]:
    if entry.ident is None:
        lines = [words["undeclared"].format(number=number)]
    else:
        lines = [words["heading"].format(number=number, id=entry.ident) + f"  [{entry.at}]"]
    day = words["date"].format(date=entry.day) if entry.day else words["no_date"]
    lines.append(f"   {day}")
    if entry.ident is not None:
        document = entry.document
        shown = words["document"].format(document=document) if document else words["no_document"]
        lines.append(f"   {shown}")
        if entry.reason:
            lines.append("   " + words["reason"].format(reason=entry.reason))
        if entry.declared:
            lines.append("   " + words["declared"].format(text=entry.declared))
    if not entry.changes:
        lines.append("   " + words["nothing"])
        return lines
    lines.append("   " + words["computed"])
    lines += ["     " + _change(c, words, lang) for c in entry.changes]
    return lines


def _change(change: RuleChange, words: dict[str, str], lang: str) -> str:
    action = words[f"action.{change.action}"]
    thing = words[f"subjects.{change.subjects}"] + (
        text(f"diff.thing.{change.thing}", lang)
        if lang == "zh"
        else " " + text(f"diff.thing.{change.thing}", lang)
    )
    label = f"{change.ident}「{change.name}」" if change.name != change.ident else change.ident
    replaces = words["replaces"].format(previous=change.previous) if change.previous else ""
    return f"{action} {thing} {label}{replaces}  [{change.at}]"


def to_json(log: RevisionLog, as_of: str | None = None) -> str:
    document = {
        "scheme": log.scheme,
        "version": log.version,
        "year": log.year,
        "as_of": as_of,
        "revisions": [
            {
                "id": e.ident, "document": e.document,
                "date": e.day.isoformat() if e.day else None, "reason": e.reason,
                "declared": e.declared, "at": e.at,
                "changes": [
                    {"action": c.action, "thing": c.thing, "subjects": c.subjects, "id": c.ident,
                     "name": c.name, "replaces": c.previous, "at": c.at}
                    for c in e.changes
                ],
            }
            for e in log.entries
        ],
    }  # fmt: skip
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
