"""The bundled published results held compactly (``runtime.engine.links.PastResult``)
read exactly as the parsed documents did, and a bad file is the same E1017."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dsl.diagnostics import UserError
from runtime.engine.links import PastResult, PendingResult
from runtime.tools.runs import _bundled

ROOT = Path(__file__).resolve().parent.parent


def _plain(value: object) -> object:
    """A PastResult (or anything holding one) as plain dicts and lists."""
    if isinstance(value, PastResult | PendingResult):
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
    assert all(isinstance(s, PastResult | PendingResult) for s in subjects)
    # id and group as the links index them, before the rest is parsed
    assert [(s.get("id"), s.get("group", "-")) for s in subjects] == [
        (s.get("id"), s.get("group", "-")) for s in document["subjects"]
    ]
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


_RESULT = '{"id":"a","total":"1","rank":1}'
PARSED_ONE_BY_ONE = [
    ' \n{ "scheme" : "S" ,\t"period":"2015", "subjects" : [ ] }\r\n',
    '{"subjects": [' + _RESULT + '], "scheme":"S","period":"2015"}',
    '{"scheme":"X","scheme":"S","period":"2015","subjects":[{"id":"a","total":"1","rank":1,'
    '"indicators":[{"id":"i","score":null,"points":"5"}]} , {"rank":2,"total":"0","id":"b",'
    '"quarters":[{"period":"2015Q1","total":"1"}],"x":NaN}]}',
    '{"scheme":"S","period":"2015","subjects":[{"id":"z","total":"1","rank":1}],"subjects":['
    + _RESULT
    + "]}",
]
PARSED_WHOLE = [  # each a problem json.loads (or the check after it) reports
    '{"scheme":"S","period":"2015","subjects":[' + _RESULT + ",]}",
    '{"scheme":"S","period":"2015","subjects":[' + _RESULT + "],}",
    '{"scheme":"S","period":"2015","subjects":[' + _RESULT + "]} x",
    '\ufeff{"scheme":"S","period":"2015","subjects":[]}',
    '{"scheme":"S","period":"2015","subjects":[' + _RESULT,
    '{"scheme":"S" "period":"2015","subjects":[]}',
    '{"scheme":"S","period":"2015","subjects":[' + _RESULT + " " + _RESULT + "]}",
    "[]",
    "{}",
    '{"scheme":"S","period":"2015","subjects":[{"id":"a","rank":1}]}',
    '{"scheme":"S","period":"2015","subjects":[' + _RESULT + '],"subjects":5}',
    '{"scheme":"S","period":"2015","subjects":[{"id":"a","score":"1","points":"2"}]}',
]


@pytest.mark.parametrize("chunk", [1 << 20, 7])
@pytest.mark.parametrize("text", PARSED_ONE_BY_ONE)
def test_results_made_as_parsed_are_the_parsed_documents(
    tmp_path: Path, text: str, chunk: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Read a chunk at a time (of 7 bytes too: cut inside names, numbers
    and characters), the results are those of the document parsed whole."""
    from runtime.tools import runs

    monkeypatch.setattr(runs, "_CHUNK", chunk)
    from runtime.tools.runs import _one_by_one

    path = tmp_path / "2015.json"
    path.write_text(text, encoding="utf-8")
    assert _one_by_one(path, None) is not None
    read = _bundled(path, "S", "2015")
    assert read is not None
    assert [_plain(s) for s in read] == json.loads(text)["subjects"]
    assert [list(s) for s in read] == [list(s) for s in json.loads(text)["subjects"]]


@pytest.mark.parametrize("text", PARSED_WHOLE)
def test_documents_that_are_not_simply_one_are_parsed_whole(tmp_path: Path, text: str) -> None:
    """Their problems are what json.loads and the checks after it say."""
    from runtime.tools.runs import _one_by_one

    path = tmp_path / "2015.json"
    path.write_text(text, encoding="utf-8")
    assert _one_by_one(path, None) is None
    with pytest.raises(UserError) as raised:
        _bundled(path, "S", "2015")
    [diagnostic] = raised.value.diagnostics
    assert diagnostic.code == "E1017"
    try:
        json.loads(text)
    except ValueError as error:
        assert diagnostic.args["problem"] == str(error)


def test_bundled_files_read_seven_bytes_at_a_time_as_parsed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from runtime.tools import runs

    monkeypatch.setattr(runs, "_CHUNK", 7)
    for path in sorted((ROOT / "examples").glob("*/published/*.json"))[:3]:
        document = json.loads(path.read_text(encoding="utf-8"))
        subjects = _bundled(path, document["scheme"], document["period"])
        assert subjects is not None and [_plain(s) for s in subjects] == document["subjects"]


def test_bytes_not_utf8_are_the_same_error(tmp_path: Path) -> None:
    path = tmp_path / "2015.json"
    path.write_bytes(
        b'{"scheme":"S","period":"2015","subjects":[{"id":"\xff","total":"1","rank":1}]}'
    )
    with pytest.raises(UserError) as raised:
        _bundled(path, "S", "2015")
    try:
        path.read_text(encoding="utf-8")
    except ValueError as error:
        assert raised.value.diagnostics[0].args["problem"] == str(error)


@pytest.mark.parametrize("scheme", ["S", "另一个方案"])
def test_values_nested_too_deeply_are_an_error_at_the_file(tmp_path: Path, scheme: str) -> None:
    """A result holding a value nested deeper than Python's recursion goes
    (hand-edited or damaged) is E1017 at the file, whatever its scheme,
    never an internal error: results are compacted as they are read, before
    the scheme is known when ``subjects`` comes first."""
    deep = "[" * 3000 + "]" * 3000
    path = tmp_path / "2015.json"
    path.write_text(
        '{"subjects":[{"id":"a","total":"1","rank":1,"x":' + deep + "}],"
        f'"scheme":"{scheme}","period":"2015"}}',
        encoding="utf-8",
    )
    with pytest.raises(UserError) as raised:
        _bundled(path, "S", "2015")
    [diagnostic] = raised.value.diagnostics
    assert diagnostic.code == "E1017"
    assert diagnostic.args["problem"] == "values nested too deeply"


# The first reading (``_split``: the results split apart by msgspec, those
# of the kind asked parsed by json) against the readings after it: on any
# document, the same results or the same E1017.


def _outcome(path: Path, kind: str | None) -> object:
    """What ``_bundled`` gives for ``path``: its results as plain values
    (with their id and group as read before the rest), or the E1017 problem."""
    try:
        read = _bundled(path, "S", "2015", kind)
    except UserError as raised:
        [diagnostic] = raised.diagnostics
        return ("E1017", diagnostic.code, diagnostic.args["problem"])
    if read is None:
        return None
    indexed = [(s.get("id"), s.get("group", "-")) for s in read]
    return indexed, [_plain(s) for s in read]


def _both(path: Path, kind: str | None, monkeypatch: pytest.MonkeyPatch) -> tuple[object, object]:
    """(with the first reading, without it)."""
    from runtime.tools import runs

    first = _outcome(path, kind)
    with monkeypatch.context() as patched:
        patched.setattr(runs, "_split", lambda path, kind: None)
        later = _outcome(path, kind)
    return first, later


_TWO_KINDS = (
    '{"scheme":"S","period":"2015","subjects":[{"id":"a","kind":"section","total":"1","rank":1},'
    '{"id":"p","kind":"person","total":"2","rank":1,"x":%s}]}'
)
_GROUPS = (
    '{"scheme":"S","period":"2015","subjects":[{"id":"a","kind":"section","total":"1","rank":1,'
    '"group":"g"},{"id":"b","kind":"section","total":"1","rank":1,"group":null},'
    '{"id":"c","kind":"section","total":"1","rank":1,"group":2.50},{"id":7,"kind":"section",'
    '"total":"1","rank":1},{"id":"d","kind":"section","total":"1","rank":1,"group":"x","group":"y"},'
    '{"id":"e","kind":"section","total":"1","rank":1,"group":"\\u00e9\\ud83d\\ude00"}]}'
)
ODD = [  # documents msgspec does not take or json might read otherwise
    _GROUPS,
    _TWO_KINDS % "NaN",
    _TWO_KINDS % '"\\ud800"',
    _TWO_KINDS % "123456789012345678901234567890",
    _TWO_KINDS % ("1" + "0" * 4300),  # json refuses an integer of 4,301 digits
    _TWO_KINDS.replace('"rank":1}', '"rank":1,"x":1%s}', 1) % ("0" * 4300, "0"),
    _TWO_KINDS % ("1" + "0" * 4299),
    _TWO_KINDS % ("[" * 1200 + "]" * 1200),
    _TWO_KINDS % '"\\u00e9\\ud83d\\ude00"',
    '{"note":' + "[" * 995 + "]" * 995 + ',"scheme":"S","period":"2015","subjects":[]}',
    '{"scheme":"S","period":"2015","subjects":[{"id":"a","kind":"person","kind":"section",'
    '"total":"1","rank":1}]}',
]


@pytest.mark.parametrize("kind", ["section", "person", None])
@pytest.mark.parametrize("text", PARSED_ONE_BY_ONE + PARSED_WHOLE + ODD)
def test_the_first_reading_reads_as_the_others(
    tmp_path: Path, text: str, kind: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "2015.json"
    path.write_text(text, encoding="utf-8")
    first, later = _both(path, kind, monkeypatch)
    assert first == later


def test_values_nested_about_as_deep_as_json_goes_read_alike(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """msgspec goes a few levels deeper than json: in a result of another
    kind, skipped, json is asked whether it goes as deep."""
    path = tmp_path / "2015.json"
    outcomes = set()
    for depth in range(600, 1030):  # the limit depends on the stack below
        path.write_text(_TWO_KINDS % ("[" * depth + "]" * depth), encoding="utf-8")
        first, later = _both(path, "section", monkeypatch)
        assert first == later, depth
        outcomes.add(str(first))
    assert len(outcomes) == 2  # read, then too deep


def test_bytes_not_utf8_in_a_result_not_read_are_the_same_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """msgspec skips a result of another kind without looking at its bytes:
    they are checked apart."""
    from runtime.tools.runs import _split

    path = tmp_path / "2015.json"
    path.write_bytes((_TWO_KINDS % '"\\u00e9"').encode().replace(b"\\u00e9", b"\xff"))
    assert _split(path, "section") is None
    first, later = _both(path, "section", monkeypatch)
    assert first == later and isinstance(first, tuple)


def test_documents_json_dumps_writes_take_the_first_reading(tmp_path: Path) -> None:
    """The first reading is the one taken (it would not be tested otherwise),
    and documents it refuses are refused for a reason."""
    from runtime.tools.runs import _split

    path = tmp_path / "2015.json"
    path.write_text(_TWO_KINDS % '{"a": [1, 2.5, null, true]}', encoding="utf-8")
    read = _split(path, "person")
    assert read is not None
    [pending] = read[1]
    assert isinstance(pending, PendingResult)  # parsed when read
    assert _plain(pending) == json.loads(path.read_text())["subjects"][1]
    for text in PARSED_WHOLE + ODD[1:3]:
        path.write_text(text, encoding="utf-8")
        assert _split(path, None) is None, text


@given(
    st.lists(
        st.tuples(
            st.integers(0, 400), st.integers(0, 3), st.sampled_from(list('{}[]",:0-.e \\nux'))
        ),
        max_size=3,
    )
)
@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_damaged_documents_read_alike(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, edits: list[tuple[int, int, str]]
) -> None:
    """A valid document with a few characters cut or put in: the first
    reading gives what the others give, results or error."""
    text = _TWO_KINDS % '{"a": [1, "b\\\\n", null], "c": -0.5e3}'
    for at, cut, put in edits:
        at %= len(text) + 1
        text = text[:at] + put + text[at + cut :]
    path = tmp_path / "2015.json"
    path.write_text(text, encoding="utf-8")
    for kind in ("section", "person", None):
        first, later = _both(path, kind, monkeypatch)
        assert first == later, text
