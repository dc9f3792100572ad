"""Semantic diff of two rule sets: what a revision changes, in plain words.

Both sides are checked programs (sections and people); things are matched by
id, never by position, so moving an indicator to another file is no change
and renaming it (same id, new name) is a rename.  Every change names the file
and line on each side.  The facts compared are read from the IR and the spans
of the rule text: points, formulas (the rule text, whitespace-normalized),
level tables, rounding, applicability, effective dates, days to assess, items,
their caps and conditions, grades, thresholds, bounds, prerequisites and
quotas, ranking keys and their order, the overall caps, the roll-up and its
weights, people's combination, links, declared properties and the manifest's
settings.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from compiler import ir
from compiler.passes.state import Kind
from dsl import ast
from dsl.spans import Span


@dataclass(frozen=True, slots=True)
class Change:
    action: str  # added, removed, changed
    thing: str  # setting, input, value, indicator, item, grade, link, property, section, person
    ident: str
    name: str
    field: str  # "" for added/removed
    old: str
    new: str
    old_at: str  # file:line, "" when absent
    new_at: str


Facts = dict[str, tuple[str, Span | None]]


def _where(span: Span | None) -> str:
    return f"{span.path}:{span.line}" if span is not None else ""


def _text(expr: ir.Expr) -> str:
    """The formula as written: from its first node's start to its last node's
    end (a division's own span is its divisor's, where a zero fault points)."""
    spans = [n.span for n in ir.walk(expr) if n.span.file is expr.span.file]
    start, end = min(s.start for s in spans), max(s.end for s in spans)
    return " ".join(expr.span.file.text[start:end].split())


def _number(value: Decimal | None) -> str:
    if value is None:
        return ""
    return format(value.normalize(), "f") if value == value.to_integral_value() else str(value)


def _definition(program: ir.Program, slot: int | None) -> ir.Definition | None:
    return next((d for d in program.definitions if d.slot == slot), None)


def _formula(program: ir.Program, slot: int | None, otherwise: Span) -> tuple[str, Span]:
    """The formula text defining ``slot`` and where it is written; ``otherwise`` when absent."""
    definition = _definition(program, slot)
    if definition is None:
        return "", otherwise
    return _text(definition.expr), definition.expr.span


def _indicator(program: ir.Program, indicator: ir.Indicator) -> Facts:
    definition = next(d for d in program.definitions if d.slot == indicator.score)
    expr = definition.expr
    facts: Facts = {
        "name": (indicator.name, indicator.span),
        "points": (_number(indicator.points), indicator.span),
        "category": (indicator.category or "", indicator.span),
        "cadence": (indicator.cadence or "", indicator.span),
        "method": (indicator.method, indicator.span),
        "applies_to": (", ".join(indicator.applies_to or ()), indicator.span),
        "effective_from": (str(indicator.effective_from or ""), indicator.span),
        "effective_until": (str(indicator.effective_until or ""), indicator.span),
        "round": (
            "" if definition.places is None else f"{definition.places} {definition.mode}",
            indicator.span,
        ),
        "due_days": (str(indicator.due_days), indicator.span),
        "working_days": ("true" if indicator.working_days else "", indicator.span),
        "move_off_holidays": ("true" if indicator.move_off_holidays else "", indicator.span),
    }
    tables = [n for n in ir.walk(expr) if isinstance(n, ir.Lookup)]
    if tables:
        shares = ", ".join(f"{k}: {_number(v * 100)}%" for k, v in tables[0].table)
        facts["levels"] = (shares, tables[0].span)
    else:
        facts["formula"] = (_text(expr), expr.span)
    for let in indicator.lets:
        let_definition = next(d for d in program.definitions if d.slot == let)
        name = program.slots[let].name.split(".", 1)[-1]
        facts[f"let {name}"] = (_text(let_definition.expr), let_definition.expr.span)
    return facts


def _item(program: ir.Program, item: ir.Item) -> Facts:
    # A condition (`when`) is its own definition, in the slot named after the item.
    gate = next((s.index for s in program.slots if s.name == f"{item.id}.when"), None)
    return {
        "name": (item.name, item.span),
        "kind": (item.kind, item.span),
        "per": (_number(item.per), item.span),
        "cap": (_number(item.cap), item.span),
        "veto": (item.veto or "", item.span),
        "effective_from": (str(item.effective_from or ""), item.span),
        "effective_until": (str(item.effective_until or ""), item.span),
        "when": _formula(program, gate, item.span),
        **_sanction(program, item),
    }


def _sanction(program: ir.Program, item: ir.Item) -> Facts:
    """A veto item's sanction (language.md §8.3.1): its raise formula and outcome."""
    raised = next((s.index for s in program.slots if s.name == f"{item.id}.raised_by"), None)
    s = item.sanction
    lasts = "" if s is None else f"{s.years} years" if s.years else str(s.until or "")
    if s is not None and s.column:  # per event: the column and its unit
        lasts = f"{s.column} ({s.unit})"
    return {
        "raised_by": _formula(program, raised, item.span),
        "grade": ((s.grade if s else None) or "", item.span),
        "at_most": ((s.at_most if s else None) or "", item.span),
        "scoring": ((s.scoring if s else None) or "", item.span),
        "lasts": (lasts, item.span),
    }


def _grade(program: ir.Program, band: ir.GradeBand) -> Facts:
    quota = band.quota
    return {
        "min": (_number(band.minimum), band.span),
        "max": (_number(band.maximum), band.span),
        "requires": _formula(program, band.requires, band.span),
        "quota": (
            ""
            if quota is None
            else f"{_number(quota.share * 100)}% {quota.rounding} {quota.pool} ties {quota.ties}"
            + (f" at_least {quota.at_least}" if quota.at_least is not None else "")
            + (f" at_most {quota.at_most}" if quota.at_most is not None else ""),
            band.span,
        ),
        "blocked_by": (", ".join(band.blocked_by), band.span),
    }


def _link(link: ir.Link) -> Facts:
    return {
        "name": (link.name, link.span),
        "when": (_text(link.condition), link.condition.span),
        "history": (
            ""
            if link.history_years is None
            else f"{link.history_years} years {'consecutive' if link.consecutive else 'cumulative'}"
            + (f" within {link.within}" if link.within is not None else "")
            + (f" since {_text(link.since)}" if link.since is not None else ""),
            link.span,
        ),
        "to": (link.to, link.span),
        "effect": ("; ".join(f"{k}: {v}" for k, v in link.effects), link.span),
        "reads": (link.reads, link.span),
        "roles": (
            f"only {', '.join(link.roles)}"
            if link.roles
            else f"except {', '.join(link.excepted)}"
            if link.excepted
            else "",
            link.span,
        ),
        "overrides": (", ".join(link.overrides), link.span),
    }


def _property(program: ir.Program, prop: ir.Property) -> Facts:
    monotone = ""
    if prop.of is not None and prop.input is not None:
        direction = "increasing" if prop.increasing else "decreasing"
        monotone = (
            f"of {program.slots[prop.of].name} input {program.slots[prop.input].name} {direction}"
        )
    condition = ("", prop.span)
    if prop.condition is not None:
        condition = (_text(prop.condition), prop.condition.span)
    return {
        "name": (prop.name, prop.span),
        "always": condition if not prop.pairwise else ("", prop.span),
        "pairwise": condition if prop.pairwise else ("", prop.span),
        "monotone": (monotone, prop.span),
    }


def _cap(program: ir.Program, slot: int | None, otherwise: Span) -> tuple[str, Span]:
    """The overall cap of bonus or deduction items: ``min(sum(items), cap)``."""
    definition = _definition(program, slot)
    if definition is not None:
        match definition.expr:
            case ir.Call(
                fn="min", args=(ir.Aggregate(), ir.Const(value=Decimal() as cap, span=at))
            ):
                return _number(cap), at
    return "", otherwise


def _combine(program: ir.Program, otherwise: Span) -> tuple[str, Span]:
    """The people's proportions: ``own_total * own + section_total * section``."""
    definition = _definition(program, program.total)
    if definition is not None and program.section_total is not None:
        match definition.expr:
            case ir.Arith(
                op="+",
                left=ir.Arith(op="*", right=ir.Const(value=Decimal() as own, span=at)),
                right=ir.Arith(op="*", right=ir.Const(value=Decimal() as section)),
            ):
                return f"own {_number(own * 100)}% section {_number(section * 100)}%", at
    return "", otherwise


def _ranking(ranking: ir.Ranking | None) -> str:
    """The keys as written in `ties`: highest first unless marked ``ascending``."""
    if ranking is None:
        return ""
    keys = zip(ranking.names, ranking.keys, strict=True)
    return ", ".join(name + ("" if descending else " ascending") for name, (_, descending) in keys)


def _rollup(rollup: ir.Rollup | None) -> str:
    if rollup is None:
        return ""
    weights = ", ".join(f"Q{quarter}: {_number(weight)}" for quarter, weight in rollup.weights)
    return f"{rollup.method} {weights}" if weights else rollup.method


def _settings(program: ir.Program) -> Facts:
    total = program.slots[program.total].span
    facts: Facts = {
        "version": (program.version, total),
        "places": (str(program.places), total),
        "rounding": (program.rounding, total),
        "full_marks": (_number(program.full_marks), total),
        "ranking": (_ranking(program.ranking), total),
        "rollup": (_rollup(program.rollup), total),
        "bonus_cap": _cap(program, program.bonus, total),
        "deduction_cap": _cap(program, program.deduction, total),
    }
    if program.kind == "person":
        facts["combine"] = _combine(program, total)
    return facts


# The fact shown with an added or removed thing.
def _input(field: ir.InputField) -> Facts:
    default = field.default
    shown = (
        ""
        if default is None
        else _number(default)
        if isinstance(default, Decimal)
        else str(default)
    )
    return {
        "type": (field.kind, field.span),
        "low": (_number(field.minimum), field.span),
        "high": (_number(field.maximum), field.span),
        "missing": (field.missing, field.span),
        "default": (shown, field.span),
        "monthly": (field.monthly or "", field.span),
    }


def _value(program: ir.Program, slot: ir.Slot) -> Facts:
    return {"definition": _formula(program, slot.index, slot.span)}


def _section(section: ir.Section, span: Span | None) -> Facts:
    return {
        "name": (section.name, span),
        "group": (section.group, span),
        "tags": (", ".join(section.tags), span),
        "head": (section.head or "", span),
        "liaison": (section.liaison or "", span),
    }


def _person(person: ir.Person, span: Span | None) -> Facts:
    return {
        "name": (person.name, span),
        "section": (person.section, span),
        "post": (person.post or "", span),
    }


def _post(post: ir.Post) -> Facts:
    """A post (岗位) and its duties (岗责体系), one fact per duty's text."""
    return {"name": (post.name, post.span), "duties": ("；".join(post.duties), post.span)}


_SUMMARY = {
    "revision": "date",
    "collection": "members",
    "manifest": "assessment_days",
    "indicator": "points",
    "item": "per",
    "grade": "min",
    "link": "when",
    "property": "always",
    "setting": "version",
    "input": "type",
    "value": "definition",
    "section": "name",
    "person": "name",
    "post": "duties",
}


def _summary(thing: str, facts: Facts) -> tuple[str, str]:
    """The field and value shown with an added or removed thing (a property
    is ``always``, ``pairwise`` or ``monotone``: the one it has)."""
    field = _SUMMARY[thing]
    if thing == "property" and not facts.get(field, ("", None))[0]:
        field = "pairwise" if facts.get("pairwise", ("", None))[0] else "monotone"
    if thing == "revision" and not facts.get(field, ("", None))[0]:
        field = "reason"  # a revision the source gives no date for
    return field, facts.get(field, ("", None))[0]


def _compare(
    thing: str,
    old: dict[str, tuple[str, Facts]],
    new: dict[str, tuple[str, Facts]],
) -> list[Change]:
    changes: list[Change] = []
    for ident in old.keys() - new.keys():
        name, facts = old[ident]
        first = next(iter(facts.values()))[1]
        field, value = _summary(thing, facts)
        changes.append(Change("removed", thing, ident, name, field, value, "", _where(first), ""))
    for ident in new.keys() - old.keys():
        name, facts = new[ident]
        first = next(iter(facts.values()))[1]
        field, value = _summary(thing, facts)
        changes.append(Change("added", thing, ident, name, field, "", value, "", _where(first)))
    for ident in old.keys() & new.keys():
        (old_name, before), (new_name, after) = old[ident], new[ident]
        for key in sorted(before.keys() | after.keys()):
            was, span_old = before.get(key, ("", None))
            now, span_new = after.get(key, ("", None))
            if was != now:
                changes.append(
                    Change(
                        "changed",
                        thing,
                        ident,
                        new_name or old_name,
                        key,
                        was,
                        now,
                        _where(span_old),
                        _where(span_new),
                    )
                )
    return changes


def diff_programs(old: ir.Program | None, new: ir.Program | None, kind: str) -> list[Change]:
    """Every change from ``old`` to ``new`` (one kind of subject)."""
    empty: dict[str, tuple[str, Facts]] = {}

    def indicators(p: ir.Program | None) -> dict[str, tuple[str, Facts]]:
        return {i.id: (i.name, _indicator(p, i)) for i in p.indicators} if p else dict(empty)

    def items(p: ir.Program | None) -> dict[str, tuple[str, Facts]]:
        return {i.id: (i.name, _item(p, i)) for i in p.items} if p else dict(empty)

    def grades(p: ir.Program | None) -> dict[str, tuple[str, Facts]]:
        return {g.grade: (g.grade, _grade(p, g)) for g in p.grades} if p else dict(empty)

    def links(p: ir.Program | None) -> dict[str, tuple[str, Facts]]:
        return {link.id: (link.name, _link(link)) for link in p.links} if p else dict(empty)

    def properties(p: ir.Program | None) -> dict[str, tuple[str, Facts]]:
        return {q.id: (q.name, _property(p, q)) for q in p.properties} if p else dict(empty)

    def settings(p: ir.Program | None) -> dict[str, tuple[str, Facts]]:
        return {kind: (kind, _settings(p))} if p else dict(empty)

    def inputs(p: ir.Program | None) -> dict[str, tuple[str, Facts]]:
        if p is None:
            return dict(empty)
        return {
            f.name: (f.name, _input(f)) for f in p.inputs if f.kind not in ir.RUNTIME_INPUT_KINDS
        }

    def values(p: ir.Program | None) -> dict[str, tuple[str, Facts]]:
        if p is None:
            return dict(empty)
        return {s.name: (s.name, _value(p, s)) for s in p.slots if s.kind == "value"}

    def organization(p: ir.Program | None, which: str) -> dict[str, tuple[str, Facts]]:
        # The organization is the rule set's, not one kind's: shown with the sections.
        if p is None or p.organization is None or kind != "section":
            return dict(empty)
        if which == "section":
            return {s.id: (s.name, _section(s, s.span)) for s in p.organization.sections}
        if which == "post":
            return {q.id: (q.name, _post(q)) for q in p.organization.posts}
        return {q.id: (q.name, _person(q, q.span)) for q in p.organization.people}

    # Inputs come and go with the indicators and formulas that read them, which
    # are reported themselves; what is new to report is a changed input.
    changed_inputs = [
        c for c in _compare("input", inputs(old), inputs(new)) if c.action == "changed"
    ]
    changes = (
        _compare("setting", settings(old), settings(new))
        + changed_inputs
        + _compare("value", values(old), values(new))
        + _compare("section", organization(old, "section"), organization(new, "section"))
        + _compare("person", organization(old, "person"), organization(new, "person"))
        + _compare("post", organization(old, "post"), organization(new, "post"))
        + _compare("indicator", indicators(old), indicators(new))
        + _compare("item", items(old), items(new))
        + _compare("grade", grades(old), grades(new))
        + _compare("link", links(old), links(new))
        + _compare("property", properties(old), properties(new))
    )
    order = {"removed": 0, "added": 1, "changed": 2}
    things = {
        "setting": 0, "input": 1, "value": 2, "indicator": 3, "item": 4, "grade": 5, "link": 6,
        "property": 7, "section": 8, "person": 9, "post": 10,
    }  # fmt: skip
    return sorted(changes, key=lambda c: (things[c.thing], order[c.action], c.ident, c.field))


# -- what belongs to the rule set as a whole, read from the syntax tree --------


def _written(expr: ast.Expr | None) -> str:
    """A formula of the rule text as written, whitespace-normalized."""
    if expr is None:
        return ""
    spans, stack = [], [expr]
    while stack:
        node = stack.pop()
        spans.append(node.span)
        stack.extend(ast.children(node))
    start, end = min(s.start for s in spans), max(s.end for s in spans)
    return " ".join(expr.span.file.text[start:end].split())


def _revision(revision: ast.RevisionDecl) -> Facts:
    span = revision.span
    return {
        "date": (str(revision.day.value) if revision.day else "", span),
        "document": (revision.document or "", span),
        "reason": (revision.reason or "", span),
        "changes": (revision.changes or "", span),
    }


Entries = dict[str, tuple[str, Facts]]


def _rule_set_facts(rules: ast.RuleSet | None) -> tuple[Entries, Entries, Entries, Entries]:
    """The manifest's own settings, the revisions, the collections and the
    sections' ``total:`` formula (facts no single kind's program holds)."""
    if rules is None:
        return {}, {}, {}, {}
    manifest = rules.manifest
    first, last = manifest.years or (manifest.year, manifest.year)
    settings: Entries = {
        "": (
            "",
            {
                "assessment_days": (str(manifest.assessment_days), manifest.span),
                # What one assessment covers, and the years the rules cover.
                "period": (manifest.period, manifest.span),
                "years": (str(first) if first == last else f"{first}..{last}", manifest.span),
            },
        )
    }
    revisions: Entries = {r.id.name: (r.id.name, _revision(r)) for r in manifest.revisions}
    collections: Entries = {
        c.name.name: (
            c.name.name,
            {"members": (", ".join(m.name for m in c.members), c.name.span)},
        )
        for c in rules.collections
    }
    total_span = rules.total.span if rules.total is not None else manifest.span
    total: Entries = {"section": ("section", {"total": (_written(rules.total), total_span)})}
    return settings, revisions, collections, total


_RULE_SET_ORDER = {"manifest": 0, "revision": 1, "setting": 2, "collection": 3}


def diff_rule_sets(
    old_rules: ast.RuleSet | None,
    new_rules: ast.RuleSet | None,
    old: Mapping[Kind, ir.Program],
    new: Mapping[Kind, ir.Program],
) -> list[Change]:
    """Every change from the old rule set to the new: the rule set's own facts
    (manifest settings, revisions, collections, the total formula), then each
    kind's program.  A change of ``assessment_days`` is shown once, for the
    manifest, not again for every indicator that has no ``due_days`` of its own."""
    before, after = _rule_set_facts(old_rules), _rule_set_facts(new_rules)
    own: list[Change] = []
    for thing, was, now in zip(("manifest", "revision", "collection", "setting"), before, after,
                               strict=True):  # fmt: skip
        own += _compare(thing, was, now)
    order = {"removed": 0, "added": 1, "changed": 2}
    own.sort(key=lambda c: (_RULE_SET_ORDER[c.thing], order[c.action], c.ident, c.field))
    declared = {
        d.id.name
        for rules in (old_rules, new_rules)
        if rules is not None
        for d in rules.indicators
        if d.due_days is not None
    }
    kinds: tuple[Kind, ...] = ("section", "person")
    programs = [
        change
        for kind in kinds
        for change in diff_programs(old.get(kind), new.get(kind), kind)
        if not (
            change.thing == "indicator"
            and change.field == "due_days"
            and change.ident not in declared
        )
    ]
    return own + programs
