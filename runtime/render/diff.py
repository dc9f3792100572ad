"""Rendering a semantic diff for policy staff (Chinese or English) and for tools (JSON)."""

from __future__ import annotations

import json

from compiler.diff import Change

_THINGS = {
    "indicator": ("指标", "indicator"), "item": ("加减分项目", "item"), "grade": ("等次", "grade"),
    "link": ("结果运用", "link"), "setting": ("规则集设置", "rule-set setting"),
    "property": ("性质", "property"),
}  # fmt: skip
_FIELDS = {
    "name": ("名称", "name"), "points": ("分值", "points"), "category": ("类别", "category"),
    "cadence": ("考评周期", "cadence"), "method": ("计分方法", "scoring method"),
    "applies_to": ("适用范围", "applies to"), "effective_from": ("生效日期", "in force from"),
    "effective_until": ("失效日期", "in force until"), "round": ("取整", "rounding"),
    "levels": ("档次分值", "level table"), "formula": ("计分公式", "formula"),
    "per": ("每次分值", "points per occurrence"), "cap": ("上限", "cap"), "kind": ("类型", "kind"),
    "veto": ("否决", "veto"), "min": ("分数线", "threshold"), "requires": ("前提条件", "prerequisite"),
    "quota": ("名额", "quota"), "blocked_by": ("否决限制", "blocked by"), "when": ("条件", "condition"),
    "history": ("历史条件", "history"), "to": ("对象", "goes to"), "effect": ("结果", "effect"),
    "version": ("版本", "version"), "places": ("小数位", "decimal places"),
    "rounding": ("取整方式", "rounding mode"), "full_marks": ("满分", "full marks"),
    "ranking": ("排名依据", "ranking keys"), "rollup": ("汇总方式", "roll-up"),
    "combine": ("个人总分合成", "person's total"),
    "max": ("分数上限", "upper bound"), "due_days": ("考评期限（天）", "days to assess"),
    "bonus_cap": ("加分合计上限", "bonus cap"), "deduction_cap": ("扣分合计上限", "deduction cap"),
    "always": ("恒成立条件", "always"), "monotone": ("单调性", "monotone"),
    "pairwise": ("两两关系", "pairwise"),
}  # fmt: skip


def _field(name: str, zh: bool) -> str:
    if name.startswith("let "):
        return ("中间值 " if zh else "value ") + name[4:]
    words = _FIELDS.get(name, (name, name))
    return words[0] if zh else words[1]


def to_text(changes: list[Change], old: str, new: str, lang: str) -> str:
    zh = lang == "zh"
    if not changes:
        return (
            f"{old} 与 {new} 没有差别。" if zh else f"No differences between {old} and {new}."
        ) + "\n"
    lines = [f"{old} → {new}", ""]
    for c in changes:
        thing = _THINGS[c.thing][0 if zh else 1]
        label = f"{thing} {c.ident}" + (f"「{c.name}」" if c.name and c.name != c.ident else "")
        if c.action == "added":
            extra = f"，{_field(c.field, zh)} {c.new}" if c.new else ""
            lines.append(
                f"+ 新增{label}{extra}  [{c.new_at}]" if zh
                else f"+ added {label}{', ' + _field(c.field, zh) + ' ' + c.new if c.new else ''}  [{c.new_at}]"
            )  # fmt: skip
        elif c.action == "removed":
            extra = f"，{_field(c.field, zh)} {c.old}" if c.old else ""
            lines.append(
                f"- 删除{label}{extra}  [{c.old_at}]" if zh
                else f"- removed {label}{', ' + _field(c.field, zh) + ' ' + c.old if c.old else ''}  [{c.old_at}]"
            )  # fmt: skip
        else:
            was = c.old or ("（无）" if zh else "(none)")
            now = c.new or ("（无）" if zh else "(none)")
            where = f"{c.old_at} → {c.new_at}" if c.old_at != c.new_at else c.new_at
            lines.append(
                f"~ {label}的{_field(c.field, zh)}：{was} → {now}  [{where}]" if zh
                else f"~ {label}: {_field(c.field, zh)} {was} → {now}  [{where}]"
            )  # fmt: skip
    counts = {a: sum(1 for c in changes if c.action == a) for a in ("added", "removed", "changed")}
    lines.append("")
    lines.append(
        f"新增 {counts['added']} 项，删除 {counts['removed']} 项，修改 {counts['changed']} 处。" if zh
        else f"{counts['added']} added, {counts['removed']} removed, {counts['changed']} changed."
    )  # fmt: skip
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
