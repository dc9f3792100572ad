"""Evaluation with the results store: history in, runs out.

A result link may read the published results of earlier periods, so an
evaluation reads them from the store when one is given, and otherwise from
published results shipped with the data (``published/`` in the data folder); a run is recorded
with what it was computed from (the rules' commit, a digest of the data and
the data files) so it can be reproduced and checked later.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, BinaryIO

from compiler.pipeline import Compilation
from dsl.diagnostics import Diagnostic, UserError
from runtime.engine.links import History, IndicatorRow, PastResult, indicator_row
from runtime.engine.run import Evaluation, evaluate_rules
from runtime.inputs.periods import Period
from runtime.inputs.supervision import due_in
from runtime.inputs.tables import data_files
from runtime.store import Store, input_digest


def evaluate_with_history(
    compilation: Compilation,
    data: str,
    periods: list[Period] | None,
    label: str | None,
    store: Store | None,
    engine: str = "python",
    keep_quarters: bool = True,
) -> Evaluation:
    """Evaluate; links read earlier published results from ``store``, if any.
    ``engine``: ``python`` or ``batch`` (``runtime.engine.run.evaluate_datasets``);
    ``keep_quarters``: see ``runtime.engine.run.evaluate_rules``."""
    assert "section" in compilation.programs
    scheme = compilation.programs["section"].scheme
    stored = store.history(scheme) if store is not None else None
    history = with_bundled(stored, data, scheme)
    # Supervision items made for the periods asked only (all when the data decides).
    with due_in(None if periods is None else [(p.start, p.end) for p in periods]):
        return evaluate_rules(
            compilation, data, periods, label, history, engine=engine, keep_quarters=keep_quarters
        )


PUBLISHED_FOLDER = "published"  # beside a data folder's tables: earlier years' published results


def with_bundled(stored: History | None, data: str, scheme: str) -> History | None:
    """Earlier published results from the store, else from the data folder's
    ``published/LABEL.json`` files (results published elsewhere and shipped
    with the data, e.g. the example's 2015): a period the store holds is
    always read from the store."""
    folder = Path(data) / PUBLISHED_FOLDER
    if not folder.is_dir():
        return stored

    read: dict[str, list[Mapping[str, object]] | None] = {}  # each file parsed once

    def lookup(label: str, kind: str) -> Sequence[Mapping[str, object]] | None:
        found = stored(label, kind) if stored is not None else None
        if found is not None:
            return found
        if label not in read:
            read[label] = _bundled(folder / f"{label}.json", scheme, label)
        subjects = read[label]
        return None if subjects is None else [s for s in subjects if s.get("kind") == kind]

    return lookup


def _bundled(path: Path, scheme: str, label: str) -> list[Mapping[str, object]] | None:
    """The subjects of one bundled file (None: no file for this scheme and period);
    a file that cannot be read is E1017, located at the file.  The subjects
    are held compactly (``PastResult``): as the document is parsed, each
    ``{id, score, points}`` indicator becomes a row shared with its equals,
    and the document is dropped once its subjects are made."""
    if not path.is_file():
        return None
    rows: dict[object, IndicatorRow] = {}

    def compact(value: dict[str, object]) -> object:
        row = indicator_row(value, rows)
        return value if row is None else row  # a tuple: JSON makes none of its own

    made: list[Mapping[str, object]] | None = None
    document: Any  # as json.loads gives it
    try:
        # Results made one by one as the file is read; any document that is
        # not simply one is parsed whole, which says what is wrong.
        parsed = _one_by_one(path, json.JSONDecoder(object_hook=compact))
        if parsed is not None:
            document, made = parsed
        else:
            document = json.loads(path.read_text(encoding="utf-8"), object_hook=compact)
            if isinstance(document, tuple):
                document = dict(document)
            subjects = document["subjects"]
            if not isinstance(subjects, list) or not all(
                isinstance(s, dict | tuple) for s in subjects
            ):
                raise ValueError("`subjects` is not a list of results")
            for subject in subjects:
                for key in _RESULT_KEYS:
                    if key not in (dict(subject) if isinstance(subject, tuple) else subject):
                        raise ValueError(f"a result without `{key}`")
    except (OSError, ValueError, KeyError, TypeError) as error:
        problem = str(error) if not isinstance(error, KeyError) else f"no {error}"
        raise _unreadable(path, problem) from None
    except RecursionError:  # values nested deeper than parsing or compacting them goes
        raise _unreadable(path, _TOO_DEEP) from None
    if document.get("scheme") != scheme or document.get("period") != label:
        return None
    if made is not None:
        return made
    del document
    try:
        return _compacted(subjects)
    except RecursionError:
        raise _unreadable(path, _TOO_DEEP) from None


_TOO_DEEP = "values nested too deeply"
_RESULT_KEYS = ("id", "total", "rank")  # what every published result holds


def _unreadable(path: Path, problem: str) -> UserError:
    """E1017 at a published file that cannot be read as results."""
    args = {"path": str(path), "problem": problem}
    return UserError([Diagnostic("E1017", args, None, location=str(path))])


_SPACE = re.compile(r"[ \t\n\r]*")  # JSON's whitespace, as the json module skips it
_CHUNK = 1 << 20  # bytes of a published file decoded at once


class _Text:
    """A JSON text read a chunk at a time: a published year of 100,000
    people is 65 MB of UTF-8, 123 MiB as one string (and 249 MiB while
    ``read_text`` made it), the peak of ``evaluate``; here only the
    characters not parsed yet are held."""

    def __init__(self, file: BinaryIO) -> None:
        self.file = file
        self.decoder = codecs.getincrementaldecoder("utf-8")()
        self.text = ""
        self.at = 0  # the next character to parse
        self.done = False

    def more(self) -> bool:
        """The next chunk added (False at the end); UnicodeDecodeError for bytes not UTF-8."""
        if self.done:
            return False
        data = self.file.read(_CHUNK)
        self.done = not data
        self.text = self.text[self.at :] + self.decoder.decode(data, final=self.done)
        self.at = 0
        return True

    def peek(self) -> str:
        """The next character after JSON whitespace ('' at the end)."""
        while True:
            found = _SPACE.match(self.text, self.at)
            assert found is not None  # the pattern matches the empty string too
            self.at = found.end()
            if self.at < len(self.text) or not self.more():
                return self.text[self.at : self.at + 1]

    def value(self, decoder: json.JSONDecoder) -> object:
        """The JSON value that starts at the next character after whitespace."""
        while True:
            self.peek()
            try:
                value, end = decoder.raw_decode(self.text, self.at)
            except ValueError:
                if self.more():
                    continue  # cut off by the chunk's end
                raise
            if end == len(self.text) and self.more():
                continue  # a number may go on in the next chunk
            self.at = end
            return value


def _one_by_one(
    path: Path, decoder: json.JSONDecoder
) -> tuple[dict[str, object], list[Mapping[str, object]]] | None:
    """A published document whose ``subjects`` is a list of results (each
    an object with ``id``, ``total`` and ``rank``), read a chunk at a time
    (``_Text``): the document's other keys, and each result made compact
    (``_compacted``) as soon as it is parsed, never all of them as dicts.
    None for anything else, which ``json.loads`` then parses or reports as
    before: the document and its keys are read as it reads them
    (whitespace, the last of equal keys), and any doubt (a syntax error,
    bytes not UTF-8, a result that is not one, ``subjects`` not a list, a
    byte order mark) is left to it."""
    document: dict[str, object] = {}
    made: list[Mapping[str, object]] | None = None
    compact = _compacting()
    try:
        with path.open("rb") as file:
            text = _Text(file)
            if text.peek() != "{":
                return None
            text.at += 1
            while text.peek() == '"':
                key = text.value(decoder)
                if not isinstance(key, str) or text.peek() != ":":
                    return None
                text.at += 1
                if key == "subjects":
                    if text.peek() != "[":
                        return None
                    text.at += 1
                    made = []
                    while text.peek() != "]":
                        subject = text.value(decoder)
                        if not isinstance(subject, dict) or not all(
                            k in subject for k in _RESULT_KEYS
                        ):
                            return None
                        made.append(compact(subject))
                        if text.peek() == ",":
                            text.at += 1
                            if text.peek() == "]":
                                return None  # a trailing comma: json.loads says where
                        elif text.peek() != "]":
                            return None
                    text.at += 1
                    document[key] = None
                else:
                    document[key] = text.value(decoder)
                if text.peek() == ",":
                    text.at += 1
                    if text.peek() != '"':
                        return None
                elif text.peek() != "}":
                    return None
            if text.peek() != "}":
                return None
            text.at += 1
            if text.peek() != "" or made is None:
                return None
    except (OSError, ValueError):
        return None
    return document, made


def _compacted(subjects: list[dict[str, object]]) -> list[Mapping[str, object]]:
    """Each subject as a ``PastResult`` (emptying ``subjects`` as it goes, so
    the dicts are freed one by one): keys shared by every subject with the
    same keys, equal strings shared, indicators as shared rows."""
    compact = _compacting()
    made: list[Mapping[str, object]] = []
    subjects.reverse()
    while subjects:
        made.append(compact(subjects.pop()))
    return made


def _compacting() -> Callable[[dict[str, object]], PastResult]:
    """``_compacted`` of one subject at a time, sharing across the subjects
    given to the one function returned."""
    layouts: dict[tuple[str, ...], dict[str, int]] = {}
    strings: dict[str, str] = {}
    share = strings.setdefault

    def compact(subject: dict[str, object]) -> PastResult:
        keys = tuple(subject)
        at = layouts.get(keys)
        if at is None:
            at = layouts.setdefault(keys, {key: index for index, key in enumerate(keys)})
        listed = subject.get("indicators")
        found: tuple[IndicatorRow, ...] | None = None
        if isinstance(listed, list) and all(isinstance(i, tuple) for i in listed):
            found = tuple(listed)
        values = tuple(
            None if found is not None and key == "indicators"
            else share(value, value) if type(value) is str
            else _restored(value)
            for key, value in subject.items()
        )  # fmt: skip
        return PastResult(at, values, found)

    return compact


def _restored(value: object) -> object:
    """``value`` with the shared indicator rows inside it made objects again
    (where they are not a result's list of indicators)."""
    if isinstance(value, tuple):
        return dict(value)
    if isinstance(value, list):
        return [_restored(v) for v in value]
    if isinstance(value, dict):
        return {k: _restored(v) for k, v in value.items()}
    return value


def record_run(
    store: Store, document: dict[str, object], commit: str | None, data: str, publish: bool
) -> None:
    """Record a run (its JSON document) with the commit of its rules and its
    data; publishing an already published period is refused (``StoreError``)."""
    store.record(document, commit, input_digest(data), publish, data_files(Path(data)))


def verify_store(store: Store, path: str) -> list[Diagnostic]:
    """``runs --verify``: every digest mismatch of the store, as an E0915
    located at the store (a stored file) or at the run."""
    return [
        Diagnostic(
            "E0915",
            {"what": m.what, "expected": m.expected or "-", "actual": m.actual or "-"},
            None,
            location=path if m.run is None else f"{path} (run {m.run})",
            help=("E0915.help", {}),
        )
        for m in store.verify()
    ]
