"""The ``jixiao`` command line: one subcommand per stage.

This module parses arguments, rejects unusable options (usage errors), calls
one tool function per command (``runtime.tools``: the same functions the
pytest plugin and the pre-commit hooks reach), chooses the renderer
(``runtime.render``), writes the output and turns the outcome into an exit
code.  The work itself is done in the tools.

Exit codes: 0 clean, 1 problems in rules or data (each reported with its
location), 2 usage or I/O problems, 101 an internal error (a bug in jixiao,
reported with a request to file it, never mistaken for the user's fault).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import sys
import traceback
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, redirect_stdout
from contextvars import ContextVar
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TextIO

from compiler import ir
from compiler.pipeline import STAGES, Compilation, check, compile_rules, emit
from dsl.diagnostics import (
    Diagnostic,
    Lang,
    OutputFormat,
    UserError,
    detect_lang,
    render_all,
)
from dsl.gitsource import GitSource, RevisionError, RulesSpec, open_source, parse_spec
from dsl.messages import render_message
from dsl.messages import text as message_text
from dsl.ruleset import RuleSource
from dsl.ruletests import TESTS_FOLDER
from dsl.schema import json_schema
from runtime.engine.run import Evaluation, evaluate_rules
from runtime.inputs.collection import collector_paused
from runtime.inputs.periods import Period, PeriodError, parse_periods, period_label
from runtime.render.check import summary as check_summary
from runtime.render.files import OutputError, write_chunks, write_output
from runtime.render.issued_warnings import to_json as issued_json
from runtime.render.issued_warnings import to_text as issued_text
from runtime.render.ledgers import to_html as ledger_html
from runtime.render.ledgers import to_text as ledger_text
from runtime.render.ledgers import to_xlsx as ledger_xlsx
from runtime.render.pdf import print_pdf
from runtime.render.progress import progress_bar
from runtime.render.results import (
    check_checkpoints,
    column_names,
    json_chunks,
    to_csv,
    to_document,
    to_table,
    to_xlsx,
)
from runtime.render.runs import to_text as runs_text
from runtime.render.status import to_json as status_json
from runtime.render.status import to_text as status_text
from runtime.store import Store, StoreError, rules_commit
from runtime.tools.explain import explain_subject
from runtime.tools.ledgers import LEDGER_KINDS, build_ledger
from runtime.tools.runs import evaluate_with_history, record_run, verify_store
from runtime.tools.status import period_status
from runtime.tools.submissions import evaluate_submissions, submit
from runtime.tools.warning_records import issued_warnings, record_issued, sign

EXIT_OK, EXIT_USER, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 101
DEFAULT_STORE = ".jixiao/results.sqlite"


class _Parser(argparse.ArgumentParser):
    """argparse that raises instead of exiting, so ``main`` returns a code."""

    def error(self, message: str) -> None:  # type: ignore[override]
        # The usage of the (sub)command that refused the line, not the top's.
        raise _UsageError(message, self.format_usage())


class _UsageError(Exception):
    def __init__(self, message: str, usage: str = "") -> None:
        super().__init__(message)
        self.usage = usage


def _usage(key: str, **args: object) -> _UsageError:
    """A usage error with its text from the catalogue, in the command's language."""
    return _UsageError(render_message(key, _LANG.get(), args))


# argparse's own words, by the gettext msgid argparse looks up, and the key of
# their text in the catalogue: with them the help and every argument error
# read in the chosen language (argparse has no Chinese catalogue of its own).
_ARGPARSE_WORDS = {
    "usage: ": "cli.argparse.usage",
    "positional arguments": "cli.argparse.positionals",
    "options": "cli.argparse.options",
    "show this help message and exit": "cli.argparse.help",
    "the following arguments are required: %s": "cli.argparse.required",
    "invalid choice: %(value)r (choose from %(choices)s)": "cli.argparse.choice",
    "argument %(argument_name)s: %(message)s": "cli.argparse.argument",
    "unrecognized arguments: %s": "cli.argparse.unrecognized",
    "expected one argument": "cli.argparse.one",
    "expected at least one argument": "cli.argparse.at_least_one",
    "expected at most one argument": "cli.argparse.at_most_one",
    "expected %s argument": "cli.argparse.count",
    "expected %s arguments": "cli.argparse.count",
    "invalid %(type)s value: %(value)r": "cli.argparse.type",
    "ambiguous option: %(option)s could match %(matches)s": "cli.argparse.ambiguous",
    "not allowed with argument %s": "cli.argparse.not_allowed",
    "one of the arguments %s is required": "cli.argparse.one_of",
    "ignored explicit argument %r": "cli.argparse.ignored",
}

# The language of the command line being parsed: argument type functions
# (``_count``, ``_percent``) and period errors read it.
_LANG: ContextVar[Lang] = ContextVar("jixiao_cli_lang", default="en")


def _argparse_text(message: str) -> str:
    key = _ARGPARSE_WORDS.get(message)
    return message_text(key, _LANG.get()) if key else message


@contextmanager
def _argparse_in(lang: Lang) -> Iterator[None]:
    """argparse speaking ``lang`` while the parser is built, used and shown.

    argparse calls ``gettext`` through its module globals ``_`` and
    ``ngettext``; swapping them is the hook gettext offers for a program's
    own catalogue.  They are restored afterwards (tests run many commands in
    one process)."""
    token = _LANG.set(lang)
    saved = argparse._, argparse.ngettext  # type: ignore[attr-defined]
    setattr(argparse, "_", _argparse_text)  # noqa: B010
    setattr(argparse, "ngettext", lambda one, many, n: _argparse_text(one if n == 1 else many))  # noqa: B010
    try:
        yield
    finally:
        setattr(argparse, "_", saved[0])  # noqa: B010
        setattr(argparse, "ngettext", saved[1])  # noqa: B010
        _LANG.reset(token)


def _lang_on_line(argv: Sequence[str]) -> Lang | None:
    """``--lang zh``/``--lang=en`` wherever it stands (the last one wins, as in
    argparse), so help and argument errors already speak it."""
    found: Lang | None = None
    for index, arg in enumerate(argv):
        if arg == "--":
            break
        value = arg.split("=", 1)[1] if arg.startswith("--lang=") else None
        if arg == "--lang" and index + 1 < len(argv):
            value = argv[index + 1]
        if value == "zh":
            found = "zh"
        elif value == "en":
            found = "en"
    return found


def _parser(lang: Lang = "en") -> argparse.ArgumentParser:
    def h(key: str, **args: object) -> str:
        return render_message(key, lang, args)

    common = _Parser(add_help=False)
    common.add_argument("--lang", choices=("zh", "en"), help=h("cli.help.lang"))
    common.add_argument(
        "--output-format",
        choices=("full", "concise", "json"),
        default="full",
        help=h("cli.help.output_format"),
    )
    parser = _Parser(prog="jixiao", description=h("cli.description"))
    # Accepted before the subcommand too (``jixiao --lang zh --help``); its
    # value is read from the whole line by ``_lang_on_line``.
    parser.add_argument("--lang", choices=("zh", "en"), dest="lang_first", help=h("cli.help.lang"))
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    p = sub.add_parser("check", parents=[common], help=h("cli.cmd.check"))
    p.add_argument("rules", help=h("cli.help.rules"))

    stages = [stage.name for stage in STAGES]
    shown = f"{', '.join(stages[:-1])} {h('cli.cmd.compile.or')} {stages[-1]}"
    p = sub.add_parser("compile", parents=[common], help=h("cli.cmd.compile", stages=shown))
    p.add_argument("rules", help=h("cli.help.rules"))
    p.add_argument("--emit", choices=stages, default=stages[-1], help=h("cli.help.emit"))
    p.add_argument("--out", help=h("cli.help.out"))

    sub.add_parser("schema", parents=[common], help=h("cli.cmd.schema"))

    p = sub.add_parser("evaluate", parents=[common], help=h("cli.cmd.evaluate"))
    p.add_argument("rules", help=h("cli.help.rules"))
    p.add_argument("--data", help=h("cli.help.data"))
    p.add_argument("--from-submissions", action="store_true", help=h("cli.help.from_submissions"))
    p.add_argument("--period", help=h("cli.help.period_latest"))
    p.add_argument(
        "--format", choices=("table", "json", "csv", "xlsx"), default="table",
        help=h("cli.help.format"),
    )  # fmt: skip
    p.add_argument("--out", help=h("cli.help.out"))
    p.add_argument("--store", help=h("cli.help.store_record", store=DEFAULT_STORE))
    p.add_argument("--publish", action="store_true", help=h("cli.help.publish"))
    p.add_argument("--columns", metavar="A,B,…", help=h("cli.help.columns"))
    p.add_argument("--width", type=_count, metavar="N", help=h("cli.help.width"))
    p.add_argument(
        "--engine", choices=("python", "batch", "spark"), default="python",
        help=h("cli.help.engine") + h("cli.help.engine_spark"),
    )  # fmt: skip
    p.add_argument("--master", metavar="URL", help=h("cli.help.master"))

    p = sub.add_parser("diff", parents=[common], help=h("cli.cmd.diff"))
    p.add_argument("old", help=h("cli.help.diff_old"))
    p.add_argument("new", help=h("cli.help.diff_new"))
    p.add_argument("--format", choices=("text", "json"), default="text", help=h("cli.help.format"))

    p = sub.add_parser("dry-run", parents=[common], help=h("cli.cmd.dry-run"))
    p.add_argument("--baseline", required=True, help=h("cli.help.baseline"))
    p.add_argument("--candidate", required=True, help=h("cli.help.candidate"))
    p.add_argument("--data", required=True, help=h("cli.help.data"))
    p.add_argument("--periods", required=True, help=h("cli.help.periods"))
    p.add_argument(
        "--format", choices=("text", "json", "csv", "html", "xlsx", "pdf"), default="text",
        help=h("cli.help.format"),
    )  # fmt: skip
    p.add_argument("--out", help=h("cli.help.out"))
    p.add_argument("--store", help=h("cli.help.store_published"))
    p.add_argument("--explain", metavar="SUBJECT", help=h("cli.help.explain_subject"))
    p.add_argument("--quiet", action="store_true", help=h("cli.help.quiet"))
    p.add_argument(
        "--engine", choices=("python", "batch", "spark"), default="python",
        help=h("cli.help.engine") + h("cli.help.engine_spark"),
    )  # fmt: skip
    p.add_argument("--master", metavar="URL", help=h("cli.help.master"))

    p = sub.add_parser("warn", parents=[common], help=h("cli.cmd.warn"))
    p.add_argument("rules", help=h("cli.help.rules"))
    p.add_argument("--date", required=True, help=h("cli.help.date"))
    p.add_argument(
        "--format", choices=("text", "html", "xlsx", "pdf"), default="text",
        help=h("cli.help.format"),
    )  # fmt: skip
    p.add_argument("--out", help=h("cli.help.out"))
    p.add_argument("--store", help=h("cli.help.warn_store"))
    p.add_argument("--as-of", metavar="DAY", help=h("cli.help.warn_as_of"))
    p.add_argument("--record", action="store_true", help=h("cli.help.warn_record"))
    p.add_argument("--by", help=h("cli.help.issued_by"))

    p = sub.add_parser("report", parents=[common], help=h("cli.cmd.report"))
    p.add_argument("kind", choices=("bulletin",), help=h("cli.help.kind"))
    p.add_argument("rules", help=h("cli.help.rules"))
    p.add_argument("--data", required=True, help=h("cli.help.data"))
    p.add_argument("--period", required=True, help=h("cli.help.periods"))
    p.add_argument(
        "--format", choices=("markdown", "html", "docx", "pdf", "xlsx"), default="markdown",
        help=h("cli.help.format"),
    )  # fmt: skip
    p.add_argument("--out", help=h("cli.help.out"))
    p.add_argument("--focus", metavar="FILE", help=h("cli.help.focus"))
    p.add_argument("--store", help=h("cli.help.bulletin_store"))
    p.add_argument("--office", help=h("cli.help.office"))
    p.add_argument("--number", help=h("cli.help.number"))
    p.add_argument("--date", help=h("cli.help.document_date"))
    p.add_argument("--template", metavar="FILE", help=h("cli.help.template"))

    p = sub.add_parser("verify", parents=[common], help=h("cli.cmd.verify"))
    p.add_argument("rules", help=h("cli.help.rules"))
    p.add_argument("--examples", type=_count, default=100, help=h("cli.help.examples"))
    p.add_argument("--quiet", action="store_true", help=h("cli.help.quiet"))

    p = sub.add_parser("test", parents=[common], help=h("cli.cmd.test"))
    p.add_argument("rules", help=h("cli.help.rules"))
    p.add_argument("files", nargs="*", help=h("cli.help.test_files"))
    p.add_argument("--format", choices=("text", "json"), default="text", help=h("cli.help.format"))
    p.add_argument("--fail-under", type=_percent, metavar="PERCENT", help=h("cli.help.fail_under"))

    p = sub.add_parser("runs", parents=[common], help=h("cli.cmd.runs"))
    p.add_argument("--store", default=DEFAULT_STORE, help=h("cli.help.store", store=DEFAULT_STORE))
    p.add_argument("--delete", type=int, metavar="RUN", help=h("cli.help.delete"))
    p.add_argument("--verify", action="store_true", help=h("cli.help.verify_store"))

    p = sub.add_parser("explain", parents=[common], help=h("cli.cmd.explain"))
    p.add_argument("rules", help=h("cli.help.rules"))
    p.add_argument("--data", required=True, help=h("cli.help.data"))
    p.add_argument("--period", help=h("cli.help.period_latest"))
    p.add_argument("--subject", required=True, help=h("cli.help.subject"))
    p.add_argument("--indicator", help=h("cli.help.indicator"))

    p = sub.add_parser("submit", parents=[common], help=h("cli.cmd.submit"))
    p.add_argument("rules", help=h("cli.help.rules"))
    p.add_argument("--store", required=True, help=h("cli.help.submit_store"))
    p.add_argument("--period", required=True, help=h("cli.help.submit_period"))
    p.add_argument("--assessor", required=True, help=h("cli.help.assessor"))
    p.add_argument("--file", required=True, help=h("cli.help.submit_file"))
    p.add_argument("--at", help=h("cli.help.submit_at"))
    p.add_argument("--by", help=h("cli.help.submit_by"))

    p = sub.add_parser("status", parents=[common], help=h("cli.cmd.status"))
    p.add_argument("rules", help=h("cli.help.rules"))
    p.add_argument("--store", required=True, help=h("cli.help.status_store"))
    p.add_argument("--period", required=True, help=h("cli.help.submit_period"))
    p.add_argument("--date", help=h("cli.help.status_date"))
    p.add_argument("--format", choices=("text", "json"), default="text", help=h("cli.help.format"))

    p = sub.add_parser("template", parents=[common], help=h("cli.cmd.template"))
    p.add_argument("rules", help=h("cli.help.rules"))
    p.add_argument("--period", required=True, help=h("cli.help.template_period"))
    p.add_argument("--assessor", required=True, help=h("cli.help.template_assessor"))
    p.add_argument("--out", help=h("cli.help.template_out"))
    p.add_argument("--send-to", help=h("cli.help.send_to"))

    p = sub.add_parser("revisions", parents=[common], help=h("cli.cmd.revisions"))
    p.add_argument("rules", help=h("cli.help.rules"))
    p.add_argument("--format", choices=("text", "json"), default="text", help=h("cli.help.format"))

    p = sub.add_parser("warnings", parents=[common], help=h("cli.cmd.warnings"))
    p.add_argument("--store", required=True, help=h("cli.help.warnings_store"))
    p.add_argument("--since", metavar="DAY", help=h("cli.help.since"))
    p.add_argument("--until", metavar="DAY", help=h("cli.help.until"))
    p.add_argument("--format", choices=("text", "json"), default="text", help=h("cli.help.format"))
    p.add_argument("--sign", type=int, metavar="N", help=h("cli.help.sign"))
    p.add_argument("--by", help=h("cli.help.signed_by"))
    p.add_argument("--at", help=h("cli.help.signed_at"))

    p = sub.add_parser("ledger", parents=[common], help=h("cli.cmd.ledger"))
    p.add_argument("rules", help=h("cli.help.rules"))
    p.add_argument("--period", required=True, help=h("cli.help.ledger_period"))
    p.add_argument("--kind", choices=LEDGER_KINDS, required=True, help=h("cli.help.ledger_kind"))
    p.add_argument("--store", help=h("cli.help.ledger_store"))
    p.add_argument("--date", help=h("cli.help.status_date"))
    p.add_argument(
        "--format", choices=("text", "html", "xlsx", "pdf"), default="text",
        help=h("cli.help.format"),
    )  # fmt: skip
    p.add_argument("--out", help=h("cli.help.out"))

    p = sub.add_parser("serve", parents=[common], help=h("cli.cmd.serve"))
    p.add_argument("rules", help=h("cli.help.rules"))
    p.add_argument("--store", required=True, help=h("cli.help.serve_store"))
    p.add_argument("--data", help=h("cli.help.serve_data"))
    p.add_argument("--host", default="127.0.0.1", help=h("cli.help.host"))
    p.add_argument("--port", type=int, default=8000, help=h("cli.help.port"))
    p.add_argument("--workers", type=int, default=1, help=h("cli.help.workers"))

    p = sub.add_parser("users", parents=[common], help=h("cli.cmd.users"))
    users = p.add_subparsers(dest="users_command", required=True, parser_class=_Parser)
    p = users.add_parser("add", parents=[common], help=h("cli.cmd.users.add"))
    p.add_argument("name", help=h("cli.help.user_name"))
    p.add_argument("--role", choices=("office", "liaison", "leader"), required=True,
                   help=h("cli.help.role"))  # fmt: skip
    p.add_argument("--section", metavar="ID", help=h("cli.help.section"))
    p.add_argument("--rules", help=h("cli.help.rules"))
    p.add_argument(
        "--store", default=DEFAULT_STORE, help=h("cli.help.users_store", store=DEFAULT_STORE)
    )
    for command in ("list", "remove", "passwd"):
        p = users.add_parser(command, parents=[common], help=h(f"cli.cmd.users.{command}"))
        if command != "list":
            p.add_argument("name", help=h("cli.help.user_name"))
        p.add_argument(
            "--store", default=DEFAULT_STORE, help=h("cli.help.users_store", store=DEFAULT_STORE)
        )
    return parser


def main(
    argv: Sequence[str] | None = None, stdout: TextIO | None = None, stderr: TextIO | None = None
) -> int:
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    args_list = list(sys.argv[1:] if argv is None else argv)
    lang: Lang = _lang_on_line(args_list) or detect_lang()
    with _argparse_in(lang):
        parser = _parser(lang)
        try:
            with redirect_stdout(out):  # --help writes to the command's output
                args = parser.parse_args(args_list)
        except _UsageError as error:
            err.write(f"jixiao: {error}\n{error.usage or parser.format_usage()}")
            return EXIT_USAGE
        except SystemExit as exit_:  # --help
            return int(exit_.code or 0)
    fmt: OutputFormat = args.output_format
    token = _LANG.set(lang)
    try:
        return _run(args, lang, fmt, out, err)
    except UserError as error:
        err.write(render_all(error.diagnostics, lang, fmt) + "\n")
        return EXIT_USER
    except (_UsageError, OutputError) as error:
        err.write(f"jixiao: {error}\n")
        return EXIT_USAGE
    except Exception:  # a bug in jixiao, not the user's mistake
        err.write(traceback.format_exc())
        err.write(render_message("internal", lang, {}) + "\n")
        return EXIT_INTERNAL
    finally:
        _LANG.reset(token)


def _source(rules: str) -> tuple[RuleSource, RulesSpec]:
    """The rules a spec names: ``PATH``, ``PATH@REVISION`` (git), ``…#YYYY-MM-DD``."""
    try:
        spec = parse_spec(rules)
        return open_source(spec), spec
    except RevisionError as error:
        raise UserError(
            [Diagnostic("E0908", {"spec": rules, "problem": error.problem}, None, location=rules)]
        ) from None


def _checked(rules: str, generate: bool, every_context: bool = False) -> Compilation:
    source, spec = _source(rules)
    if generate:
        return compile_rules(source, spec.as_of, every_context)
    return check(source, spec.as_of, every_context)


def _compiled(rules: str, generate: bool = True, every_context: bool = False) -> Compilation:
    result = _checked(rules, generate, every_context)
    if not result.ok:
        raise UserError(result.diagnostics)
    return result


def _commit(rules: str) -> str | None:
    """The commit the rules were read from (a revision), or of their working copy."""
    source, spec = _source(rules)
    return source.commit if isinstance(source, GitSource) else rules_commit(spec.path)


def _write(text: str, target: str | None, out: TextIO, lang: Lang) -> None:
    if target:
        write_output(text, target, lang)
    else:
        out.write(text)


def _run(args: argparse.Namespace, lang: Lang, fmt: OutputFormat, out: TextIO, err: TextIO) -> int:
    if args.command == "schema":
        out.write(json.dumps(json_schema(), ensure_ascii=False, indent=2) + "\n")
        return EXIT_OK
    if args.command == "check":
        result = _checked(args.rules, generate=False)
        if result.diagnostics:
            err.write(render_all(result.diagnostics, lang, fmt) + "\n")
        if not result.ok:
            return EXIT_USER
        assert "section" in result.programs
        out.write(check_summary(result, args.rules, lang))
        return EXIT_OK
    if args.command == "compile":
        result = _compiled(args.rules)
        _write(emit(result, args.emit), args.out, out, lang)
        return EXIT_OK
    if args.command == "evaluate":
        return _evaluate(args, lang, out, err)
    if args.command == "explain":
        return _explain(args, lang, out)
    if args.command == "runs":
        return _runs(args, lang, out)
    if args.command == "diff":
        return _diff(args, lang, out)
    if args.command == "warn":
        return _warn(args, lang, out, err)
    if args.command == "verify":
        return _verify(args, lang, fmt, out, err)
    if args.command == "test":
        return _test(args, lang, fmt, out)
    if args.command == "report":
        return _report(args, lang, out)
    if args.command == "dry-run":
        return _dry_run(args, lang, out, err)
    if args.command == "submit":
        return _submit(args, lang, out, err)
    if args.command == "status":
        return _status(args, lang, out)
    if args.command == "template":
        return _template(args, lang, out)
    if args.command == "revisions":
        return _revisions(args, lang, out)
    if args.command == "warnings":
        return _warnings(args, lang, out)
    if args.command == "ledger":
        return _ledger(args, lang, out)
    if args.command == "serve":
        return _serve(args, lang, err)
    if args.command == "users" and args.users_command != "add":
        return _users_other(args, lang, out, err)
    if args.command == "users":
        return _users_add(args, lang, out, err)
    raise _usage("cli.error.unknown_command", command=args.command)


@collector_paused()  # compiling, reading, evaluating, rendering: long-lived objects
def _evaluate(args: argparse.Namespace, lang: Lang, out: TextIO, err: TextIO) -> int:
    if args.from_submissions:
        if args.data:
            raise _usage("cli.error.submissions_and_data")
        if not args.period:
            raise _usage("cli.error.submissions_period")
    elif not args.data:
        raise _usage("cli.error.no_data")
    _engine(args)
    result = _compiled(args.rules)
    assert "section" in result.programs
    periods = _periods(args.period, result.programs["section"]) if args.period else None
    label = period_label(args.period) if args.period else None
    if args.from_submissions:
        assert periods is not None
        evaluation = _from_submissions(args, result, periods, label)
    else:
        store = _open_store(args.store or (DEFAULT_STORE if Path(DEFAULT_STORE).exists() else None))
        try:
            # Only the roll-up is shown: each quarter kept as far as it reads it.
            evaluation = evaluate_with_history(
                result, args.data, periods, label, store, args.engine, keep_quarters=False
            )
        finally:
            if store is not None:
                store.close()
    if evaluation.warnings:
        err.write(render_all(evaluation.warnings, lang, args.output_format) + "\n")
    rendered = (
        result.programs["section"], result.programs.get("person"), evaluation.label, evaluation.digest,
        evaluation.sections, evaluation.people,
    )  # fmt: skip
    # JSON only when asked for or stored, streamed one subject at a time.
    check_checkpoints(*rendered)
    if (args.store or args.publish) and not args.from_submissions:
        _record(args, to_document(*rendered))
    elif args.from_submissions and args.publish:
        assert periods is not None
        _publish_from_submissions(args, to_document(*rendered), periods[0])
    if args.format == "xlsx":
        if not args.out:
            raise _usage("cli.error.xlsx_out")
        workbook = to_xlsx(
            result.programs["section"],
            result.programs.get("person"),
            evaluation.sections,
            evaluation.people,
            lang,
        )
        write_output(workbook, args.out, lang)
        return EXIT_OK
    if args.format == "json":
        if args.out:
            write_chunks(json_chunks(*rendered), args.out, lang)
        else:
            out.writelines(json_chunks(*rendered))
        return EXIT_OK
    if args.format == "csv":
        text = to_csv(
            result.programs["section"],
            result.programs.get("person"),
            evaluation.sections,
            evaluation.people,
            lang,
        )
    else:
        text = _tables(args, result, evaluation, lang, out)
    _write(text, args.out, out, lang)
    return EXIT_OK


def _tables(
    args: argparse.Namespace, result: Compilation, evaluation: Evaluation, lang: Lang, out: TextIO
) -> str:
    """The terminal tables of ``evaluate``: fitted to ``--width``, or to the
    terminal when the table goes to one (never when piped or written to a
    file, so those stay byte-identical), showing ``--columns`` when chosen."""
    width = args.width
    if width is None and not args.out and out.isatty():
        width = shutil.get_terminal_size().columns
    blocks = [(result.programs["section"], evaluation.sections)]
    if "person" in result.programs and evaluation.people:
        blocks.append((result.programs["person"], evaluation.people))
    chosen = None
    if args.columns:
        chosen = [c.strip() for c in args.columns.replace("，", ",").split(",") if c.strip()]
        known = [set(column_names(p, r, lang)) for p, r in blocks]
        unknown = [c for c in chosen if not any(c in names for names in known)]
        if unknown:
            choices = sorted(set().union(*known), key=lambda c: (c.isascii(), c))
            raise _usage(
                "cli.error.columns", columns="、".join(unknown), choices="、".join(choices)
            )
    return "\n".join(
        to_table(program, evaluation.label, results, lang, width=width, columns=chosen)
        for program, results in blocks
    )


def _from_submissions(
    args: argparse.Namespace, result: Compilation, periods: list[Period], label: str | None
) -> Evaluation:
    """``evaluate --from-submissions``: the latest accepted submissions of one quarter."""
    if len(periods) != 1:
        raise _usage("cli.error.submissions_quarter")
    store = _submissions_store(args.store or DEFAULT_STORE, periods[0])
    try:
        return evaluate_submissions(result, store, periods[0], label)
    finally:
        store.close()


def _publish_from_submissions(
    args: argparse.Namespace, document: dict[str, object], period: Period
) -> None:
    """``evaluate --from-submissions --publish``: record the period's results
    as a published run whose data are the submissions it read (the same
    store; immutable and verified like any published run)."""
    path = args.store or DEFAULT_STORE
    store = _open_store(path)
    assert store is not None
    try:
        submissions = store.submissions(str(document["scheme"]), str(period))
        store.record_from_submissions(document, _commit(args.rules), submissions, True)
    except StoreError as error:
        raise UserError([Diagnostic(error.code, error.args_, None, location=path)]) from None
    finally:
        store.close()


def _submissions_store(path: str, period: Period) -> Store:
    """The store submissions are read from, read-only; a store that does not
    exist holds no submission (E0953) and is not created."""
    if not Path(path).is_file():
        where = f"{path} ({period})"
        raise UserError([Diagnostic("E0953", {"period": str(period)}, None, location=where)])
    store = _open_store(path, read_only=True)
    assert store is not None
    return store


def _one_quarter(args: argparse.Namespace, result: Compilation) -> Period:
    periods = _periods(args.period, result.programs["section"])
    if len(periods) != 1:
        raise _usage("cli.error.one_quarter", period=args.period)
    return periods[0]


def _submit(args: argparse.Namespace, lang: Lang, out: TextIO, err: TextIO) -> int:
    if args.at is None:
        at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M")
    else:
        try:
            at = datetime.strptime(args.at.strip(), "%Y-%m-%dT%H:%M").strftime("%Y-%m-%dT%H:%M")
        except ValueError:
            raise _usage("cli.error.at", at=args.at) from None
    file = Path(args.file)
    if not file.is_file():
        raise UserError([Diagnostic("E0801", {"path": args.file}, None, location=args.file)])
    result = _compiled(args.rules, generate=False)
    period = _one_quarter(args, result)
    store = _open_store(args.store)
    assert store is not None
    try:
        submission, warnings = submit(store, result, period, args.assessor, file, at, args.by)
    except StoreError as error:
        raise UserError([Diagnostic(error.code, error.args_, None, location=args.store)]) from None
    finally:
        store.close()
    if warnings:
        err.write(render_all(warnings, lang, args.output_format) + "\n")
    message = render_message(
        "submit.recorded", lang,
        {"id": submission.id, "assessor": submission.assessor, "period": submission.period,
         "file": submission.file_name, "digest": submission.digest[:19],
         "at": submission.submitted_at, "indicators": ", ".join(submission.indicators) or "-",
         "subjects": len(submission.subjects)},
    )  # fmt: skip
    out.write(message + "\n")
    return EXIT_OK


def _status(args: argparse.Namespace, lang: Lang, out: TextIO) -> int:
    result = _compiled(args.rules, generate=False)
    period = _one_quarter(args, result)
    day = _date_arg(args.date, "2016-10-08")
    store = _submissions_store(args.store, period)
    try:
        status = period_status(result, store, period, day)
    finally:
        store.close()
    out.write(status_json(status) if args.format == "json" else status_text(status, lang))
    return EXIT_OK


def _template(args: argparse.Namespace, lang: Lang, out: TextIO) -> int:
    """``template``: one assessing section's form to ``--out FILE``, or with
    ``--assessor all`` one form per assessing section into the folder ``--out``."""
    from runtime.render.forms import form_file_name, form_xlsx
    from runtime.tools.forms import ALL as ALL_ASSESSORS
    from runtime.tools.forms import build_form, form_assessors

    if not args.out:
        raise _usage("cli.error.template_out")
    result = _compiled(args.rules, generate=False)
    period = _one_quarter(args, result)
    names = form_assessors(result, args.assessor, args.rules)
    send_to = args.send_to or message_text("form.send_to", lang)
    targets: list[tuple[str, Path]] = []
    if args.assessor == ALL_ASSESSORS:
        folder = Path(args.out)
        if folder.exists() and not folder.is_dir():
            raise _usage("cli.error.template_folder", path=args.out)
        folder.mkdir(parents=True, exist_ok=True)
        targets = [(name, folder / form_file_name(name, period)) for name in names]
    else:
        targets = [(names[0], Path(args.out))]
    for name, target in targets:
        form = build_form(result, period, name)
        write_output(form_xlsx(form, lang, send_to), str(target), lang)
        args_ = {"assessor": name, "period": str(period), "path": str(target)}
        out.write(render_message("template.written", lang, args_) + "\n")
    return EXIT_OK


def _ledger(args: argparse.Namespace, lang: Lang, out: TextIO) -> int:
    result = _compiled(args.rules, generate=False)
    period = _one_quarter(args, result)
    day = _date_arg(args.date, "2016-10-08")
    store = _submissions_store(args.store, period) if args.store is not None else None
    try:
        ledger = build_ledger(result, args.kind, period, store, day)
    finally:
        if store is not None:
            store.close()
    if args.format == "xlsx":
        if not args.out:
            raise _usage("cli.error.xlsx_out")
        write_output(ledger_xlsx(ledger, lang), args.out, lang)
        return EXIT_OK
    if args.format == "pdf":  # A4 landscape, as the ledger's page says
        target = _binary_out(args, "pdf")
        write_output(print_pdf(ledger_html(ledger, lang), lang), target, lang)
        return EXIT_OK
    text = ledger_html(ledger, lang) if args.format == "html" else ledger_text(ledger, lang)
    _write(text, args.out, out, lang)
    return EXIT_OK


def _serve(args: argparse.Namespace, lang: Lang, err: TextIO) -> int:
    """``serve``: the web workbench on ``--host``:``--port`` until interrupted."""
    from runtime.web.app import serve
    from runtime.web.workbench import Config

    store = _open_store(args.store)  # created if new; a file that is no store is refused here
    assert store is not None
    store.close()

    def announce() -> None:
        args_ = {"host": args.host, "port": args.port}
        err.write(render_message("serve.listening", lang, args_) + "\n")
        err.flush()

    config = Config(args.rules, args.store, args.data, lang)
    serve(config, args.host, args.port, announce, max(1, args.workers))
    return EXIT_OK


def _password(lang: Lang, err: TextIO) -> str:
    """The new account's password: asked twice at a terminal, else the first
    line of standard input (scripts pipe it in; it is never an argument, so
    it stays out of the shell history and the process list)."""
    import getpass

    if sys.stdin.isatty():
        first = getpass.getpass(message_text("users.password", lang), stream=err)
        again = getpass.getpass(message_text("users.again", lang), stream=err)
        if first != again:
            raise UserError([Diagnostic("E1108", {}, None, location="-")])
        return first
    return sys.stdin.readline().rstrip("\r\n")


def _users_other(args: argparse.Namespace, lang: Lang, out: TextIO, err: TextIO) -> int:
    """``users list``, ``users remove NAME``, ``users passwd NAME``."""
    from runtime.web.accounts import change_password

    password = _password(lang, err) if args.users_command == "passwd" else ""
    store = _open_store(args.store)
    assert store is not None
    try:
        if args.users_command == "list":
            found = store.accounts()
            lines = [message_text("users.heading", lang)] if found else []
            lines += [f"{a.name}\t{a.role}\t{a.section or '-'}\t{a.created_at}" for a in found]
            out.write("\n".join(lines or [message_text("users.none", lang)]) + "\n")
        elif args.users_command == "remove":
            store.remove_account(args.name.strip())
            out.write(render_message("users.removed", lang, {"name": args.name.strip()}) + "\n")
        else:
            change_password(store, args.name, password)
            out.write(render_message("users.changed", lang, {"name": args.name.strip()}) + "\n")
    except StoreError as error:
        raise UserError([Diagnostic(error.code, error.args_, None, location=args.store)]) from None
    finally:
        store.close()
    return EXIT_OK


def _users_add(args: argparse.Namespace, lang: Lang, out: TextIO, err: TextIO) -> int:
    """``users add NAME --role R [--section ID]``: an account in the store; the
    section is checked against the organization when ``--rules`` is given."""
    from runtime.web.accounts import add_account

    organization = None
    if args.rules:
        organization = _compiled(args.rules, generate=False).programs["section"].organization
    password = _password(lang, err)
    store = _open_store(args.store)
    assert store is not None
    try:
        add_account(store, args.name, args.role, args.section, password, organization)
    except StoreError as error:
        help_ = (
            ("E1101.help", {"sections": error.args_["sections"]}) if error.code == "E1101" else None
        )
        raise UserError(
            [Diagnostic(error.code, error.args_, None, location=args.store, help=help_)]
        ) from None
    finally:
        store.close()
    section = f" · {args.section}" if args.section else ""
    args_ = {"name": args.name.strip(), "role": args.role, "section": section}
    out.write(render_message("users.added", lang, args_) + "\n")
    return EXIT_OK


def _open_store(path: str | None, read_only: bool = False) -> Store | None:
    if path is None:
        return None
    try:
        return Store(path, read_only)
    except sqlite3.Error as error:
        raise _usage("cli.error.store", path=path, problem=error) from None
    except StoreError as error:
        raise UserError([Diagnostic(error.code, error.args_, None, location=path)]) from None


def _record(args: argparse.Namespace, document: dict[str, object]) -> None:
    """Record the run in the results store; publishing an already published period is refused."""
    path = args.store or DEFAULT_STORE
    try:
        store = Store(path)
    except sqlite3.Error as error:
        raise _usage("cli.error.store", path=path, problem=error) from None
    try:
        record_run(store, document, _commit(args.rules), args.data, args.publish)
    except StoreError as error:
        raise UserError([Diagnostic(error.code, error.args_, None, location=path)]) from None
    finally:
        store.close()


def _runs(args: argparse.Namespace, lang: Lang, out: TextIO) -> int:
    try:
        store = Store(args.store)
    except sqlite3.Error as error:
        raise _usage("cli.error.store", path=args.store, problem=error) from None
    try:
        if args.delete is not None:
            store.delete_run(args.delete)
        if args.verify:
            found = verify_store(store, args.store)
            if found:
                raise UserError(found)
            return EXIT_OK
        out.write(runs_text(store.runs(), lang))
    except StoreError as error:
        raise UserError([Diagnostic(error.code, error.args_, None, location=args.store)]) from None
    finally:
        store.close()
    return EXIT_OK


def _engine(args: argparse.Namespace) -> None:
    """``--master`` belongs to ``--engine spark``, whose session starts here,
    before any work (a missing pyspark or Java is reported at once)."""
    if args.master is not None and args.engine != "spark":
        raise _usage("cli.error.master_without_spark")
    if args.engine == "spark":
        from runtime.engine.spark import start as start_spark  # pyspark only when asked for

        start_spark(args.master)


def _dry_run(args: argparse.Namespace, lang: Lang, out: TextIO, err: TextIO) -> int:
    from runtime.render.dryrun import to_csv as dryrun_csv
    from runtime.render.dryrun import to_json as dryrun_json
    from runtime.render.dryrun import to_text as dryrun_text
    from runtime.render.dryrun import to_xlsx as dryrun_xlsx
    from runtime.render.dryrun_html import render as dryrun_html
    from runtime.tools.dryrun import compare, explain_difference, published_results

    # Past periods may lack data a revision needs: such indicators stay unscored.
    _engine(args)
    baseline = _compiled(args.baseline, every_context=True)
    candidate = _compiled(args.candidate, every_context=True)
    assert "section" in baseline.programs
    periods = _periods(args.periods, baseline.programs["section"])
    published = None
    if args.store:
        store = _open_store(args.store, read_only=True)
        assert store is not None
        try:
            published = published_results(store, baseline.programs["section"].scheme, periods)
        finally:
            store.close()

    run = compare(
        baseline, candidate, args.data, periods, (args.baseline, args.candidate),
        published, progress_bar(err, "dry-run", args.quiet), args.engine,
        keep_results=False, explained=args.explain,
    )  # fmt: skip
    if args.format == "xlsx":
        if not args.out:
            raise _usage("cli.error.xlsx_out")
        write_output(dryrun_xlsx(run, lang), args.out, lang)
        return EXIT_OK
    if args.format == "pdf":
        target = _binary_out(args, "pdf")
        write_output(print_pdf(dryrun_html(run, lang), lang), target, lang)
        return EXIT_OK
    if args.format == "json":
        text = dryrun_json(run)
    elif args.format == "csv":
        text = dryrun_csv(run, lang)
    elif args.format == "html":
        text = dryrun_html(run, lang)
    else:
        text = dryrun_text(run, lang)
    if args.explain:
        text += explain_difference(run, args.explain, baseline, candidate, lang)
    _write(text, args.out, out, lang)
    return EXIT_OK


def _report(args: argparse.Namespace, lang: Lang, out: TextIO) -> int:
    # The bulletin's tools and renderers (python-docx among them) are imported
    # by the one command that uses them: every other command starts faster.
    from runtime.render.bulletin import render as render_bulletin
    from runtime.render.bulletin import to_xlsx as bulletin_xlsx
    from runtime.render.bulletin_docx import Heading, default_number, default_office, render_docx
    from runtime.tools.bulletin import bulletin_for, read_focus, warning_figures

    result = _compiled(args.rules)
    assert "section" in result.programs
    periods = _periods(args.period, result.programs["section"])
    focus = read_focus(args.focus) if args.focus else None
    warnings = None
    store = _open_store(args.store, read_only=True)
    if store is not None:
        try:
            issued = issued_warnings(store, min(periods).start, max(periods).end)
        finally:
            store.close()
        warnings = warning_figures(issued, result.programs["section"].scheme)
    bulletin = bulletin_for(result, args.data, periods, period_label(args.period), focus, warnings)
    if args.format == "xlsx":
        write_output(bulletin_xlsx(bulletin, lang), _binary_out(args, "xlsx"), lang)
    elif args.format == "pdf":
        target = _binary_out(args, "pdf")
        write_output(print_pdf(render_bulletin(bulletin, "html"), lang), target, lang)
    elif args.format == "docx":
        target = _binary_out(args, "docx")
        day = _date_arg(args.date or None, "2016-10-10") or max(periods).end
        heading = Heading(
            args.office or default_office(bulletin.scheme),
            args.number or default_number(max(periods).year),
            day,
        )
        write_output(render_docx(bulletin, heading, args.template, lang), target, lang)
    else:
        _write(render_bulletin(bulletin, args.format), args.out, out, lang)
    return EXIT_OK


def _binary_out(args: argparse.Namespace, kind: str) -> str:
    """``--out`` for a Word or PDF document, which never goes to the terminal."""
    if not args.out:
        raise _usage("cli.error.document_out", kind=kind)
    return str(args.out)


def _verify(
    args: argparse.Namespace, lang: Lang, fmt: OutputFormat, out: TextIO, err: TextIO
) -> int:
    # Verification brings hypothesis (rule properties): imported by this command only.
    from runtime.render.verify import to_text as verify_text
    from runtime.tools.verify import run_verify

    report = run_verify(
        _compiled(args.rules), args.examples, progress_bar(err, "verify", args.quiet)
    )
    out.write(verify_text(report, lang))
    if report.findings:
        err.write(render_all(report.findings, lang, fmt) + "\n")
    return EXIT_USER if report.failed else EXIT_OK


def _said(key: str, text: str) -> str:
    return render_message(key, _LANG.get(), {"text": text})


def _count(text: str) -> int:
    """A number of generated cases: a whole number, at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(_said("cli.error.whole", text)) from None
    if value < 1:
        raise argparse.ArgumentTypeError(_said("cli.error.at_least_one", text))
    return value


def _percent(text: str) -> Decimal:
    """A coverage threshold: 0 to 100."""
    try:
        value = Decimal(text.strip().removesuffix("%"))
    except InvalidOperation:
        raise argparse.ArgumentTypeError(_said("cli.error.percent", text)) from None
    if not value.is_finite() or not 0 <= value <= 100:
        raise argparse.ArgumentTypeError(_said("cli.error.percent_range", text))
    return value


def _test(args: argparse.Namespace, lang: Lang, fmt: OutputFormat, out: TextIO) -> int:
    """Rule tests: every problem in the test files is reported before anything
    runs; then each case passes or fails, and coverage is checked."""
    # Rule tests bring hypothesis (properties): imported by this command only.
    from runtime.render.rule_tests import run_json, run_text, under
    from runtime.tools.rule_test_suite import load_and_run

    compilation = _compiled(args.rules)
    source, _ = _source(args.rules)
    only = [_relative(source, f) for f in args.files] if args.files else None
    run = load_and_run(source, compilation, only, args.rules)
    out.write(run_json(run, lang) if args.format == "json" else run_text(run, lang, fmt))
    if not run.passed:
        return EXIT_USER
    if args.fail_under is not None and under(run.coverage, args.fail_under):
        args_ = {"percent": run.coverage.percent(), "required": args.fail_under}
        out.write(render_message("coverage.under", lang, args_) + "\n")
        return EXIT_USER
    return EXIT_OK


def _relative(source: RuleSource, name: str) -> str:
    """A test file named on the command line, as a path in the rule set: a
    path to it (``rules/yongzhou/tests/people.yaml``) or its name in the
    rule set's tests/ folder (``people.yaml``); nothing outside that folder."""
    path = Path(name)
    base = Path(source.root)
    outside = _usage("cli.error.test_outside", name=name, folder=TESTS_FOLDER)
    if path.is_absolute() or path.exists():
        try:
            relative = path.resolve().relative_to(base.resolve()).as_posix()
        except ValueError:
            raise outside from None
        if not relative.startswith(f"{TESTS_FOLDER}/"):
            raise outside
        return relative
    if "/" in name:
        raise outside
    return f"{TESTS_FOLDER}/{name}"


def _date_arg(text: str | None, example: str) -> date | None:
    """``--date`` as a day (None when not given); a usage error naming an
    example otherwise."""
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise _usage("cli.error.date", date=text, example=example) from None


def _day(option: str, value: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise _usage("cli.error.day", option=option, date=value) from None


def _warnings(args: argparse.Namespace, lang: Lang, out: TextIO) -> int:
    """List the warnings issued (``--since``/``--until``), or record a signature (``--sign``)."""
    since = None if args.since is None else _day("--since", args.since)
    until = None if args.until is None else _day("--until", args.until)
    if args.sign is not None and not args.by:
        raise _usage("cli.error.sign_by")
    at = _minutes(args.at)
    # Only an existing store is read or signed in (E0932): none is created here.
    _existing_store(args.store)
    store = _open_store(args.store, read_only=True)
    if args.sign is not None:
        assert store is not None
        store.close()
        store = _open_store(args.store)
    assert store is not None
    try:
        if args.sign is not None:
            signed = sign(store, args.sign, args.by, at)
            message = render_message(
                "warnings.signed", lang,
                {"id": signed.id, "section": signed.section_name, "month": signed.month,
                 "by": signed.signed_by, "at": signed.signed_at},
            )  # fmt: skip
            out.write(message + "\n")
            return EXIT_OK
        found = issued_warnings(store, since, until)
    except StoreError as error:
        problem = Diagnostic(error.code, error.args_, None, location=args.store)
        if error.code == "E0930":
            problem = Diagnostic(
                error.code, error.args_, None, location=args.store, help=("E0930.help", {})
            )
        raise UserError([problem]) from None
    finally:
        store.close()
    if args.format == "json":
        out.write(issued_json(found, since, until))
    else:
        out.write(issued_text(found, since, until, lang))
    return EXIT_OK


def _existing_store(path: str) -> None:
    """A store only read must exist (E0932): opening it would create it."""
    if not Path(path).is_file():
        problem = Diagnostic("E0932", {"path": path}, None, location=path, help=("E0932.help", {}))
        raise UserError([problem])


def _minutes(value: str | None) -> str:
    """``--at`` as ISO minutes (UTC), now when not given."""
    if value is None:
        return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M")
    try:
        return datetime.strptime(value.strip(), "%Y-%m-%dT%H:%M").strftime("%Y-%m-%dT%H:%M")
    except ValueError:
        raise _usage("cli.error.at", at=value) from None


def _warn(args: argparse.Namespace, lang: Lang, out: TextIO, err: TextIO) -> int:
    from runtime.render.early_warnings import to_html as warnings_html
    from runtime.render.early_warnings import to_text as warnings_text
    from runtime.render.early_warnings import to_xlsx as warnings_xlsx
    from runtime.tools.early_warnings import month_warnings

    result = _compiled(args.rules, generate=False)
    assert "section" in result.programs
    day = _date_arg(args.date, "2016-09-01")
    assert day is not None  # --date is required
    as_of = None if args.as_of is None else _day("--as-of", args.as_of)
    if args.record and not args.store:
        raise _usage("cli.error.record_store")
    if args.format == "xlsx" and not args.out:
        raise _usage("cli.error.xlsx_out")  # before anything is recorded
    if args.store and not args.record:
        _existing_store(args.store)
    store = _open_store(args.store, read_only=not args.record)
    try:
        table = month_warnings(
            result.programs["section"], result.programs.get("person"), day, args.rules,
            args.date, store, as_of,
        )  # fmt: skip
        if args.record:
            assert store is not None
            issued_on = as_of or datetime.now(UTC).date()
            try:
                recorded = record_issued(store, table, issued_on, args.by)
            except StoreError as error:
                where = args.store
                raise UserError(
                    [Diagnostic(error.code, error.args_, None, location=where)]
                ) from None
            message = render_message(
                "warn.recorded", lang,
                {"recorded": len(recorded.recorded), "day": issued_on.isoformat(),
                 "skipped": recorded.skipped, "pending": recorded.pending},
            )  # fmt: skip
            err.write(message + "\n")
    finally:
        if store is not None:
            store.close()
    if args.format == "xlsx":
        write_output(warnings_xlsx(table, lang), args.out, lang)
        return EXIT_OK
    if args.format == "pdf":
        target = _binary_out(args, "pdf")
        write_output(print_pdf(warnings_html(table, lang), lang), target, lang)
        return EXIT_OK
    text = warnings_html(table, lang) if args.format == "html" else warnings_text(table, lang)
    _write(text, args.out, out, lang)
    return EXIT_OK


def _diff(args: argparse.Namespace, lang: Lang, out: TextIO) -> int:
    from compiler.diff import diff_rule_sets  # only this command compares rule sets
    from runtime.render.diff import to_json as diff_json
    from runtime.render.diff import to_text as diff_text

    old, new = _compiled(args.old, generate=False), _compiled(args.new, generate=False)
    changes = diff_rule_sets(old.ruleset, new.ruleset, old.programs, new.programs)
    if args.format == "json":
        out.write(diff_json(changes, args.old, args.new))
    else:
        out.write(diff_text(changes, args.old, args.new, lang))
    return EXIT_OK


def _revisions(args: argparse.Namespace, lang: Lang, out: TextIO) -> int:
    """The revision log; ``PATH#DATE`` lists the revisions in force by that date,
    their changes still computed from the whole year's effective dates."""
    from runtime.render.revisions import to_json as revisions_json
    from runtime.render.revisions import to_text as revisions_text
    from runtime.tools.revisions import revision_log

    source, spec = _source(args.rules)
    result = check(source, None)
    if not result.ok:
        raise UserError(result.diagnostics)
    log = revision_log(result.programs, spec.as_of)
    as_of = spec.as_of.isoformat() if spec.as_of else None
    if args.format == "json":
        out.write(revisions_json(log, as_of))
    else:
        out.write(revisions_text(log, lang, as_of))
    return EXIT_OK


def _explain(args: argparse.Namespace, lang: Lang, out: TextIO) -> int:
    result = _compiled(args.rules)
    assert "section" in result.programs
    periods = _periods(args.period, result.programs["section"]) if args.period else None
    label = period_label(args.period) if args.period else None
    evaluation = evaluate_rules(result, args.data, periods, label)
    text = explain_subject(result, evaluation, args.subject, args.indicator, lang)
    out.write(text)
    return EXIT_OK


def _periods(text: str, program: ir.Program) -> list[Period]:
    """The periods ``--period`` names, for rules that assess quarters or
    (``period: year``) years, within the years the rules cover."""
    try:
        periods = parse_periods(text, program.annual)
    except PeriodError as error:
        code = "E0812.months" if error.months else "E0535" if error.annual else "E0812"
        raise _UsageError(render_message(code, _LANG.get(), {"text": text.strip()})) from None
    outside = [p for p in periods if not program.covers(p.year)]
    if outside:
        year = program.years_text()
        raise UserError(
            [Diagnostic("E0811", {"period": outside[0], "year": year}, None, location=text)]
        )
    return periods


def _main_entry() -> None:  # pragma: no cover - console script shim
    raise SystemExit(main())


if __name__ == "__main__":  # pragma: no cover
    _main_entry()
