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
import sqlite3
import sys
import traceback
from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TextIO

from compiler.diff import diff_programs
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
from dsl.ruleset import RuleSource
from dsl.ruletests import TESTS_FOLDER
from dsl.schema import json_schema
from runtime.engine.run import Evaluation, evaluate_rules
from runtime.inputs.periods import Period, PeriodError, parse_periods
from runtime.render.bulletin import render as render_bulletin
from runtime.render.check import summary as check_summary
from runtime.render.diff import to_json as diff_json
from runtime.render.diff import to_text as diff_text
from runtime.render.dryrun import to_csv as dryrun_csv
from runtime.render.dryrun import to_json as dryrun_json
from runtime.render.dryrun import to_text as dryrun_text
from runtime.render.dryrun import to_xlsx as dryrun_xlsx
from runtime.render.dryrun_html import render as dryrun_html
from runtime.render.early_warnings import to_html as warnings_html
from runtime.render.early_warnings import to_text as warnings_text
from runtime.render.early_warnings import to_xlsx as warnings_xlsx
from runtime.render.files import OutputError, write_output
from runtime.render.results import to_csv, to_json, to_table, to_xlsx
from runtime.render.rule_tests import run_json, run_text, under
from runtime.render.runs import to_text as runs_text
from runtime.render.status import to_json as status_json
from runtime.render.status import to_text as status_text
from runtime.render.verify import to_text as verify_text
from runtime.store import Store, StoreError, rules_commit
from runtime.tools.bulletin import bulletin_for
from runtime.tools.dryrun import compare, explain_difference, published_results
from runtime.tools.early_warnings import month_warnings
from runtime.tools.explain import explain_subject
from runtime.tools.rule_test_suite import load_and_run
from runtime.tools.runs import evaluate_with_history, record_run, verify_store
from runtime.tools.status import period_status
from runtime.tools.submissions import evaluate_submissions, submit
from runtime.tools.verify import run_verify

EXIT_OK, EXIT_USER, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 101
DEFAULT_STORE = ".jixiao/results.sqlite"


class _Parser(argparse.ArgumentParser):
    """argparse that raises instead of exiting, so ``main`` returns a code."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise _UsageError(message)


class _UsageError(Exception):
    pass


def _parser() -> argparse.ArgumentParser:
    common = _Parser(add_help=False)
    common.add_argument(
        "--lang", choices=("zh", "en"), help="message language (default: from the locale)"
    )
    common.add_argument(
        "--output-format",
        choices=("full", "concise", "json"),
        default="full",
        help="how problems are shown (default: full)",
    )
    parser = _Parser(
        prog="jixiao", description="Rules language for performance management (绩效管理)."
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    p = sub.add_parser("check", parents=[common], help="check a rule set and report every problem")
    p.add_argument("rules")

    stages = [stage.name for stage in STAGES]
    shown = f"{', '.join(stages[:-1])} or {stages[-1]}"
    p = sub.add_parser("compile", parents=[common], help=f"show a compiler stage: {shown}")
    p.add_argument("rules")
    p.add_argument("--emit", choices=stages, default=stages[-1])
    p.add_argument("--out", help="write to this file instead of standard output")

    sub.add_parser("schema", parents=[common], help="print the JSON Schema of rule files")

    p = sub.add_parser("evaluate", parents=[common], help="evaluate rules on period data")
    p.add_argument("rules")
    p.add_argument("--data", help="data folder (CSV tables) or file")
    p.add_argument(
        "--from-submissions", action="store_true",
        help="read the latest accepted submissions in --store instead of --data (needs --period)",
    )  # fmt: skip
    p.add_argument("--period", help="period to evaluate, e.g. 2016Q3 (default: the latest)")
    p.add_argument("--format", choices=("table", "json", "csv", "xlsx"), default="table")
    p.add_argument("--out", help="write to this file instead of standard output")
    p.add_argument(
        "--store", help=f"record the run in this results store (default {DEFAULT_STORE})"
    )
    p.add_argument(
        "--publish", action="store_true",
        help="record the run as published: it can never be changed or deleted",
    )  # fmt: skip

    p = sub.add_parser("diff", parents=[common], help="what a revision of the rules changes")
    p.add_argument("old", help="rules: PATH, PATH@REVISION, PATH#YYYY-MM-DD")
    p.add_argument("new")
    p.add_argument("--format", choices=("text", "json"), default="text")

    p = sub.add_parser(
        "dry-run", parents=[common], help="a candidate rule set against the baseline on past data"
    )
    p.add_argument("--baseline", required=True, help="rules in force: PATH, PATH@REV, PATH#DATE")
    p.add_argument("--candidate", required=True, help="the revision to try")
    p.add_argument("--data", required=True, help="data folder (CSV/XLSX tables) or file")
    p.add_argument("--periods", required=True, help="2016Q1, 2016Q1..2016Q3 or 2016")
    p.add_argument("--format", choices=("text", "json", "csv", "html", "xlsx"), default="text")
    p.add_argument("--out", help="write to this file instead of standard output")
    p.add_argument("--store", help="compare with the published results in this store (read only)")
    p.add_argument("--explain", metavar="SUBJECT", help="show how SUBJECT's derivation changes")

    p = sub.add_parser("warn", parents=[common], help="the month's indicator early-warning tables")
    p.add_argument("rules")
    p.add_argument("--date", required=True, help="a day of the month, e.g. 2016-09-01")
    p.add_argument("--format", choices=("text", "html", "xlsx"), default="text")
    p.add_argument("--out", help="write to this file instead of standard output")

    p = sub.add_parser("report", parents=[common], help="reports: the quarterly bulletin")
    p.add_argument("kind", choices=("bulletin",))
    p.add_argument("rules")
    p.add_argument("--data", required=True, help="data folder (CSV/XLSX tables) or file")
    p.add_argument("--period", required=True, help="2016Q3, 2016Q1..2016Q3 or 2016")
    p.add_argument("--format", choices=("markdown", "html"), default="markdown")
    p.add_argument("--out", help="write to this file instead of standard output")

    p = sub.add_parser("verify", parents=[common], help="prove what can be proven about the rules")
    p.add_argument("rules")
    p.add_argument(
        "--examples", type=_count, default=100, help="generated cases per property (at least 1)"
    )

    p = sub.add_parser("test", parents=[common], help="run the rule tests beside the rules")
    p.add_argument("rules")
    p.add_argument("files", nargs="*", help="test files (default: every tests/*.yaml of RULES)")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument(
        "--fail-under", type=_percent, metavar="PERCENT",
        help="fail when the coverage of bands, quotas, branches, levels, caps, vetoes and links is lower",
    )  # fmt: skip

    p = sub.add_parser("runs", parents=[common], help="list (or delete) recorded runs")
    p.add_argument(
        "--store", default=DEFAULT_STORE, help=f"results store (default {DEFAULT_STORE})"
    )
    p.add_argument("--delete", type=int, metavar="RUN", help="delete an unpublished run")
    p.add_argument(
        "--verify",
        action="store_true",
        help="recompute every published run's digests and report any mismatch",
    )

    p = sub.add_parser("explain", parents=[common], help="how a subject's result was derived")
    p.add_argument("rules")
    p.add_argument("--data", required=True, help="data folder (CSV tables) or file")
    p.add_argument("--period", help="period, e.g. 2016Q3 or 2016Q1..2016Q3 (default: the latest)")
    p.add_argument("--subject", required=True, help="section or person: id or name")
    p.add_argument("--indicator", help="explain only this indicator (id)")

    p = sub.add_parser("submit", parents=[common], help="record an assessing section's submission")
    p.add_argument("rules")
    p.add_argument("--store", required=True, help="results store to record the submission in")
    p.add_argument("--period", required=True, help="the quarter submitted for, e.g. 2016Q3")
    p.add_argument("--assessor", required=True, help="the assessing section (考评科室)")
    p.add_argument("--file", required=True, help="the submitted file (CSV or XLSX)")
    p.add_argument("--at", help="when it was submitted, YYYY-MM-DDTHH:MM UTC (default: now)")
    p.add_argument("--by", help="who submitted it")

    p = sub.add_parser("status", parents=[common], help="what each assessing section has sent in")
    p.add_argument("rules")
    p.add_argument("--store", required=True, help="results store holding the submissions")
    p.add_argument("--period", required=True, help="the quarter, e.g. 2016Q3")
    p.add_argument("--date", help="the status as it stood on this day, e.g. 2016-10-08")
    p.add_argument("--format", choices=("text", "json"), default="text")
    return parser


def main(
    argv: Sequence[str] | None = None, stdout: TextIO | None = None, stderr: TextIO | None = None
) -> int:
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    args_list = list(sys.argv[1:] if argv is None else argv)
    try:
        args = _parser().parse_args(args_list)
    except _UsageError as error:
        err.write(f"jixiao: {error}\n{_parser().format_usage()}")
        return EXIT_USAGE
    except SystemExit as exit_:  # --help
        return int(exit_.code or 0)
    lang: Lang = args.lang or detect_lang()
    fmt: OutputFormat = args.output_format
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
        return _warn(args, lang, out)
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
    raise _UsageError(f"unknown command {args.command}")


def _evaluate(args: argparse.Namespace, lang: Lang, out: TextIO, err: TextIO) -> int:
    if args.from_submissions:
        if args.data:
            raise _UsageError("--from-submissions reads the store: leave out --data")
        if not args.period:
            raise _UsageError("--from-submissions needs --period, e.g. --period 2016Q3")
        if args.publish:
            raise _UsageError("a run evaluated from submissions cannot be published yet")
    elif not args.data:
        raise _UsageError("name the data with --data FOLDER (or use --from-submissions)")
    result = _compiled(args.rules)
    assert "section" in result.programs
    periods = _periods(args.period, result.programs["section"].year) if args.period else None
    label = args.period.strip() if args.period else None
    if args.from_submissions:
        assert periods is not None
        evaluation = _from_submissions(args, result, periods, label)
    else:
        store = _open_store(args.store or (DEFAULT_STORE if Path(DEFAULT_STORE).exists() else None))
        try:
            evaluation = evaluate_with_history(result, args.data, periods, label, store)
        finally:
            if store is not None:
                store.close()
    if evaluation.warnings:
        err.write(render_all(evaluation.warnings, lang, args.output_format) + "\n")
    document = to_json(
        result.programs["section"], result.programs.get("person"), evaluation.label, evaluation.digest,
        evaluation.sections, evaluation.people,
    )  # fmt: skip
    if (args.store or args.publish) and not args.from_submissions:
        _record(args, json.loads(document))
    if args.format == "xlsx":
        if not args.out:
            raise _UsageError("--format xlsx writes a workbook: name it with --out FILE.xlsx")
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
        text = document
    elif args.format == "csv":
        text = to_csv(
            result.programs["section"],
            result.programs.get("person"),
            evaluation.sections,
            evaluation.people,
        )
    else:
        text = to_table(result.programs["section"], evaluation.label, evaluation.sections, lang)
        if "person" in result.programs and evaluation.people:
            text += "\n" + to_table(
                result.programs["person"], evaluation.label, evaluation.people, lang
            )
    _write(text, args.out, out, lang)
    return EXIT_OK


def _from_submissions(
    args: argparse.Namespace, result: Compilation, periods: list[Period], label: str | None
) -> Evaluation:
    """``evaluate --from-submissions``: the latest accepted submissions of one quarter."""
    if len(periods) != 1:
        raise _UsageError("--from-submissions evaluates one quarter, e.g. --period 2016Q3")
    store = _submissions_store(args.store or DEFAULT_STORE, periods[0])
    try:
        return evaluate_submissions(result, store, periods[0], label)
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
    periods = _periods(args.period, result.programs["section"].year)
    if len(periods) != 1:
        raise _UsageError(f"--period {args.period}: name one quarter, e.g. 2016Q3")
    return periods[0]


def _submit(args: argparse.Namespace, lang: Lang, out: TextIO, err: TextIO) -> int:
    if args.at is None:
        at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M")
    else:
        try:
            at = datetime.strptime(args.at.strip(), "%Y-%m-%dT%H:%M").strftime("%Y-%m-%dT%H:%M")
        except ValueError:
            raise _UsageError(f"--at {args.at}: write a time such as 2016-10-03T09:30") from None
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
    day = None
    if args.date is not None:
        try:
            day = date.fromisoformat(args.date)
        except ValueError:
            raise _UsageError(f"--date {args.date}: write a date such as 2016-10-08") from None
    store = _submissions_store(args.store, period)
    try:
        status = period_status(result, store, period, day)
    finally:
        store.close()
    out.write(status_json(status) if args.format == "json" else status_text(status, lang))
    return EXIT_OK


def _open_store(path: str | None, read_only: bool = False) -> Store | None:
    if path is None:
        return None
    try:
        return Store(path, read_only)
    except sqlite3.Error as error:
        raise _UsageError(f"cannot open the results store {path}: {error}") from None
    except StoreError as error:
        raise UserError([Diagnostic(error.code, error.args_, None, location=path)]) from None


def _record(args: argparse.Namespace, document: dict[str, object]) -> None:
    """Record the run in the results store; publishing an already published period is refused."""
    path = args.store or DEFAULT_STORE
    try:
        store = Store(path)
    except sqlite3.Error as error:
        raise _UsageError(f"cannot open the results store {path}: {error}") from None
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
        raise _UsageError(f"cannot open the results store {args.store}: {error}") from None
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


def _dry_run(args: argparse.Namespace, lang: Lang, out: TextIO, err: TextIO) -> int:
    # Past periods may lack data a revision needs: such indicators stay unscored.
    baseline = _compiled(args.baseline, every_context=True)
    candidate = _compiled(args.candidate, every_context=True)
    assert "section" in baseline.programs
    periods = _periods(args.periods, baseline.programs["section"].year)
    published = None
    if args.store:
        store = _open_store(args.store, read_only=True)
        assert store is not None
        try:
            published = published_results(store, baseline.programs["section"].scheme, periods)
        finally:
            store.close()

    def bar(done: int, total: int, label: str) -> None:
        filled = "█" * (20 * done // total) + "·" * (20 - 20 * done // total)
        err.write(f"\rdry-run [{filled}] {done}/{total} {label}")
        if done == total:
            err.write("\n")

    run = compare(
        baseline, candidate, args.data, periods, (args.baseline, args.candidate),
        published, bar if err.isatty() else None,
    )  # fmt: skip
    if args.format == "xlsx":
        if not args.out:
            raise _UsageError("--format xlsx writes a workbook: name it with --out FILE.xlsx")
        write_output(dryrun_xlsx(run), args.out, lang)
        return EXIT_OK
    if args.format == "json":
        text = dryrun_json(run)
    elif args.format == "csv":
        text = dryrun_csv(run)
    elif args.format == "html":
        text = dryrun_html(run, lang)
    else:
        text = dryrun_text(run, lang)
    if args.explain:
        text += explain_difference(run, args.explain, baseline, candidate, lang)
    _write(text, args.out, out, lang)
    return EXIT_OK


def _report(args: argparse.Namespace, lang: Lang, out: TextIO) -> int:
    result = _compiled(args.rules)
    assert "section" in result.programs
    periods = _periods(args.period, result.programs["section"].year)
    bulletin = bulletin_for(result, args.data, periods, args.period.strip())
    _write(render_bulletin(bulletin, args.format), args.out, out, lang)
    return EXIT_OK


def _verify(
    args: argparse.Namespace, lang: Lang, fmt: OutputFormat, out: TextIO, err: TextIO
) -> int:
    report = run_verify(_compiled(args.rules), args.examples)
    out.write(verify_text(report, lang))
    if report.findings:
        err.write(render_all(report.findings, lang, fmt) + "\n")
    return EXIT_USER if report.failed else EXIT_OK


def _count(text: str) -> int:
    """A number of generated cases: a whole number, at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {text}")
    return value


def _percent(text: str) -> Decimal:
    """A coverage threshold: 0 to 100."""
    try:
        value = Decimal(text.strip().removesuffix("%"))
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"not a percentage: {text}") from None
    if not value.is_finite() or not 0 <= value <= 100:
        raise argparse.ArgumentTypeError(f"not between 0 and 100: {text}")
    return value


def _test(args: argparse.Namespace, lang: Lang, fmt: OutputFormat, out: TextIO) -> int:
    """Rule tests: every problem in the test files is reported before anything
    runs; then each case passes or fails, and coverage is checked."""
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
    outside = _UsageError(f"{name}: a test file must be in the rule set's {TESTS_FOLDER}/ folder")
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


def _warn(args: argparse.Namespace, lang: Lang, out: TextIO) -> int:
    result = _compiled(args.rules, generate=False)
    assert "section" in result.programs
    try:
        day = date.fromisoformat(args.date)
    except ValueError:
        raise _UsageError(f"--date {args.date}: write a date such as 2016-09-01") from None
    table = month_warnings(
        result.programs["section"], result.programs.get("person"), day, args.rules, args.date
    )
    if args.format == "xlsx":
        if not args.out:
            raise _UsageError("--format xlsx writes a workbook: name it with --out FILE.xlsx")
        write_output(warnings_xlsx(table, lang), args.out, lang)
        return EXIT_OK
    text = warnings_html(table, lang) if args.format == "html" else warnings_text(table, lang)
    _write(text, args.out, out, lang)
    return EXIT_OK


def _diff(args: argparse.Namespace, lang: Lang, out: TextIO) -> int:
    old, new = _compiled(args.old, generate=False), _compiled(args.new, generate=False)
    changes = diff_programs(
        old.programs["section"], new.programs["section"], "section"
    ) + diff_programs(old.programs.get("person"), new.programs.get("person"), "person")
    if args.format == "json":
        out.write(diff_json(changes, args.old, args.new))
    else:
        out.write(diff_text(changes, args.old, args.new, lang))
    return EXIT_OK


def _explain(args: argparse.Namespace, lang: Lang, out: TextIO) -> int:
    result = _compiled(args.rules)
    assert "section" in result.programs
    periods = _periods(args.period, result.programs["section"].year) if args.period else None
    label = args.period.strip() if args.period else None
    evaluation = evaluate_rules(result, args.data, periods, label)
    text = explain_subject(result, evaluation, args.subject, args.indicator, lang)
    out.write(text)
    return EXIT_OK


def _periods(text: str, year: int) -> list[Period]:
    try:
        periods = parse_periods(text)
    except PeriodError:
        raise _UsageError(render_message("E0812", "en", {"text": text})) from None
    outside = [p for p in periods if p.year != year]
    if outside:
        raise UserError(
            [Diagnostic("E0811", {"period": outside[0], "year": year}, None, location=text)]
        )
    return periods


def _main_entry() -> None:  # pragma: no cover - console script shim
    raise SystemExit(main())


if __name__ == "__main__":  # pragma: no cover
    _main_entry()
