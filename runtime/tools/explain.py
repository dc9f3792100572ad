"""``jixiao explain``: the derivation of a subject's result as a tree.

Every value is shown with the rule text that computed it and where that text
is (file:line), every input with the data file and row it came from, and the
steps the rules add around the formulas: exemption and normalization, caps of
items, vetoes, the combination of a person's score with the section's, rank
and grade.  The tree is built from the IR (each definition's expression and
its span) and the slot values of the evaluation, so it explains exactly what
was computed.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from compiler import ir
from compiler.pipeline import Compilation
from dsl.diagnostics import Diagnostic, UserError, suggest
from dsl.messages import texts
from runtime.engine.results import SubjectResult
from runtime.engine.run import Evaluation
from runtime.inputs.periods import parse_periods
from runtime.inputs.supervision import counted_items
from semantics.builtins import GROUP_FUNCTIONS
from semantics.rounding import DEFAULT_ROUNDING, shown, unsigned

Node = tuple[str, list["Node"]]


def _number(value: object, places: int = 4) -> str:
    if isinstance(value, Decimal):
        value = unsigned(value)
        text = format(value.normalize(), "f") if value == value.to_integral_value() else str(value)
        if "." in text and len(text.split(".")[1]) > places:
            return str(shown(value, places, DEFAULT_ROUNDING)) + "…"
        return text
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _where(span: object) -> str:
    location = getattr(span, "location", None)
    if location is None:
        return ""
    text: str = location()
    return f"  [{text}]"


def _formula(expr: ir.Expr, names: dict[int, str] | None = None) -> str:
    """The rule text of an expression, on one line; shorthands spelled out
    (their parts have no formula text of their own, only a key's position)."""
    names = names or {}
    match expr:
        case ir.Arith(op="*", left=ir.Const(value=points), right=ir.Lookup(key=key, table=table)):
            shares = ", ".join(f"{level}: {_percent(share)}" for level, share in table)
            return f"{_number(points)} × {{{shares}}}[{_formula(key, names)}]"
        case ir.Call(
            fn="max", args=(ir.Const(), ir.Arith(op="-", left=ir.Const(value=points), right=amount))
        ):
            if isinstance(amount, ir.Call) and amount.fn == "min":
                inner, cap = amount.args
                return f"max(0, {_number(points)} - min({_formula(inner, names)}, {_formula(cap, names)}))"
            return f"max(0, {_number(points)} - {_formula(amount, names)})"
        case ir.Arith(op=op, left=left, right=right) if expr.span.text in ("deduct", "levels"):
            return f"{_formula(left, names)} {op} {_formula(right, names)}"
        case ir.Ref(slot=slot) if slot in names:
            return names[slot]
        case ir.Const(value=value) if not expr.span.text.strip():
            return _number(value)
        case ir.Arith(op="/", left=left, right=right):
            # A division's own span is its divisor's (where a zero points):
            # show the dividend too, with the parenthesis its span leaves out.
            text = " ".join(left.span.to(right.span).text.split())
            return "(" * max(0, text.count(")") - text.count("(")) + text
    text = " ".join(expr.span.text.split())
    if isinstance(expr, ir.Ref | ir.Const) and text in ("deduct", "levels"):
        return _number(expr.value) if isinstance(expr, ir.Const) else text
    return text


def _percent(value: Decimal) -> str:
    return _number(value * 100) + "%"


class _Explainer:
    def __init__(
        self,
        program: ir.Program,
        result: SubjectResult,
        lang: str,
        peers: Sequence[SubjectResult] = (),
    ) -> None:
        self.program = program
        self.result = result
        # The subjects evaluated with this one (its period): whom a group value counts.
        self.peers = [p for p in peers if p.group == result.group] or [result]
        self.groups = {g.slot: g for g in program.groups}
        self.values = result.values
        self.words = texts("explain", lang)
        self.sanction_words = texts("sanction", lang)
        self.definitions = {d.slot: d for d in program.definitions}
        self.inputs = {f.slot: f for f in program.inputs}
        # Items counted from the supervision table: item id -> what they count.
        self.tabled = {
            f.name.removesuffix(".count"): f.source
            for f in program.inputs
            if f.kind == "events" and f.source is not None
        }
        self.seen: set[int] = set()
        self.names = {s.index: s.name.split(".", 1)[-1] for s in program.slots}

    def slot(self, slot: int) -> Node:
        """A value, how it was computed, and the values it was computed from."""
        info = self.program.slots[slot]
        value = self.values[slot]
        if slot in self.inputs:
            field = self.inputs[slot]
            if field.source is not None and self.result.supervision:
                return self.counted(field, value)
            source = f"  [{self.words['data']}: {self.result.source} · {field.name}]"
            if field.kind in ir.PERIOD_DATES:  # set from the period, not read from a cell
                source = f"  [{self.words['period_day']}]"
            # An empty exempt cell, read through present()/fallback(): say so.
            shown = self.words["absent"] if value is None else _number(value)
            return (f"{field.name} = {shown}{source}", [])
        if slot in self.groups:
            return self.group(self.groups[slot], value)
        definition = self.definitions.get(slot)
        if definition is None:
            return (f"{info.name} = {_number(value)}", [])
        label = info.name.split(".", 1)[-1]
        text = f"{label} = {_number(value)} = {_formula(definition.expr, self.names)}"
        if definition.places is not None:
            text += f"  (round {definition.places}, {definition.mode})"
        if slot in self.seen:
            return (text + _where(info.span), [])
        self.seen.add(slot)
        children = [self.slot(s) for s in _reads(definition.expr) if not self._hidden(s)]
        return (text + _where(definition.expr.span), children)

    def group(self, group: ir.GroupValue, value: object) -> Node:
        """A group value: how many members it was computed over (those with
        the value; ``group_count()``: every member), the rank among them."""
        info = self.program.slots[group.slot]
        if group.of is None:
            count = len(self.peers)
        else:
            count = sum(1 for p in self.peers if p.values[group.of] is not None)
        ranked = GROUP_FUNCTIONS[group.fn].rank
        if ranked:
            how = self.words["group_rank"].format(rank=_number(value), count=count)
        else:
            how = self.words["group_over"].format(count=count)
        # Under a rank, the subject's own value ranked; an aggregate is the group's.
        children = [self.slot(group.of)] if ranked and group.of is not None else []
        return (f"{info.name} = {_number(value)} ({how})", children)

    def counted(self, field: ir.InputField, value: object) -> Node:
        """An input counted from supervision items: the items it counted, each
        with its letter, dates and where it is in the supervision table."""
        assert field.source is not None
        w = self.words
        head = f"{field.name} = {_number(value)}  [{w['supervision.' + field.source]}]"
        return (head, self.supervision_items(field.source))

    def supervision_items(self, source: str) -> list[Node]:
        """The subject's supervision items of the period that ``source`` counts,
        each with its letter, dates and where it is in the supervision table."""
        w = self.words
        lines: list[Node] = []
        for i in counted_items(source, self.result.supervision):
            closed = (
                w["supervision.closed"].format(date=i.closed) if i.closed else w["supervision.open"]
            )
            if i.uncorrected:
                closed += w["supervision.not_corrected"]
            text = w["supervision.item"].format(
                id=i.id, letter=i.letter, matter=i.matter, due=i.due, closed=closed
            )
            lines.append((f"{text}  [{i.source}]", []))
        return lines

    def _hidden(self, slot: int) -> bool:
        """Context flags are shown as the indicator's status, not as inputs."""
        field = self.inputs.get(slot)
        return field is not None and field.kind == "context"

    def indicator(self, indicator: ir.Indicator) -> Node:
        shown = next((i for i in self.result.indicators if i.id == indicator.id), None)
        head = f"{indicator.name} ({indicator.id})"
        if shown is None:
            # Not scored in the quarter: out of force, or a half-year or annual
            # indicator between its checkpoints (``ir.Indicator.scored_in``).
            end = parse_periods(self.result.period)[-1].end
            why = "between_checkpoints" if indicator.in_force(end) else "not_in_force"
            return (f"{head}: {self.words[why]}{_where(indicator.span)}", [])
        if shown.score is None:
            return (f"{head}: {self.words[shown.status]}{_where(indicator.span)}", [])
        if self.result.quarters:  # a roll-up: the quarters' own trees show how
            score = (
                f"{head} {_number(shown.score)} / {self.words['of']} {_number(indicator.points)}"
            )
            return (score, [])
        definition = self.definitions[indicator.score]
        text = (
            f"{head} {_number(shown.score)} / {self.words['of']} {_number(indicator.points)}"
            f" = {_formula(definition.expr, self.names)}"
        )
        if definition.places is not None:
            text += f"  (round {definition.places}, {definition.mode})"
        self.seen.add(indicator.score)
        children = [self.slot(s) for s in _reads(definition.expr) if not self._hidden(s)]
        return (text + _where(definition.expr.span), children)

    def base(self, indicators: list[ir.Indicator]) -> Node:
        program = self.program
        assert program.base is not None
        scored = [i for i in self.result.indicators if i.score is not None]
        applicable = sum((i.points for i in scored), Decimal(0))
        base_definition = self.definitions[program.base]
        if self.result.quarters and program.rollup is not None:
            how = self.words[f"rollup.{program.rollup.method}"]
        elif isinstance(base_definition.expr, ir.NormalizedSum):
            how = (
                self.words["sum"]
                if applicable == program.full_marks
                else self.words["normalized"].format(
                    full=_number(program.full_marks), applicable=_number(applicable)
                )
            )
        else:
            how = _formula(base_definition.expr, self.names)
        head = f"{self.words['base']} {_number(self.result.base)} = {how}"
        return (head + _where(base_definition.expr.span), [self.indicator(i) for i in indicators])

    def adjustments(self) -> Node:
        children: list[Node] = []
        for adjustment in self.result.adjustments:
            item = next((i for i in self.program.items if i.id == adjustment.item), None)
            if item is None:
                children.append((f"{self.words['cap']} {_number(adjustment.points)}", []))
                continue
            source = self.tabled.get(item.id)
            count = adjustment.occurrences
            rule = f"{self.words['events'].format(count=_number(count))} × {_number(item.per)}"
            if item.from_data:
                given = sum((e.amount for e in adjustment.events), Decimal(0))
                rule = self.words["points_from_data"].format(points=_number(given))
            if item.cap is not None:
                rule += f", cap {_number(item.cap)}"
            events: list[Node] = [
                (
                    f"{e.day.isoformat()} ×{_number(e.count)}"
                    f"{'' if e.points is None else ' ' + _number(e.points)} {self.words['reason']}"
                    f"{self.words['colon']}{e.reason}{self.words['semicolon']}"
                    f"{self.words['evidence']}{self.words['colon']}{e.evidence}  [{e.source}]",
                    [],
                )
                for e in adjustment.events
            ]
            if source is not None and self.result.supervision:
                events = self.supervision_items(source)
            period = f" {adjustment.period}" if self.result.quarters else ""
            children.append(
                (
                    f"{item.name} ({item.id}){period} {_number(adjustment.points)}: {rule}{_where(item.span)}",
                    events,
                )
            )
        total = sum((a.points for a in self.result.adjustments), Decimal(0))
        return (f"{self.words['adjust']} {_number(total)}", children)

    def tree(self, only: str | None) -> Node:
        program, result, words = self.program, self.result, self.words
        grade = result.grade if result.grade != "ungraded" else words["ungraded"]
        opening, comma, closing = words["open"], words["comma"], words["close"]
        head = (
            f"{result.name} ({result.id}) · {result.period} · {words['total']} "
            f"{_number(result.total)}{opening}{words['rank']} {result.rank}"
            + (f"{comma}{words['grade']} {grade}" if grade else "")
            + closing
        )
        if result.scoring == "not_scored":  # a sanction took it out of scoring and ranking
            head = (
                f"{result.name} ({result.id}) · {result.period} · "
                f"{self.sanction_words['not_scored_total']}"
                + (f"{opening}{words['grade']} {grade}{closing}" if grade else "")
            )
        indicators = [i for i in program.indicators if only is None or i.id == only]
        if only is not None:
            return (head, [self.indicator(i) for i in indicators])
        children: list[Node] = []
        if result.quarters:
            children.append(
                (
                    f"{words['quarters']}: "
                    + ", ".join(f"{p} {_number(t)}" for p, t in result.quarters),
                    [],
                )
            )
        children.append(self.base(indicators))
        children.append(self.adjustments())
        if program.section_total is not None and not result.quarters:
            children.append(
                (
                    f"{words['section_total']} = {_number(result.values[program.section_total])}",
                    [],
                )
            )
        vetoes = "、".join(words[f"veto.{v}"] for v in result.vetoes) or words["none"]
        children.append((f"{words['veto']}: {vetoes}", []))
        if result.sanctions:
            children.append(self.sanctions())
        for gave_way in result.overridden:  # a link's `overrides` set this consequence aside
            if gave_way.target == result.id:
                args = {
                    "link": gave_way.link,
                    "effect": gave_way.effect,
                    "by": gave_way.overridden_by,
                }
                children.append((words["overridden"].format(**args), []))
        steps = f"{words['base']} + {words['adjust']}"
        if program.section_total is not None and program.kind == "person":
            own, section = _combine_shares(self.definitions[program.total].expr)
            steps = words["combine"].format(own=_percent(own), section=_percent(section))
        children.append(
            (
                f"{words['total']} {_number(result.total)} = {steps}"
                f"  (round {program.places}, {program.rounding})",
                [],
            )
        )
        return (head, children)

    def sanctions(self) -> Node:
        """The sanctions holding for the subject: which decided its grade
        ("grade capped at 称职 by item X (rule file:line)") and its scoring,
        then each one with where it was raised and how long it lasts."""
        result, words = self.result, self.sanction_words
        lines: list[Node] = []
        for s in result.sanctions:
            args = {"item": s.item, "name": s.name, "where": s.where or "-"}
            if s.item == result.decided_by and result.decision:
                grade = s.grade if result.decision == "forced" else s.at_most
                lines.append((words[result.decision].format(grade=grade, **args), []))
            if s.item == result.scoring_by and result.scoring:
                lines.append((words[result.scoring].format(**args), []))
        for s in result.sanctions:
            when = (
                words["carried"].format(period=s.period, until=s.until)
                if s.period != result.period or s.until
                else words["raised"]
            )
            lines.append((f"{s.item} {s.name}: {when}", []))
        return (words["heading"], lines)


def _combine_shares(expr: ir.Expr) -> tuple[Decimal, Decimal]:
    """The own and section shares of a person's total definition."""
    match expr:
        case ir.Arith(
            op="+",
            left=ir.Arith(right=ir.Const(value=Decimal() as own)),
            right=ir.Arith(right=ir.Const(value=Decimal() as section)),
        ):
            return own, section
    return Decimal(1), Decimal(0)


def _reads(expr: ir.Expr) -> list[int]:
    """Slots an expression reads, in order of first appearance (a group
    value's, which shows the value it is of beneath it)."""
    found: list[int] = []
    stack = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, ir.Ref | ir.Group) and node.slot not in found:
            found.append(node.slot)
        if not isinstance(node, ir.Group):
            stack.extend(reversed(ir.children(node)))
    return found


def render(node: Node) -> str:
    head, children = node
    lines = [head]
    _render_children(children, "", lines)
    return "\n".join(lines) + "\n"


def _render_children(children: list[Node], prefix: str, lines: list[str]) -> None:
    for index, (text, grand) in enumerate(children):
        last = index == len(children) - 1
        lines.append(f"{prefix}{'└─ ' if last else '├─ '}{text}")
        _render_children(grand, prefix + ("   " if last else "│  "), lines)


def explain(
    program: ir.Program,
    result: SubjectResult,
    lang: str,
    indicator: str | None = None,
    peers: Sequence[SubjectResult] = (),
) -> str:
    """The derivation of ``result`` (or of one indicator of it) as text;
    ``peers``, the subjects evaluated with it, say whom its group values count."""
    return render(_Explainer(program, result, lang, peers).tree(indicator))


def explain_tree(
    program: ir.Program, result: SubjectResult, lang: str, indicator: str | None = None
) -> Node:
    """The derivation of ``result`` as a tree of (text, children): the web
    workbench draws it as nested lists, with data cells linked."""
    return _Explainer(program, result, lang).tree(indicator)


def explain_subject(
    compilation: Compilation,
    evaluation: Evaluation,
    subject: str,
    indicator: str | None,
    lang: str,
) -> str:
    """``jixiao explain``: the derivation of the one subject whose id or name is
    ``subject`` (E0905 none, E0906 several), or of one of its indicators
    (E0907 no such indicator); a roll-up is followed by each quarter's own."""
    assert "section" in compilation.programs
    candidates = [(compilation.programs["section"], r) for r in evaluation.sections]
    if "person" in compilation.programs:
        candidates += [(compilation.programs["person"], r) for r in evaluation.people]
    matches = [(p, r) for p, r in candidates if subject in (r.id, r.name)]
    if len(matches) != 1:
        names = sorted({r.id for _, r in candidates} | {r.name for _, r in candidates})
        code = "E0905" if not matches else "E0906"
        raise UserError([
            Diagnostic(code, {"subject": subject, "ids": ", ".join(r.id for _, r in matches)},
                       None, location=subject,
                       help=None if matches else suggest(subject, names))
        ])  # fmt: skip
    program, result = matches[0]
    if indicator and indicator not in {i.id for i in program.indicators}:
        raise UserError([
            Diagnostic("E0907", {"indicator": indicator}, None, location=indicator,
                       help=suggest(indicator, [i.id for i in program.indicators]))
        ])  # fmt: skip
    which = 0 if program.kind == "section" else 1
    peers = evaluation.sections if which == 0 else evaluation.people
    text = explain(program, result, lang, indicator, peers)
    if result.quarters:  # a roll-up: each quarter's own derivation follows
        for results in evaluation.quarters.values():
            quarter = next(r for r in results[which] if r.id == result.id)
            text += "\n" + explain(program, quarter, lang, indicator, results[which])
    return text
