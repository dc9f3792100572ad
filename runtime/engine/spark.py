"""The Spark engine: stage 1 of a period distributed over a Spark cluster.

``--engine spark`` keeps the language's digits by not asking Spark to compute
them: Spark's DECIMAL is fixed point (at most 38 digits), which cannot round
every intermediate to 34 significant digits as decimal128 does
(docs/backends.md).  Instead Spark distributes the period's subjects over its
executors and each partition runs the *generated Python evaluator* on them,
the very code the Python engine runs (built from checked IR only and loaded by
``runtime.engine.compiled.load_factory``; rule text is never shipped).  Values
travel as pickled Decimals, whose pickled form is their exact text, so every
digit and exponent comes back as computed.  Stage 2 (ranks, quotas, grades),
roll-ups and links run on the driver over the per-subject values, as after the
other engines: they are small next to stage 1 and already linear.

A subject that faults (division by zero, ...) makes the period fall back to
the Python engine on the driver, which reports the fault at its rule position
(no warning: the fault itself is reported).

The session is the process's one SparkSession: ``start`` makes it (or
reuses an active one: a test's, or spark-submit's) and turns a missing
pyspark or Java, or a master that cannot be reached, into a located error.
"""

from __future__ import annotations

import atexit
import decimal
import io
import os
import pickle
import shutil
import sys
import tempfile
import zipfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from compiler import ir
from compiler.codegen import GeneratedModule
from dsl.diagnostics import Diagnostic, UserError
from runtime.engine.compiled import load_factory
from runtime.engine.subjects import Fallback
from semantics import operations as helpers
from semantics.operations import Fault

APP_NAME = "jixiao"
# Subjects per partition at least: a partition's fixed cost (shipping the
# generated code, loading it in the worker) is a few ms.
MIN_PER_PARTITION = 2_000
_WHERE = "--engine spark"


def _problem(code: str, master: str | None = None, **args: object) -> UserError:
    where = f"--master {master}" if master is not None else _WHERE
    return UserError([Diagnostic(code, dict(args), None, location=where)])


def start(master: str | None = None, memory: str | None = None) -> Any:
    """The SparkSession: the active one if there is one, else a new one on
    ``master`` (None: Spark's own default, or what spark-submit set).

    E0970: pyspark is not installed; E0971: no Java to run Spark on;
    E0972: Spark could not start (an unreachable master, ...)."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise _problem("E0970") from None
    active = SparkSession.getActiveSession()
    if active is not None and master is None:
        return active
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        raise _problem("E0971")
    builder = SparkSession.builder.appName(APP_NAME).config(
        "spark.ui.showConsoleProgress",
        "false",  # no progress bars on stderr
    )
    if (master is None or master.startswith("local")) and "PYSPARK_PYTHON" not in os.environ:
        # Local workers run this Python (Spark's default is whatever python3
        # is on PATH, which may lack jixiao's dependencies).
        os.environ["PYSPARK_PYTHON"] = sys.executable
    if "PYSPARK_GATEWAY_PORT" not in os.environ:  # our JVM, not spark-submit's: quiet it
        builder = builder.config(
            "spark.driver.extraJavaOptions", f"-Dlog4j2.configurationFile={_quiet_log()}"
        )
    if master is not None:
        builder = builder.master(master)
    if memory is not None:
        builder = builder.config("spark.driver.memory", memory)
    try:
        session = builder.getOrCreate()
    except Exception as error:  # Py4J or Spark: the master, the JVM, the ports
        raise _problem("E0972", master, problem=_first_line(error)) from None
    session.sparkContext.setLogLevel("ERROR")
    _ship(session)
    return session


# Spark's own log on stderr: errors only (its default also writes start-up
# warnings a user of the CLI has no use for).
_LOG4J2 = """rootLogger.level = error
rootLogger.appenderRef.stderr.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{yy/MM/dd HH:mm:ss} %p %c{1}: %m%n
"""


def _quiet_log() -> str:
    path = Path(tempfile.gettempdir()) / f"jixiao-log4j2-{os.getpid()}.properties"
    path.write_text(_LOG4J2, encoding="utf-8")
    atexit.register(path.unlink, missing_ok=True)
    return path.as_uri()


def _first_line(error: BaseException) -> str:
    """What went wrong in a line: Java's exception when Py4J relays one (its
    own first line only says which call failed)."""
    java = getattr(error, "java_exception", None)
    text = str(java.toString() if java is not None else error).strip() or type(error).__name__
    return text.splitlines()[0][:300]


_SHIPPED: set[int] = set()


def _ship(session: Any) -> None:
    """Our packages (their Python files, zipped) added to the executors'
    path once per Spark context, so executors run the driver's version of the
    evaluator's loader (third-party packages must be on the executors)."""
    context = session.sparkContext
    if id(context) in _SHIPPED:
        return
    root = Path(helpers.__file__).resolve().parent.parent
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for package in ("semantics", "dsl", "compiler", "runtime"):
            for path in sorted((root / package).rglob("*")):
                if path.suffix in (".py", ".lark") and "__pycache__" not in path.parts:
                    archive.write(path, path.relative_to(root).as_posix())
    target = Path(tempfile.gettempdir()) / f"jixiao-{os.getpid()}-{id(context)}.zip"
    target.write_bytes(buffer.getvalue())
    atexit.register(target.unlink, missing_ok=True)
    context.addPyFile(str(target))
    _SHIPPED.add(id(context))


def _partition(module: GeneratedModule) -> Callable[[Iterator[bytes]], Iterator[bytes]]:
    """What each executor runs on its chunks of subjects: the generated
    evaluator, in the language's decimal context; None for a subject that
    faults.  With group functions only stage 1 (the later stages need every
    subject's values: ``runtime.engine.groups`` runs them on the driver).

    A chunk travels as one pickle (rows in, values out): Spark's own
    per-record serializer (cloudpickle, record by record) cost more than the
    evaluation itself (bench/spark.py)."""

    def run(chunks: Iterator[bytes]) -> Iterator[bytes]:
        made = load_factory(module)
        function = made[0]  # (evaluate, later stages, loops): runtime.engine.compiled
        for chunk in chunks:
            out: list[tuple[object, ...] | None] = []
            with decimal.localcontext(helpers.CONTEXT):
                for row in pickle.loads(chunk):  # the driver's own rows
                    try:
                        out.append(function(row, True))
                    except (Fault, decimal.DecimalException, KeyError):
                        out.append(None)
            yield pickle.dumps(out, pickle.HIGHEST_PROTOCOL)

    return run


class SparkEvaluator:
    """Stage 1 of a period's subjects on Spark (``runtime.engine.subjects``
    calls ``evaluate`` as it calls the batch engine's)."""

    def __init__(self, program: ir.Program, module: GeneratedModule) -> None:
        self.program = program
        self.module = module

    def evaluate(self, rows: Sequence[tuple[object, ...]]) -> list[tuple[object, ...]]:
        """Every slot of every subject (the later stages' slots None when the
        rules have group functions), in the order of ``rows``: contiguous
        chunks, one Spark partition each, collected in partition order."""
        session = start()
        context = session.sparkContext
        slices = max(1, min(context.defaultParallelism, len(rows) // MIN_PER_PARTITION))
        size = -(-len(rows) // slices)
        chunks = [
            pickle.dumps(list(rows[n : n + size]), pickle.HIGHEST_PROTOCOL)
            for n in range(0, len(rows), size)
        ]
        try:
            collected = (
                context.parallelize(chunks, len(chunks))
                .mapPartitions(_partition(self.module))
                .collect()
            )
        except Exception as error:  # a lost executor, a worker without our packages, ...
            raise _problem("E0972", problem=_first_line(error)) from None
        computed: list[tuple[object, ...] | None] = [
            values for chunk in collected for values in pickle.loads(chunk)
        ]
        if any(values is None for values in computed):
            raise Fallback("")  # the Python engine locates the fault
        return [values for values in computed if values is not None]
