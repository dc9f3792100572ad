"""Applying result links (结果运用): who gets which consequence, and why.

A link's condition is compiled once per rule set
(``runtime.engine.conditions``) and evaluated for each subject on the
period's results.  A link with ``history`` also needs the condition to have
held in earlier years: those results are read from the published runs of the
results store (the same period label, a year earlier); when a year is missing
the link is not applied and a warning says which results are needed.

Consequences go to the subject itself or, for sections, to its head, its
liaison or all its members; a training list names the indicators on which
points were lost.
"""

from __future__ import annotations

import dataclasses
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from typing import cast

from compiler import ir
from dsl.diagnostics import Diagnostic
from runtime.engine.conditions import CompiledCondition, link_condition, link_since
from runtime.engine.results import Consequence, IndicatorResult, SubjectResult
from runtime.inputs.periods import Period, PeriodError, parse_periods
from semantics.rounding import shown

History = Callable[[str, str], Sequence[Mapping[str, object]] | None]  # (label, kind) -> subjects


def _lost(indicators: Sequence[tuple[str, Decimal | None, Decimal]]) -> Decimal:
    """The points lost on an earlier result's indicators."""
    return sum((points - score for _, score, points in indicators if score is not None), Decimal(0))


def _lost_of(indicators: Sequence[IndicatorResult]) -> Decimal:
    """The points lost on a result's indicators, as ``_lost`` adds them."""
    return sum((i.points - i.score for i in indicators if i.score is not None), Decimal(0))


def _result_inputs(result: SubjectResult, count: int, lost: Decimal | None = None) -> list[object]:
    """A result's values for link conditions (``count``: results in its group;
    ``lost``: ``_lost_of`` its indicators, when the caller has it)."""
    return _inputs(
        result.total, result.base, result.rank, count, result.grade, result.vetoes,
        _lost_of(result.indicators) if lost is None else lost,
    )  # fmt: skip


def _every_input(results: Sequence[SubjectResult], sizes: Mapping[str, int]) -> list[list[object]]:
    """``_result_inputs`` of every result, the points lost worked out once per
    distinct indicators tuple: stage 1 gives equal indicators one tuple, so
    most results of a large period share one of a few (summing each
    result's indicators was most of this).  Keyed by identity while
    ``results`` holds the tuples."""
    lost: dict[int, Decimal] = {}
    every = []
    for result in results:
        indicators = result.indicators
        points = lost.get(id(indicators))
        if points is None:
            points = lost[id(indicators)] = _lost_of(indicators)
        every.append(_result_inputs(result, sizes[result.group], points))
    return every


def _inputs(
    total: Decimal | None, base: Decimal | None, rank: int | None, count: int, grade: str | None,
    vetoes: Sequence[str], lost: Decimal,
) -> list[object]:  # fmt: skip
    """Values in the order of ``compiler.links.LINK_INPUTS``."""
    return [
        # An earlier result in a rule test may lack rank and total when no
        # link reads them (compiler.ruletests checks): None then.
        total, base if base is not None else total, None if rank is None else Decimal(rank),
        Decimal(count), grade or "",
        "fail" in vetoes, "no_excellent" in vetoes, lost,
    ]  # fmt: skip


def _holds(condition: CompiledCondition, values: list[object]) -> bool:
    # In the caller's decimal context, as links have always been evaluated.
    return bool(condition(values))


def shift_label(label: str, years: int) -> str:
    """The same period label ``years`` earlier: 2016Q1..2016Q3 -> 2015Q1..2015Q3."""
    return re.sub(r"\d{4}", lambda m: str(int(m.group(0)) - years), label)


def apply_links(
    program: ir.Program,
    results: list[SubjectResult],
    label: str,
    history: History | None,
    warnings: list[Diagnostic],
    groups: Mapping[str, int] | None = None,
) -> list[Consequence]:
    """Every consequence the links of ``program`` yield for ``results``.
    ``groups``: each group's size in the period, when ``results`` are only
    some of its results (the workbench's what-if links those it changed)."""
    sizes: dict[str, int] = {}
    for result in results:
        sizes[result.group] = sizes.get(result.group, 0) + 1
    if groups is not None:
        sizes = dict(groups)
    found: list[Consequence] = []
    evaluated = period_kind(label)
    roles: dict[str, frozenset[str]] | None = None  # made once a link asks for roles
    inputs: list[list[object]] | None = None  # each result's, made once for every link
    indexed: dict[int, tuple[object, _PastYear]] = {}  # each earlier year's results indexed once
    effects: dict[Decimal, str] = {}  # lost points as shown, for training lists
    # Each effect as stated, by key, value and the identity of the indicators
    # it may list (``_effect``; ``results`` holds them): once, not per subject.
    stated: dict[tuple[str, str, int], str] = {}
    for link in program.links:
        if link.reads != "period" and link.reads != evaluated:
            continue  # an annual link on a quarter, a quarterly one on a roll-up
        past = _past_results(link, program.kind, label, history, warnings)
        if past is None:
            continue
        years = [_indexed(year, indexed) for year in past]
        condition = link_condition(program, link)
        since = link_since(program, link)
        if inputs is None:
            inputs = _every_input(results, sizes)
        if roles is None and (link.roles or link.excepted):
            roles = person_roles(program)
        for result, values in zip(results, inputs, strict=True):
            if not _holds(condition, values):
                continue
            if link.history_years is not None:
                earlier = [year.held(condition, result.id) for year in years]
                if since is not None:
                    earlier = _after_restart(since, years, result.id, earlier)
                    if link.consecutive and len(earlier) < link.history_years - 1:
                        continue  # restarted too recently to have held long enough
                if link.consecutive and not all(earlier):
                    continue
                if not link.consecutive and 1 + sum(earlier) < link.history_years:
                    continue
            for target in _targets(program, link, result):
                if roles is not None and not _receives(link, roles.get(target, frozenset())):
                    continue
                for key, value in link.effects:
                    said = stated.get((key, value, id(result.indicators)))
                    if said is None:
                        said = _effect(program, key, value, result, effects)
                        stated[(key, value, id(result.indicators))] = said
                    found.append(Consequence(link.id, link.name, said, target, result.id))
    return found


def _after_restart(
    since: CompiledCondition, past: list[_PastYear], subject: str, earlier: list[bool]
) -> list[bool]:
    """``earlier`` (most recent year first) cut at the most recent earlier
    year in which ``since`` held for ``subject``: that year and the ones
    before it are not counted, the window restarts after it."""
    for back, year in enumerate(past):
        if year.held(since, subject):
            return earlier[:back]
    return earlier


def period_kind(label: str) -> str:
    """What an evaluated period is, for ``reads``: ``quarter`` (2016Q3),
    ``year`` (2016, or 2016Q1..2016Q4: the whole year's roll-up) or
    ``part`` (any other roll-up, such as 2016Q1..2016Q3: not the year)."""
    try:
        periods = parse_periods(label)
    except PeriodError:
        return "part"
    if len(periods) == 1:
        return "quarter"
    whole = [Period(periods[0].year, q) for q in range(1, 5)]
    return "year" if periods == whole else "part"


def person_roles(program: ir.Program) -> dict[str, frozenset[str]]:
    """Each person's roles: ``head`` and ``liaison`` as the organization names
    them for a section, ``staff`` for everyone else."""
    if program.organization is None:
        return {}
    heads = {s.head for s in program.organization.sections if s.head}
    liaisons = {s.liaison for s in program.organization.sections if s.liaison}
    roles: dict[str, frozenset[str]] = {}
    for person in program.organization.people:
        mine = {r for r, ids in (("head", heads), ("liaison", liaisons)) if person.id in ids}
        roles[person.id] = frozenset(mine or {"staff"})
    return roles


def _receives(link: ir.Link, roles: frozenset[str]) -> bool:
    """Whether a subject with ``roles`` (empty: a section) receives the link's consequences."""
    if not roles:
        return True
    if link.roles and not roles & set(link.roles):
        return False
    return not roles & set(link.excepted)


def resolve_precedence(
    found: list[Consequence], links: Sequence[ir.Link]
) -> tuple[list[Consequence], list[Consequence]]:
    """The consequences that stand, and those another link ``overrides``
    (each marked with the link that replaced it): of two consequences for the
    same subject with the same effect key, the one of a link that overrides the
    other (directly or through others) stands."""
    beats = precedence(links)
    beaten = {other for others in beats.values() for other in others}
    kept: list[Consequence] = []
    overridden: list[Consequence] = []
    # Same target and effect key, of links that override some other: the
    # only ones that may replace a consequence.
    rivals: dict[tuple[str, str], list[Consequence]] = {}
    for consequence in found:
        if beats.get(consequence.link):
            rivals.setdefault((consequence.target, effect_key(consequence.effect)), []).append(
                consequence
            )
    for consequence in found:
        if consequence.link not in beaten:  # no link overrides its link
            kept.append(consequence)
            continue
        key = effect_key(consequence.effect)
        winner = next(
            (
                other.link
                for other in rivals.get((consequence.target, key), ())
                if other.target == consequence.target
                and other.link != consequence.link
                and effect_key(other.effect) == key
                and consequence.link in beats.get(other.link, set())
            ),
            None,
        )
        if winner is None:
            kept.append(consequence)
        else:
            overridden.append(dataclasses.replace(consequence, overridden_by=winner))
    return kept, overridden


def precedence(links: Sequence[ir.Link]) -> dict[str, set[str]]:
    """Each link's id -> the links it overrides, directly or through others."""
    beats: dict[str, set[str]] = {link.id: set() for link in links}
    direct = {link.id: set(link.overrides) for link in links}
    for link in links:
        pending = list(direct[link.id])
        while pending:
            other = pending.pop()
            if other not in beats[link.id]:
                beats[link.id].add(other)
                pending.extend(direct.get(other, ()))
    return beats


def effect_key(effect: str) -> str:
    """``promotion`` of ``promotion: 同等条件下优先``."""
    return effect.split(": ", 1)[0]


def _past_results(
    link: ir.Link, kind: str, label: str, history: History | None, warnings: list[Diagnostic]
) -> list[Sequence[Mapping[str, object]]] | None:
    """Earlier years' published results a history link needs (None: unavailable)."""
    if link.history_years is None:
        return []
    years = []
    span = link.history_years if link.consecutive else (link.within or link.history_years)
    for back in range(1, span):
        earlier = shift_label(label, back)
        found = history(earlier, kind) if history is not None else None
        if found is None:
            if link.consecutive:
                warnings.append(
                    Diagnostic("W0901", {"link": link.id, "period": earlier}, link.span,
                               severity="warning")
                )  # fmt: skip
                return None
            found = []
        years.append(found)
    return years


def _indexed(
    year: Sequence[Mapping[str, object]], known: dict[int, tuple[object, _PastYear]]
) -> _PastYear:
    """``year`` indexed once for all the links that read it (the results a
    history lookup gave); kept beside its index, so that its id is not
    another's while ``known`` lives."""
    found = known.get(id(year))
    if found is None or found[0] is not year:
        found = known[id(year)] = (year, _PastYear(year))
    return found[1]


class _PastYear:
    """One earlier year's results indexed once: each subject's first result by
    id and the size of each group (scanning them per subject was quadratic)."""

    def __init__(self, subjects: Sequence[Mapping[str, object]]) -> None:
        self.first: dict[object, Mapping[str, object]] = {}
        self.sizes: dict[object, int] = {}
        self.known: dict[IndicatorRow, RowValues] = {}
        for s in subjects:
            self.first.setdefault(s.get("id"), s)
            group = s.get("group", "")
            self.sizes[group] = self.sizes.get(group, 0) + 1

    def held(self, condition: CompiledCondition, subject: str) -> bool:
        """Whether the condition held for ``subject`` in this year's results."""
        mine = self.first.get(subject)
        if mine is None:
            return False
        return _held(condition, mine, self.sizes.get(mine.get("group", ""), 0), self.known)


def _held(
    condition: CompiledCondition,
    mine: Mapping[str, object],
    group_size: int,
    known: dict[IndicatorRow, RowValues],
) -> bool:
    """Whether the condition held for one earlier result (``group_size``: how
    many results of that year share its group; ``known``: the year's shared
    indicator rows read so far)."""
    given = mine.get("count")  # rule tests may give it instead of listing everyone
    count = int(str(given)) if given is not None else group_size
    vetoes = mine.get("vetoes", [])
    if isinstance(mine, PendingResult):
        mine = mine.result()
    if isinstance(mine, PastResult) and mine.rows is not None:
        indicators = [_row_values(row, known) for row in mine.rows]
    else:
        listed = mine.get("indicators", [])
        assert isinstance(listed, list)
        indicators = [_indicator_values(i) for i in listed]
    assert isinstance(vetoes, list)
    base = mine.get("base")
    total, rank = mine.get("total"), mine.get("rank")
    values = _inputs(
        None if total is None else Decimal(str(total)), None if base is None else Decimal(str(base)),
        None if rank is None else int(str(rank)), count, None if mine.get("grade") is None else str(mine["grade"]),
        [str(v) for v in vetoes], _lost(indicators),
    )  # fmt: skip
    return _holds(condition, values)


IndicatorRow = tuple[tuple[str, object], ...]  # an indicator's (key, value) pairs, in its order


class PastResult(Mapping[str, object]):
    """One earlier published result, held compactly for a run (a whole
    published year of 100,000 people as dicts was about 350 MiB): its values
    in a tuple whose keys are shared by every result with the same keys, and
    its indicators (when each is an ``{id, score, points}`` object) as rows
    of (key, value) pairs that equal rows share (``indicator_rows``).  It reads
    as the object it was made from: ``indicators`` gives the objects again."""

    __slots__ = ("_at", "_values", "rows")

    def __init__(
        self, at: dict[str, int], values: tuple[object, ...], rows: tuple[IndicatorRow, ...] | None
    ) -> None:
        self._at = at  # key -> index in values, shared
        self._values = values
        self.rows = rows  # None: ``indicators`` is in values as read

    def __getitem__(self, key: str) -> object:
        value = self._values[self._at[key]]
        if key == "indicators" and self.rows is not None:
            return [dict(row) for row in self.rows]
        return value

    def get(self, key: str, default: object = None) -> object:
        """As ``Mapping.get``, without raising and catching a KeyError for an
        absent key (links read a few keys of every earlier result)."""
        at = self._at.get(key)
        if at is None:
            return default
        if key == "indicators" and self.rows is not None:
            return [dict(row) for row in self.rows]
        return self._values[at]

    def __contains__(self, key: object) -> bool:
        return key in self._at

    def __iter__(self) -> Iterator[str]:
        return iter(self._at)

    def __len__(self) -> int:
        return len(self._at)


_PARSING = threading.Lock()  # PendingResult.result


class PendingResult(Mapping[str, object]):
    """An earlier published result held as its JSON text until a key other
    than its ``id`` or ``group`` is read, then parsed once (``make``): the
    links index a year's results by those two, and read the rest of the few
    whose condition holds now.  ``make`` must not fail on the text (the
    reader has checked it)."""

    __slots__ = ("_group", "_id", "_made", "_make", "_text")

    def __init__(
        self,
        text: bytes,
        make: Callable[[bytes], PastResult],
        ident: str,
        group: tuple[()] | tuple[object],
    ) -> None:
        self._text = text
        self._make = make
        self._id = ident
        self._group = group  # (): no ``group`` key
        self._made: PastResult | None = None

    def result(self) -> PastResult:
        """The result parsed (once; its text then dropped).  The web
        workbench's what-if threads share one history: the parse is locked,
        so no thread reads a text another has dropped."""
        made = self._made
        if made is None:
            with _PARSING:
                made = self._made
                if made is None:
                    made = self._made = self._make(self._text)
                    self._text = b""
        return made

    def __getitem__(self, key: str) -> object:
        return self.result()[key]

    def get(self, key: str, default: object = None) -> object:
        if key == "id":
            return self._id
        if key == "group":
            return self._group[0] if self._group else default
        return self.result().get(key, default)

    def __contains__(self, key: object) -> bool:
        return key in self.result()

    def __iter__(self) -> Iterator[str]:
        return iter(self.result())

    def __len__(self) -> int:
        return len(self.result())


def indicator_rows(
    listed: list[object], shared: dict[IndicatorRow, IndicatorRow]
) -> tuple[IndicatorRow, ...] | None:
    """A result's indicators as rows shared with their equals in ``shared``
    when each is an ``{id, score, points}`` object (any order, no other
    key) of strings and nulls; None when any is not.  Numbers or lists are
    kept as they are (1 and 1.0 would be equal keys)."""
    items: Callable[[object], Iterable[tuple[str, object]]] = dict.items  # type: ignore[assignment]
    try:
        rows: tuple[IndicatorRow, ...] = tuple(
            map(tuple, map(items, listed))
        )  # TypeError: not all objects
        known = tuple(map(shared.get, rows))  # TypeError: a list or an object in one
    except TypeError:
        return None
    if None not in known:
        # Each equal to a row kept: the same keys and strings (a string
        # equals nothing but a string, None nothing but None).
        return cast(tuple[IndicatorRow, ...], known)
    for row in rows:
        if row not in shared:
            value = dict(row)
            if len(value) != 3 or not ("id" in value and "score" in value and "points" in value):
                return None
            if not all(v is None or type(v) is str for v in value.values()):
                return None
            shared[row] = row
    return tuple(shared[row] for row in rows)


RowValues = tuple[str, Decimal | None, Decimal]


def _row_values(row: IndicatorRow, known: dict[IndicatorRow, RowValues]) -> RowValues:
    """(id, score, points) of a shared row, worked out once per distinct row
    of a year (a Decimal made from a string is exact, whatever the context)."""
    values = known.get(row)
    if values is None:
        values = known[row] = _indicator_values(dict(row))
    return values


def _indicator_values(indicator: Mapping[str, object]) -> RowValues:
    """(id, score, points) of one published indicator object."""
    score = indicator.get("score")
    return (
        str(indicator["id"]),
        None if score is None else Decimal(str(score)),
        Decimal(str(indicator["points"])),
    )


def _targets(program: ir.Program, link: ir.Link, result: SubjectResult) -> list[str]:
    if link.to == "self" or program.organization is None:
        return [result.id]
    section = program.organization.section(result.id)
    if section is None:
        return [result.id]
    if link.to == "head":
        return [section.head] if section.head else []
    if link.to == "liaison":
        return [section.liaison] if section.liaison else []
    return [p.id for p in program.organization.members(section.id)]


def _effect(
    program: ir.Program, key: str, value: str, result: SubjectResult, shown_as: dict[Decimal, str]
) -> str:
    """An effect as a consequence states it; ``shown_as``: lost points as
    shown so far (equal values show alike: ``shown`` rounds to places)."""
    if key == "training" and value == "lost_points":
        lost = []
        for i in result.indicators:
            if i.score is not None and i.score < i.points:
                difference = i.points - i.score
                text = shown_as.get(difference)
                if text is None:
                    text = shown_as[difference] = (
                        f"{shown(difference, program.places, program.rounding)}"
                    )
                lost.append(f"{i.name} -{text}")
        return f"training: {'; '.join(lost) if lost else '-'}"
    return f"{key}: {value}"


def consequences_by_subject(consequences: list[Consequence]) -> dict[str, list[Consequence]]:
    """Each subject's consequences (as target or source), in the order found:
    one pass, where scanning them all for every result was quadratic."""
    mine: dict[str, list[Consequence]] = {}
    for consequence in consequences:
        mine.setdefault(consequence.target, []).append(consequence)
        if consequence.source != consequence.target:
            mine.setdefault(consequence.source, []).append(consequence)
    return mine
