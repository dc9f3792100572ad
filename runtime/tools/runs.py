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
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, BinaryIO

from compiler.pipeline import Compilation
from dsl.diagnostics import Diagnostic, UserError
from runtime.engine.links import (
    History,
    IndicatorRow,
    PastResult,
    PendingResult,
    indicator_rows,
)
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

    # Each file parsed once for each kind of subject asked of it, keeping
    # that kind only: links of one kind (the sections' "two years running")
    # read a year of 100,000 people and 24,000 sections for its sections.
    read: dict[tuple[str, str], Sequence[Mapping[str, object]] | None] = {}

    def lookup(label: str, kind: str) -> Sequence[Mapping[str, object]] | None:
        found = stored(label, kind) if stored is not None else None
        if found is not None:
            return found
        if (label, kind) not in read:
            read[(label, kind)] = _bundled(folder / f"{label}.json", scheme, label, kind)
        return read[(label, kind)]

    return lookup


def _bundled(
    path: Path, scheme: str, label: str, kind: str | None = None
) -> list[Mapping[str, object]] | None:
    """The subjects of one bundled file, of ``kind`` only (None: of every
    kind); None when there is no file for this scheme and period.  A file
    that cannot be read is E1017, located at the file.  The subjects are
    held compactly (``PastResult``, ``_compacting``), each made as soon as
    it is parsed, and the document is dropped once they are made."""
    if not path.is_file():
        return None
    document: Any  # as json.loads gives it
    try:
        # Three readings, each taking only the documents it is sure of: the
        # results split apart first and those of ``kind`` parsed (``_split``);
        # else made one by one as the file is read (``_one_by_one``); else
        # the document parsed whole, which says what is wrong.
        parsed = _split(path, kind)
        if parsed is None:
            parsed = _one_by_one(path, kind)
        if parsed is not None:
            document, made = parsed
            if document.get("scheme") != scheme or document.get("period") != label:
                return None
            return made
        document = json.loads(path.read_text(encoding="utf-8"))
        subjects = document["subjects"]
        if not isinstance(subjects, list) or not all(isinstance(s, dict) for s in subjects):
            raise ValueError("`subjects` is not a list of results")
        for subject in subjects:
            for key in _RESULT_KEYS:
                if key not in subject:
                    raise ValueError(f"a result without `{key}`")
    except (OSError, ValueError, KeyError, TypeError) as error:
        problem = str(error) if not isinstance(error, KeyError) else f"no {error}"
        raise _unreadable(path, problem) from None
    except RecursionError:  # values nested deeper than parsing them goes
        raise _unreadable(path, _TOO_DEEP) from None
    if document.get("scheme") != scheme or document.get("period") != label:
        return None
    del document
    return _compacted(subjects, kind)


_TOO_DEEP = "values nested too deeply"
_RESULT_KEYS = ("id", "total", "rank")  # what every published result holds
_HELD = frozenset(_RESULT_KEYS)


def _unreadable(path: Path, problem: str) -> UserError:
    """E1017 at a published file that cannot be read as results."""
    args = {"path": str(path), "problem": problem}
    return UserError([Diagnostic("E1017", args, None, location=str(path))])


# A value with fewer "[" and "{" than this nests less deeply than json goes
# (msgspec goes a few levels deeper: json.loads says whether it can).
_SHALLOW = 100


def _split(
    path: Path, kind: str | None
) -> tuple[dict[str, object], list[Mapping[str, object]]] | None:
    """A published document whose ``subjects`` is a list of results, its
    results split apart without parsing their values
    (``runtime.tools.jsonsplit``): the document's other keys, and each
    result of ``kind`` (None: every result) held as its text until read
    (``PendingResult``), or parsed by ``json`` and made compact at once.
    None for anything msgspec does not take or json might read otherwise
    (bytes not UTF-8, which msgspec does not check where it only skips;
    ``NaN``; an escaped lone surrogate; values nested deeply; an integer
    too long for Python to convert), left to the
    other readings: msgspec refuses every syntax error json does
    (tests/test_history_compact.py), and every value kept is json's."""
    from runtime.tools.jsonsplit import Refused, split  # msgspec, only when a file is read

    try:
        data = path.read_bytes()
        _utf8(data)
        others, results = split(data)
        del data
        document: dict[str, object] = {
            key: json.loads(text.decode()) for key, text in others.items()
        }
        compact = _compacting()

        def parsed(text: bytes) -> PastResult:
            return compact(json.loads(text.decode()))

        # json refuses an integer longer than Python converts (4,300 digits
        # by default); msgspec takes it.  Only a text longer than the limit
        # can hold one.
        limit = sys.get_int_max_str_digits()
        too_long = re.compile(rb"[0-9]{%d}" % (limit + 1)) if limit else None
        made: list[Mapping[str, object]] = []
        for text, result in results:
            if too_long is not None and len(text) > limit and too_long.search(text):
                return None
            shallow = text.count(b"[") + text.count(b"{") < _SHALLOW
            if kind is not None and result.kind != kind:
                if not shallow:
                    json.loads(text.decode())  # whether json goes as deep
                continue
            grouped = result.grouped()
            if shallow and type(result.id) is str and all(type(g) is str for g in grouped):
                # Parsed when read (json cannot fail on it now), if ever.
                made.append(PendingResult(text, parsed, result.id, grouped))
            else:
                made.append(parsed(text))
    except (OSError, Refused, KeyError, ValueError, RecursionError):
        return None
    return document, made


def _utf8(data: bytes) -> None:
    """UnicodeDecodeError unless ``data`` is UTF-8 (checked a chunk at a
    time: the whole as one string would be twice its size)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    for start in range(0, len(data), _CHUNK):
        decoder.decode(data[start : start + _CHUNK])
    decoder.decode(b"", final=True)


_SPACE = re.compile(r"[ \t\n\r]*")  # JSON's whitespace, as the json module skips it
_WHITESPACE = " \t\n\r"
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
        if self.at < len(self.text) and self.text[self.at] not in _WHITESPACE:
            return self.text[self.at]
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

    def next_object(self) -> bool:
        """Whether ``, {`` comes next (what ``json.dumps`` writes between the
        objects of a list), the comma and space skipped if so; False leaves
        anything else (a chunk's end too) to ``peek``."""
        if not self.text.startswith(", {", self.at):
            return False
        self.at += 2
        return True


def _one_by_one(
    path: Path, kind: str | None
) -> tuple[dict[str, object], list[Mapping[str, object]]] | None:
    """A published document whose ``subjects`` is a list of results (each
    an object with ``id``, ``total`` and ``rank``), read a chunk at a time
    (``_Text``): the document's other keys, and each result of ``kind``
    (None: every result) made compact (``_compacting``) as soon as it is
    parsed, never all of them as dicts.  None for anything else, which
    ``json.loads`` then parses or reports as before: the document and its
    keys are read as it reads them (whitespace, the last of equal keys), and
    any doubt (a syntax error, bytes not UTF-8, a result that is not one,
    ``subjects`` not a list, a byte order mark) is left to it."""
    document: dict[str, object] = {}
    made: list[Mapping[str, object]] | None = None
    decoder = json.JSONDecoder()
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
                        while True:  # the results up to a separator other than ", "
                            subject = text.value(decoder)
                            if type(subject) is not dict or not subject.keys() >= _HELD:
                                return None
                            if kind is None or subject.get("kind") == kind:
                                made.append(compact(subject))
                            if not text.next_object():
                                break
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


def _compacted(subjects: list[dict[str, object]], kind: str | None) -> list[Mapping[str, object]]:
    """Each subject of ``kind`` (None: every one) as a ``PastResult``
    (emptying ``subjects`` as it goes, so the dicts are freed one by one)."""
    compact = _compacting()
    made: list[Mapping[str, object]] = []
    subjects.reverse()
    while subjects:
        subject = subjects.pop()
        if kind is None or subject.get("kind") == kind:
            made.append(compact(subject))
    return made


def _compacting() -> Callable[[dict[str, object]], PastResult]:
    """A function making one subject at a time a ``PastResult``, sharing
    across the subjects given to it: keys shared by every subject with the
    same keys, equal strings shared, indicators as shared rows
    (``indicator_rows``)."""
    layouts: dict[tuple[str, ...], dict[str, int]] = {}
    strings: dict[str, str] = {}
    rows: dict[IndicatorRow, IndicatorRow] = {}
    share = strings.setdefault

    def compact(subject: dict[str, object]) -> PastResult:
        keys = tuple(subject)
        at = layouts.get(keys)
        if at is None:
            at = layouts.setdefault(keys, {key: index for index, key in enumerate(keys)})
        values = [
            share(value, value) if type(value) is str else value for value in subject.values()
        ]
        listed = subject.get("indicators")
        found = indicator_rows(listed, rows) if type(listed) is list else None
        if found is not None:
            values[at["indicators"]] = None  # read from the rows
        return PastResult(at, tuple(values), found)

    return compact


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
