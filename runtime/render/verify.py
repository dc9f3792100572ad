"""Rendering the proven bounds of ``jixiao verify``."""

from __future__ import annotations

from compiler.verify import Verification
from dsl.diagnostics import display_width

_TITLE = {
    "zh": {"section": "科室：可证明的得分范围", "person": "个人：可证明的得分范围", "of": "满分",
           "base": "基础分", "bonus": "加分", "deduction": "扣分", "total": "总分"},
    "en": {"section": "sections: proven bounds", "person": "people: proven bounds", "of": "of",
           "base": "base", "bonus": "bonus", "deduction": "deduction", "total": "total"},
}  # fmt: skip


def bounds_text(verification: Verification, lang: str) -> str:
    words = _TITLE["zh" if lang == "zh" else "en"]
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
