"""The standing fuzz suite: generated and mutated inputs through every reader,
the compiler, both evaluators and the results store, counted.

Each family draws inputs with hypothesis (seeded, generation only: no
shrinking, no example database) and judges each one:

- an *internal error* is any exception that is not one of our located
  diagnostics, or an exit code of 101 from the command line;
- a *silent acceptance* is an input that an oracle independent of the code
  under test says must be refused (a cell not written as a number, a SQL
  statement that changed a published run) and that was accepted, or two
  backends that disagree on the same program and input.

``tests/test_fuzz.py`` runs every family with a small count in CI;
``python bench/fuzz.py`` runs them with counts adding up to at least 10,000
and prints ``inputs: N, internal errors: 0, silent acceptances: 0``.
Every finding becomes a regression test beside the code it broke.
"""

from __future__ import annotations

import io
import re
import shutil
import sqlite3
import tempfile
import traceback
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import cast

import openpyxl
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from compiler import ir
from compiler.pipeline import Compilation, compile_rules
from dsl.diagnostics import Diagnostic
from dsl.expressions import parse_expression
from dsl.ruleset import DirectorySource
from dsl.spans import OffsetMap, SourceFile
from runtime import cli
from runtime.engine.compiled import CompiledEvaluator
from runtime.engine.interpreter import Interpreter
from runtime.inputs.data import read_cell
from runtime.inputs.tables import TableError, read_tables
from semantics.operations import Fault
from tests.strategies import malformed_formulas, malformed_rule_sets, mutations, rule_sets

Verdict = str | None  # None: fine; text: a silent acceptance, described


@dataclass
class Tally:
    """What one family found."""

    family: str
    inputs: int = 0
    internal: list[str] = field(default_factory=list)
    silent: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Family:
    name: str
    strategy: Callable[[], st.SearchStrategy[object]]
    judge: Callable[[object], Verdict]
    share: int  # of the long run's 10,000+ inputs


def run_family(family: Family, count: int, random_seed: int = 20161231) -> Tally:
    """Draw ``count`` inputs of ``family`` and judge each one."""
    tally = Tally(family.name)

    @seed(random_seed)
    @settings(
        max_examples=count,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(family.strategy())
    def draw(case: object) -> None:
        tally.inputs += 1
        try:
            verdict = family.judge(case)
        except Exception as error:  # the very thing this suite counts
            where = "".join(traceback.format_tb(error.__traceback__)[-2:])
            tally.internal.append(f"{type(error).__name__}: {error}\n{where}{case!r}"[:2000])
            return
        if verdict is not None:
            tally.silent.append(f"{verdict}\n{case!r}"[:2000])

    draw()
    return tally


def _check_diagnostics(diagnostics: list[Diagnostic]) -> None:
    for diagnostic in diagnostics:
        if not isinstance(diagnostic, Diagnostic) or not re.fullmatch(
            r"[EVW]\d{4}", diagnostic.code
        ):
            raise AssertionError(f"not one of our diagnostics: {diagnostic!r}")
        diagnostic.message("zh")
        diagnostic.message("en")


# -- formulas ------------------------------------------------------------------------


def _judge_formula(case: object) -> Verdict:
    assert isinstance(case, str)
    offsets = OffsetMap(SourceFile("<formula>", case), case, 0, len(case))
    expr, diagnostics = parse_expression(case, offsets)
    _check_diagnostics(diagnostics)
    if expr is None and not diagnostics:
        return "no expression and no diagnostic"
    return None


# -- rule sets: compiled and interpreted agree ------------------------------------------


def _compile(files: dict[str, bytes]) -> Compilation:
    with tempfile.TemporaryDirectory() as folder:
        for name, content in files.items():
            Path(folder, name).write_bytes(content)
        return compile_rules(DirectorySource(folder))


def _outcome(
    make: Callable[[], CompiledEvaluator | Interpreter], row: tuple[object, ...]
) -> object:
    try:
        values = make().evaluate(row)
    except Fault as fault:
        return ("fault", fault.code, str(fault.site))
    return tuple((type(v).__name__, str(v)) for v in values)


def _judge_rule_set(case: object) -> Verdict:
    files, rows = cast(tuple[dict[str, str], list[dict[str, object]]], case)
    compilation = _compile({n: t.encode("utf-8") for n, t in files.items()})
    _check_diagnostics(compilation.diagnostics)
    if "section" not in compilation.programs:
        return None if not compilation.ok else "ok without a program"
    program, module = compilation.programs["section"], compilation.modules["section"]
    for row in rows:
        values = tuple(row[f.name] for f in program.inputs)
        compiled = _outcome(lambda: CompiledEvaluator(program, module), values)
        interpreted = _outcome(lambda: Interpreter(program), values)
        if compiled != interpreted:
            return f"backends disagree: {compiled} != {interpreted}"
    return None


def _rule_set_cases() -> st.SearchStrategy[object]:
    return rule_sets(depth=2).map(lambda case: (case.files, case.rows))


def _judge_malformed_rule_set(case: object) -> Verdict:
    assert isinstance(case, dict)
    compilation = _compile(case)
    _check_diagnostics(compilation.diagnostics)
    for kind, program in compilation.programs.items():
        CompiledEvaluator(program, compilation.modules[kind])
    return None


# -- the bundled rule set, mutated, through the command line ------------------------------

BUNDLED = Path("rules/yongzhou")
DATA = Path("examples/yongzhou")
COMMANDS = (
    ("check",),
    ("compile", "--emit", "py"),
    ("evaluate", "--period", "2016Q3", "--format", "json"),
    ("evaluate", "--period", "2016Q1..2016Q3", "--format", "xlsx", "--out", "{folder}/r.xlsx"),
    ("explain", "s01", "--period", "2016Q3"),
    ("diff", str(BUNDLED)),
    ("dry-run", "--baseline", str(BUNDLED), "--periods", "2016Q3", "--format", "html"),
    ("report", "--period", "2016Q3"),
    ("warn", "--date", "2016-09-01"),
    ("verify", "--examples", "3"),
    ("test",),
)


def _cli(*argv: str) -> int:
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(list(argv), stdout=out, stderr=err)
    if code == 101:
        raise AssertionError(f"exit 101 from jixiao {' '.join(argv)}:\n{err.getvalue()[-1500:]}")
    return code


@st.composite
def _mutated_bundles(draw: st.DrawFn) -> tuple[str, str, tuple[str, ...]]:
    files = sorted(p.name for p in BUNDLED.glob("*.yaml"))
    name = draw(st.sampled_from(files))
    text = (BUNDLED / name).read_text(encoding="utf-8")
    return name, draw(mutations(text, yaml=True)), draw(st.sampled_from(COMMANDS))


def _judge_mutated_bundle(case: object) -> Verdict:
    name, text, command = cast(tuple[str, str, tuple[str, ...]], case)
    with tempfile.TemporaryDirectory() as folder:
        rules = Path(folder, "rules")
        shutil.copytree(BUNDLED, rules)
        (rules / name).write_bytes(text.encode("utf-8", "surrogatepass"))
        store = Path(folder, "store.sqlite")
        verb, *rest = command
        rest = [part.format(folder=folder) for part in rest]
        if verb == "report":
            argv = [verb, "bulletin", str(rules), *rest]
        elif verb == "dry-run":
            argv = [verb, *rest, "--candidate", str(rules)]
        else:
            argv = [verb, str(rules), *rest]
        if verb in ("evaluate", "explain", "dry-run", "report"):
            argv += ["--data", str(DATA)]
        if verb in ("evaluate", "explain"):
            argv += ["--store", str(store)]
        _cli(*argv, "--lang", "en")
    return None


# -- data cells: exactly the number spellings the language defines -------------------------

# The spelling rule, restated independently of semantics.numbers: ASCII digits,
# an optional sign, point and %, or commas grouping thousands.
_PLAIN = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)%?", re.ASCII)
_GROUPED = re.compile(r"[+-]?[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]*)?%?", re.ASCII)


def _is_number(text: str) -> bool:
    text = text.strip()
    if not (_PLAIN.fullmatch(text) or _GROUPED.fullmatch(text)):
        return False
    value = Decimal(text.replace(",", "").rstrip("%"))
    return not value or -12 <= value.adjusted() <= 17


_CELL_PIECES = st.sampled_from(
    ["0", "1", "9", ",", ".", "%", "-", "+", "e", "E", "_", " ", "１", "٣", "३", "〇", "一",
     "1,234", "12,5", "1e2", "NaN", "inf", "Infinity", "0x10", "\u3000", "1_000", "½", "²"]
)  # fmt: skip


@cache
def _number_field() -> ir.InputField:
    compilation = compile_rules(DirectorySource(str(BUNDLED)))
    return next(f for f in compilation.programs["section"].inputs if f.name == "实际入库")


def _cells() -> st.SearchStrategy[object]:
    return st.one_of(
        st.lists(_CELL_PIECES, min_size=1, max_size=6).map("".join),
        st.decimals(allow_nan=False, allow_infinity=False).map(str),
        st.integers(-(10**20), 10**20).map(lambda n: f"{n:,}"),
        st.text(max_size=12),
    )


def _judge_cell(case: object) -> Verdict:
    assert isinstance(case, str)
    number_field = _number_field()
    value, problem = read_cell(number_field, case.strip(), "fuzz.csv", 2)
    if problem is not None:
        _check_diagnostics([problem])
        return None
    if case.strip() == "":
        return None  # what absence means is the rule's (missing: exempt here)
    if not _is_number(case):
        return f"accepted {case!r} as {value!r}"
    expected = Decimal(case.strip().replace(",", "").rstrip("%"))
    if case.strip().endswith("%"):
        expected = expected / 100
    if value != expected:
        return f"read {case!r} as {value!r}, not {expected!r}"
    return None


# -- whole files: CSV text and XLSX bytes ---------------------------------------------------


def _judge_table_file(case: object) -> Verdict:
    suffix, content = cast(tuple[str, bytes], case)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder, "data" + suffix)
        path.write_bytes(content)
        try:
            read_tables(path)
        except TableError:
            pass
    return None


@cache
def _workbook_bytes() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["period", "subject", "实际入库", "收入计划"])
    sheet.append(["2016Q3", "s01", 1234.5, "=1+2"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@st.composite
def _table_files(draw: st.DrawFn) -> tuple[str, bytes]:
    if draw(st.booleans()):
        text = (DATA / "sections.csv").read_text(encoding="utf-8")[:3000]
        mutated = draw(mutations(text))
        return ".csv", mutated.encode(
            draw(st.sampled_from(["utf-8", "utf-16", "gb18030"])), "replace"
        )
    original = _workbook_bytes()
    kind = draw(st.sampled_from(["bytes", "member", "truncate"]))
    if kind == "truncate":
        return ".xlsx", original[: draw(st.integers(0, len(original)))]
    if kind == "bytes":
        data = bytearray(original)
        for _ in range(draw(st.integers(1, 8))):
            data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
        return ".xlsx", bytes(data)
    # One member of the zip rewritten: XML text mutated like any other text.
    source = zipfile.ZipFile(io.BytesIO(original))
    names = source.namelist()
    target_name = draw(st.sampled_from(names))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for name in names:
            content = source.read(name)
            if name == target_name:
                text = content.decode("utf-8", "replace")[:4000]
                content = draw(mutations(text)).encode("utf-8", "surrogatepass")
            target.writestr(name, content)
    return ".xlsx", buffer.getvalue()


# -- the results store: hostile SQL against a published run ---------------------------------

_TABLES = {
    "runs": ("id", "label", "scheme", "version", "rules_digest", "rules_commit", "input_digest",
             "published"),
    "results": ("run_id", "subject", "kind", "total", "rank", "grade", "document"),
    "run_data": ("run_id", "name", "digest"),
    "data_files": ("digest", "content"),
    "seals": ("run_id", "results_digest"),
}  # fmt: skip
_VALUES = st.sampled_from(
    ["1", "2", "0", "'x'", "NULL", "X'00'", "'2016Q3'", "published", "id + 1"]
)


@st.composite
def _statements(draw: st.DrawFn) -> str:
    table = draw(st.sampled_from(sorted(_TABLES)))
    columns = _TABLES[table]
    where = draw(st.sampled_from(["", " WHERE 1", " WHERE rowid = 1", " WHERE rowid > 1"]))
    verb = draw(st.sampled_from(["INSERT", "INSERT OR REPLACE", "REPLACE", "INSERT OR IGNORE",
                                 "UPDATE", "UPDATE OR REPLACE", "UPDATE OR IGNORE", "DELETE"]))  # fmt: skip
    if verb == "DELETE":
        return f"DELETE FROM {table}{where}"
    if verb.startswith("UPDATE"):
        column = draw(st.sampled_from(columns))
        return f"{verb} {table} SET {column} = {draw(_VALUES)}{where}"
    if draw(st.booleans()):
        chosen = ", ".join(columns)
        return f"{verb} INTO {table} ({chosen}) SELECT {chosen} FROM {table}{where}"
    values = ", ".join(draw(_VALUES) for _ in columns)
    return f"{verb} INTO {table} ({', '.join(columns)}) VALUES ({values})"


@cache
def _published_store() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="jixiao-fuzz-"))
    store = folder / "results.sqlite"
    _cli("evaluate", str(BUNDLED), "--data", str(DATA), "--period", "2016Q3", "--publish",
         "--store", str(store))  # fmt: skip
    _cli("evaluate", str(BUNDLED), "--data", str(DATA), "--period", "2016Q2", "--store", str(store))
    return store


def _published_part(db: sqlite3.Connection) -> list[object]:
    return [
        db.execute("SELECT * FROM runs WHERE published = 1 ORDER BY id").fetchall(),
        db.execute(
            "SELECT * FROM results WHERE run_id IN (SELECT id FROM runs WHERE published = 1)"
            " ORDER BY run_id, kind, subject"
        ).fetchall(),
        db.execute(
            "SELECT * FROM run_data WHERE run_id IN (SELECT id FROM runs WHERE published = 1)"
            " ORDER BY run_id, name"
        ).fetchall(),
        db.execute(
            "SELECT digest, content FROM data_files WHERE digest IN (SELECT digest FROM run_data"
            " WHERE run_id IN (SELECT id FROM runs WHERE published = 1)) ORDER BY digest"
        ).fetchall(),
        db.execute(
            "SELECT * FROM seals WHERE run_id IN (SELECT id FROM runs WHERE published = 1)"
            " ORDER BY run_id"
        ).fetchall(),
    ]


@contextmanager
def _connection(path: Path) -> Iterator[sqlite3.Connection]:
    db = sqlite3.connect(path, isolation_level=None)
    try:
        yield db
    finally:
        db.close()


def _judge_statement(case: object) -> Verdict:
    assert isinstance(case, str)
    with _connection(_published_store()) as db:
        before = _published_part(db)
        db.execute("BEGIN")
        try:
            try:
                db.execute(case)
            except sqlite3.Error:
                return None  # refused: by a trigger, a constraint or the SQL itself
            if _published_part(db) != before:
                return f"changed a published run: {case}"
            return None
        finally:
            db.execute("ROLLBACK")


FAMILIES = (
    Family("formulas", malformed_formulas, _judge_formula, 3000),
    Family("rule sets (compiled = interpreted)", _rule_set_cases, _judge_rule_set, 600),
    Family("malformed rule sets", malformed_rule_sets, _judge_malformed_rule_set, 800),
    Family("bundled rules mutated, every command", _mutated_bundles, _judge_mutated_bundle, 440),
    Family("data cells", _cells, _judge_cell, 3000),
    Family("CSV and XLSX files", _table_files, _judge_table_file, 1500),
    Family("hostile SQL on a published store", _statements, _judge_statement, 1000),
)
