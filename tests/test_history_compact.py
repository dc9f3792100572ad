"""The bundled published results held compactly (``runtime.engine.links.PastResult``)
read exactly as the parsed documents did, and a bad file is the same E1017."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dsl.diagnostics import UserError
from runtime.engine.links import PastResult
from runtime.tools.runs import _bundled

ROOT = Path(__file__).resolve().parent.parent


def _plain(value: object) -> object:
    """A PastResult (or anything holding one) as plain dicts and lists."""
    if isinstance(value, PastResult):
        return {key: _plain(value[key]) for key in value}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


@pytest.mark.parametrize(
    "path", sorted((ROOT / "examples").glob("*/published/*.json")), ids=lambda p: p.name
)
def test_bundled_files_read_as_parsed(path: Path) -> None:
    document = json.loads(path.read_text(encoding="utf-8"))
    subjects = _bundled(path, document["scheme"], document["period"])
    assert subjects is not None
    assert all(isinstance(s, PastResult) for s in subjects)
    assert [_plain(s) for s in subjects] == document["subjects"]
    # keys in their order, as the document had them
    assert [list(s) for s in subjects] == [list(s) for s in document["subjects"]]
    assert [list(i) for s in subjects for i in s.get("indicators", [])] == [  # type: ignore[attr-defined]
        list(i) for s in document["subjects"] for i in s.get("indicators", [])
    ]


def _write(tmp_path: Path, document: object) -> Path:
    path = tmp_path / "2015.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return path


def test_unusual_values_kept_as_they_are(tmp_path: Path) -> None:
    subjects = [
        {
            "id": "s1", "kind": "section", "total": "90", "rank": 1,
            "indicators": [{"id": "a", "score": 1, "points": "5"}, {"id": "b", "score": None, "points": "5"}],
            "sanctions": [{"id": "x", "score": "1", "points": "2"}, {"item": "i", "until": "2016-12-31"}],
        },
        {
            "id": "s2", "kind": "section", "total": "80", "rank": 2,
            "indicators": [{"points": "5", "id": "a", "score": "1"}],
        },
    ]  # fmt: skip
    path = _write(tmp_path, {"scheme": "S", "period": "2015", "subjects": subjects})
    read = _bundled(path, "S", "2015")
    assert read is not None
    assert [_plain(s) for s in read] == subjects
    assert [list(i) for i in read[1]["indicators"]] == [["points", "id", "score"]]  # type: ignore[attr-defined]
    assert _bundled(path, "S", "2016") is None
    assert _bundled(path, "T", "2015") is None


@pytest.mark.parametrize(
    ("document", "problem"),
    [
        ({"scheme": "S", "period": "2015", "subjects": [{"id": "a", "score": "1", "points": "2"}]},
         "a result without `total`"),
        ({"scheme": "S", "period": "2015", "subjects": {"id": "a", "score": "1", "points": "2"}},
         "`subjects` is not a list of results"),
        ({"id": "a", "score": "1", "points": "2"}, "no 'subjects'"),
        ({"scheme": "S", "subjects": [3]}, "`subjects` is not a list of results"),
    ],
)  # fmt: skip
def test_bad_files_are_the_same_error(tmp_path: Path, document: object, problem: str) -> None:
    path = _write(tmp_path, document)
    with pytest.raises(UserError) as raised:
        _bundled(path, "S", "2015")
    [diagnostic] = raised.value.diagnostics
    assert diagnostic.code == "E1017"
    assert diagnostic.args["problem"] == problem
