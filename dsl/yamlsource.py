"""YAML loaded with a position for every node, and nothing guessed.

Built from PyYAML's event stream rather than its constructor, for four reasons:

* every node keeps its span, so a schema error or a formula error points at the
  right line and column;
* duplicate keys are an error (PyYAML silently keeps the last);
* scalars are resolved by a small, YAML 1.2-like table: ``true``/``false``,
  ``null``, integers and decimals (as ``Decimal``, never float); everything
  else stays text, so ``yes``, ``2016-04-01`` and ``1_000`` mean what the schema
  says, not what YAML 1.1 guesses;
* aliases are counted as they expand and nesting is bounded, so a
  "billion laughs" file or a deeply nested one is rejected at once instead of
  exhausting memory or the stack.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

import yaml

from dsl.diagnostics import Diagnostic, Label
from dsl.spans import OffsetMap, SourceFile, Span

MAX_FILE_CHARS = 1_000_000
MAX_DEPTH = 64
MAX_NODES = 100_000

_INT = re.compile(r"[-+]?[0-9]+")
_DECIMAL = re.compile(r"[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)")
_NULLS = {"", "~", "null", "Null", "NULL"}
_TRUE = {"true", "True", "TRUE"}
_FALSE = {"false", "False", "FALSE"}
_STR_TAG = "tag:yaml.org,2002:str"

Scalar = str | int | Decimal | bool | None

# libyaml's parser when installed (about 8x faster, same events and offsets),
# else PyYAML's own.  Only the event stream is used, never a constructor.
_LOADER: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(slots=True, eq=False)
class YNode:
    span: Span
    size: int = field(default=1, init=False)


@dataclass(slots=True, eq=False)
class YScalar(YNode):
    value: Scalar = None
    text: str = ""
    plain: bool = True

    def offsets(self) -> OffsetMap:
        """Where each character of the scalar's text sits in the file."""
        return OffsetMap(self.span.file, self.text, self.span.start, self.span.end)


@dataclass(slots=True, eq=False)
class YMap(YNode):
    items: list[tuple[YScalar, YNode]] = field(default_factory=list)

    def get(self, key: str) -> tuple[YScalar, YNode] | None:
        for k, v in self.items:
            if str(k.value) == key:
                return k, v
        return None


@dataclass(slots=True, eq=False)
class YSeq(YNode):
    items: list[YNode] = field(default_factory=list)


class _Stop(Exception):
    """Loading cannot go on; the diagnostic is already recorded."""


def _resolve(text: str, plain: bool) -> Scalar:
    if not plain:
        return text
    if text in _NULLS:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    if _INT.fullmatch(text):
        return int(text)
    if _DECIMAL.fullmatch(text):
        return Decimal(text)
    return text


def load_yaml(file: SourceFile) -> tuple[YNode | None, list[Diagnostic]]:
    """Parse one YAML document into located nodes, with every problem found."""
    diagnostics: list[Diagnostic] = []
    if len(file.text) > MAX_FILE_CHARS:
        diagnostics.append(
            Diagnostic(
                "E0103",
                {"size": len(file.text), "limit": MAX_FILE_CHARS},
                Span(file, 0, 0),
                help=("E0103.help", {}),
            )
        )
        return None, diagnostics
    builder = _Builder(file, diagnostics)
    try:
        root = builder.build(yaml.parse(file.text, Loader=_LOADER))
    except _Stop:
        return None, diagnostics
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        index = mark.index if mark is not None else 0
        problem = error.problem or error.context or "invalid YAML"
        if "nesting depth" in problem:  # newer libyaml stops deep nesting itself
            span = Span(file, index, min(index + 1, len(file.text)))
            diagnostics.append(Diagnostic("E0106", {"limit": MAX_DEPTH}, span))
            return None, diagnostics
        diagnostics.append(
            Diagnostic(
                "E0101",
                {"problem": problem},
                Span(file, index, min(index + 1, len(file.text))),
                help=("E0101.help", {}),
            )
        )
        return None, diagnostics
    except UnicodeError:  # libyaml cannot encode a lone surrogate
        diagnostics.append(
            Diagnostic("E0101", {"problem": "invalid character in the text"}, Span(file, 0, 0))
        )
        return None, diagnostics
    except yaml.YAMLError as error:  # reader errors: control characters and the like
        diagnostics.append(Diagnostic("E0101", {"problem": str(error)}, Span(file, 0, 0)))
        return None, diagnostics
    return root, diagnostics


class _Builder:
    """Turns the event stream into located nodes, enforcing the limits."""

    def __init__(self, file: SourceFile, diagnostics: list[Diagnostic]) -> None:
        self.file = file
        self.diagnostics = diagnostics
        self.anchors: dict[str, YNode] = {}
        self.total = 0

    def span(self, event: yaml.Event) -> Span:
        start = event.start_mark.index if event.start_mark is not None else 0
        end = event.end_mark.index if event.end_mark is not None else start
        return Span(self.file, start, end)

    def fail(self, diagnostic: Diagnostic) -> None:
        self.diagnostics.append(diagnostic)
        raise _Stop

    def count(self, node: YNode, event: yaml.Event) -> None:
        self.total += node.size
        if self.total > MAX_NODES:
            self.fail(
                Diagnostic("E0104", {"limit": MAX_NODES}, self.span(event), help=("E0104.help", {}))
            )

    def build(self, events: Iterator[yaml.Event]) -> YNode | None:
        root: YNode | None = None
        documents = 0
        stack: list[tuple[YMap | YSeq, list[YNode]]] = []
        for event in events:
            if isinstance(event, yaml.DocumentStartEvent):
                documents += 1
                if documents > 1:
                    self.fail(Diagnostic("E0105", {}, self.span(event)))
                continue
            if isinstance(event, yaml.StreamStartEvent | yaml.StreamEndEvent):
                continue
            if isinstance(event, yaml.DocumentEndEvent):
                continue
            node: YNode | None = None
            if isinstance(event, yaml.ScalarEvent):
                node = self.scalar(event)
            elif isinstance(event, yaml.AliasEvent):
                target = self.anchors.get(event.anchor or "")
                if target is None:
                    self.fail(Diagnostic("E0101", {"problem": "unknown alias"}, self.span(event)))
                    return None
                if any(target is open_node for open_node, _ in stack):
                    self.fail(Diagnostic("E0109", {"anchor": event.anchor}, self.span(event)))
                node = target
                self.count(node, event)
            elif isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
                self.check_tag(event, event.tag, collection=True)
                if len(stack) >= MAX_DEPTH:
                    self.fail(Diagnostic("E0106", {"limit": MAX_DEPTH}, self.span(event)))
                container: YMap | YSeq
                if isinstance(event, yaml.MappingStartEvent):
                    container = YMap(self.span(event))
                else:
                    container = YSeq(self.span(event))
                if event.anchor:
                    self.anchors[event.anchor] = container
                stack.append((container, []))
                continue
            elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
                container, children = stack.pop()
                node = self.finish(container, children, event)
            if node is None:
                continue
            if stack:
                stack[-1][1].append(node)
            else:
                root = node
        return root

    def check_tag(self, event: yaml.Event, tag: str | None, collection: bool = False) -> None:
        if tag is None or tag == "!" or (not collection and tag == _STR_TAG):
            return
        self.diagnostics.append(
            Diagnostic("E0107", {"tag": tag}, self.span(event), help=("E0107.help", {}))
        )

    def scalar(self, event: yaml.ScalarEvent) -> YScalar:
        self.check_tag(event, event.tag)
        plain = not event.style and event.tag is None  # libyaml says "" for plain
        node = YScalar(self.span(event), _resolve(event.value, plain), event.value, plain)
        if event.anchor:
            self.anchors[event.anchor] = node
        self.count(node, event)
        return node

    def finish(self, container: YMap | YSeq, children: list[YNode], event: yaml.Event) -> YNode:
        container.span = container.span.to(self.span(event))
        if isinstance(container, YSeq):
            container.items = children
        else:
            seen: dict[str, YScalar] = {}
            for key, value in zip(children[0::2], children[1::2], strict=True):
                if not isinstance(key, YScalar):
                    self.diagnostics.append(Diagnostic("E0108", {}, key.span))
                    continue
                name = "" if key.value is None else str(key.value)
                if name in seen:
                    self.diagnostics.append(
                        Diagnostic(
                            "E0102",
                            {"key": name},
                            key.span,
                            labels=(Label(seen[name].span, "E0102.first"),),
                            help=("E0102.help", {}),
                        )
                    )
                    continue
                seen[name] = key
                container.items.append((key, value))
        container.size = 1 + sum(child.size for child in children)
        self.total += 1
        return container


def to_plain(node: YNode | None) -> object:
    """The node as plain Python data (dicts with text keys, lists, scalars)."""
    if node is None:
        return None
    if isinstance(node, YScalar):
        return node.value
    if isinstance(node, YSeq):
        return [to_plain(item) for item in node.items]
    assert isinstance(node, YMap)
    return {("" if k.value is None else str(k.value)): to_plain(v) for k, v in node.items}


def node_at(root: YNode | None, path: tuple[str | int, ...]) -> tuple[YNode | None, YScalar | None]:
    """The deepest node along ``path`` and, if the last step was a key, that key.

    Used to place a schema error: pydantic reports a location path, this finds
    the YAML node (or the key, for an unknown key) it refers to.
    """
    node = root
    key_node: YScalar | None = None
    for step in path:
        if isinstance(node, YMap) and isinstance(step, str):
            found = node.get(step)
            if found is None:
                break
            key_node, node = found
        elif isinstance(node, YSeq) and isinstance(step, int) and 0 <= step < len(node.items):
            key_node, node = None, node.items[step]
        else:
            break
    return node, key_node
