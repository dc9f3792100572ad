"""A published document split into its results' JSON texts, without parsing their values.

Reading a year of 100,000 people's published results for its 24,000
sections should not cost parsing the other 100,000 results (0.5 s, json or
orjson alike: making the objects is the cost). msgspec (C) splits the
document's ``subjects`` into the texts of its results and reads each one's
kind, id and group in about 0.15 s at that size, checking the syntax of
what it skips. Imported only when a published file is read
(``runtime.tools.runs._split``, which parses with json the results it keeps
and leaves to its other readings whatever msgspec does not take).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import msgspec

Refused = msgspec.MsgspecError  # anything msgspec does not take (syntax, a missing key, a type)


class Result(msgspec.Struct):
    """What is read of each result without parsing it: that it is an
    object holding ``id``, ``total`` and ``rank`` (every published result
    does), its kind (absent: None, as ``get`` gives) and its id and group
    (for the links' index). A key given twice counts as json counts it: the
    last."""

    id: Any
    total: msgspec.Raw
    rank: msgspec.Raw
    kind: Any = None
    group: Any = msgspec.UNSET

    def grouped(self) -> tuple[()] | tuple[object]:
        """``(group,)``, or ``()`` when the result has no ``group`` key."""
        return () if self.group is msgspec.UNSET else (self.group,)


_TOP = msgspec.json.Decoder(dict[str, msgspec.Raw])
_TEXTS = msgspec.json.Decoder(list[msgspec.Raw])
_RESULT = msgspec.json.Decoder(Result)


def split(data: bytes) -> tuple[dict[str, bytes], Iterator[tuple[bytes, Result]]]:
    """The document's keys but ``subjects`` with their values' texts, and
    each result's text with what ``Result`` reads of it (read one at a
    time: only what is kept is held); ``Refused`` for a document that is not an
    object whose ``subjects`` is a list of results, or that msgspec cannot
    read (KeyError without ``subjects``). Bytes not UTF-8 inside what is
    skipped are not noticed: the caller checks them."""
    top = _TOP.decode(data)
    listed = top["subjects"]
    others = {key: bytes(value) for key, value in top.items() if key != "subjects"}
    return others, ((bytes(text), _RESULT.decode(text)) for text in _TEXTS.decode(listed))
