"""Rendering a semantic diff for policy staff (Chinese or English) and for tools (JSON)."""

from __future__ import annotations

import json

from compiler.diff import Change
from dsl.messages import MESSAGES, render_message, text


def _field(name: str, lang: str) -> str:
    if name.startswith("let "):
        return render_message("diff.let", lang, {"name": name[4:]})
    key = f"diff.field.{name}"
    return text(key, lang) if key in MESSAGES else name


def _detail(name: str, value: str | None, lang: str) -> str:
    """ ", field value" after an added or removed thing, when it has a value."""
    if not value:
        return ""
    return render_message("diff.detail", lang, {"field": _field(name, lang), "value": value})


def to_text(changes: list[Change], old: str, new: str, lang: str) -> str:
    if not changes:
        return render_message("diff.same", lang, {"old": old, "new": new}) + "\n"
    lines = [f"{old} → {new}", ""]
    for c in changes:
        thing = text(f"diff.thing.{c.thing}", lang)
        label = (f"{thing} {c.ident}" if c.ident else thing) + (
            f"「{c.name}」" if c.name and c.name != c.ident else ""
        )
        if c.action == "added":
            args = {"label": label, "detail": _detail(c.field, c.new, lang), "at": c.new_at}
            lines.append(render_message("diff.added", lang, args))
        elif c.action == "removed":
            args = {"label": label, "detail": _detail(c.field, c.old, lang), "at": c.old_at}
            lines.append(render_message("diff.removed", lang, args))
        else:
            none = text("diff.none", lang)
            where = f"{c.old_at} → {c.new_at}" if c.old_at != c.new_at else c.new_at
            args = {"label": label, "field": _field(c.field, lang), "old": c.old or none,
                    "new": c.new or none, "at": where}  # fmt: skip
            lines.append(render_message("diff.changed", lang, args))
    counts = {a: sum(1 for c in changes if c.action == a) for a in ("added", "removed", "changed")}
    lines.append("")
    lines.append(render_message("diff.summary", lang, counts))
    return "\n".join(lines) + "\n"


def to_json(changes: list[Change], old: str, new: str) -> str:
    document = {
        "old": old,
        "new": new,
        "changes": [
            {
                "action": c.action, "thing": c.thing, "id": c.ident, "name": c.name,
                "field": c.field, "old": c.old, "new": c.new, "old_at": c.old_at,
                "new_at": c.new_at,
            }
            for c in changes
        ],
    }  # fmt: skip
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
