"""The office's pages beyond results: the dry-run of a rule change, and the
rules (the indicators in force on a date, the revisions, a diff of two
versions, the working copy's findings, polled so they follow the files).

Office and leadership only (a liaison gets 403, recorded): a dry-run shows
every section's results under both versions, and reading it changes
nothing, so leadership may run one too.  The report is the one
``jixiao dry-run --format html`` writes, shown inside the workbench's page
(its own styles kept), with the downloads the CLI writes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from functools import cache
from typing import get_args
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from compiler import ir
from compiler.diff import Change, diff_rule_sets
from compiler.passes.state import Kind
from dsl.diagnostics import Diagnostic, UserError
from dsl.gitsource import parse_spec
from dsl.messages import text
from dsl.schema import Cadence
from runtime.render.diff import to_text as diff_text
from runtime.render.dryrun import to_csv as dryrun_csv
from runtime.render.dryrun import to_json as dryrun_json
from runtime.render.dryrun import to_xlsx as dryrun_xlsx
from runtime.render.dryrun_html import render as dryrun_html
from runtime.render.revisions import to_text as revisions_text
from runtime.tools.dryrun import DryRun
from runtime.tools.revisions import RevisionLog, revision_log
from runtime.web.pages import Bench, User, attachment, page, problems
from runtime.web.security import NotFound, audit, require_role
from runtime.web.trials import KINDS, Version
from runtime.web.workbench import Workbench

router = APIRouter(include_in_schema=False)
READERS = ("office", "leader")
_STYLE = re.compile(r"<style>(.*?)</style>", re.S)
_BODY = re.compile(r"<body[^>]*>(.*)</body>", re.S)


def _asked(query: Mapping[str, str]) -> tuple[Version, Version, str] | None:
    if "periods" not in query:
        return None
    baseline = Version(query.get("b_kind", "revision"), query.get("b_value", ""))
    candidate = Version(query.get("c_kind", "working"), query.get("c_value", ""))
    return baseline, candidate, query.get("periods", "")


@router.get("/dry-run")
def dry_run_page(request: Request, bench: Bench, user: User) -> HTMLResponse:
    require_role(request, bench, user, *READERS)
    asked = _asked(request.query_params)
    report, style, failure = "", "", ""
    try:
        found = dry_run(bench, request.query_params)
    except UserError as error:
        found, failure = None, problems(bench, error)
    if found is not None:
        html = dryrun_html(found, bench.config.lang)
        body, styles = _BODY.search(html), _STYLE.findall(html)
        report = body.group(1) if body else html
        # The report's page rules apply to the report, not the workbench's page.
        style = "\n".join(styles).replace("body {", "#report {")
        audit(request, bench, user.name, "dry_run", versions=[found.baseline, found.candidate])
    query = urlencode(dict(request.query_params)) if asked else ""
    default = str(bench.default_period())
    form = {
        "b_kind": asked[0].kind if asked else "revision", "b_value": asked[0].value if asked else "HEAD",
        "c_kind": asked[1].kind if asked else "working", "c_value": asked[1].value if asked else "",
        "periods": asked[2] if asked else default,
    }  # fmt: skip
    return page(
        request, bench, "dry_run.html", user, 409 if failure else 200, kinds=KINDS, form=form,
        report=report, report_style=style, failure=failure, query=query,
    )  # fmt: skip


@router.get("/dry-run/report.{fmt}")
def dry_run_download(request: Request, bench: Bench, user: User, fmt: str) -> Response:
    require_role(request, bench, user, *READERS)
    if fmt not in ("html", "xlsx", "csv", "json", "pdf"):
        raise NotFound()
    found = dry_run(bench, request.query_params)
    if found is None:
        raise NotFound()
    lang = bench.config.lang
    audit(request, bench, user.name, "download", what="dry-run", format=fmt)
    if fmt == "xlsx":
        body: bytes = dryrun_xlsx(found, lang)
        media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    elif fmt == "csv":
        body, media = dryrun_csv(found, lang).encode("utf-8-sig"), "text/csv; charset=utf-8"
    elif fmt == "json":
        body, media = dryrun_json(found).encode("utf-8"), "application/json"
    elif fmt == "pdf":
        from runtime.render.pdf import print_pdf

        body, media = print_pdf(dryrun_html(found, lang), lang), "application/pdf"
    else:
        body, media = dryrun_html(found, lang).encode("utf-8"), "text/html; charset=utf-8"
    return Response(body, media_type=media, headers=attachment(f"dry-run.{fmt}"))


@router.get("/rules")
def rules_page(request: Request, bench: Bench, user: User) -> HTMLResponse:
    """The indicators in force on ``date`` (the working copy's, else the
    whole year's), the revision log, and the diff of two versions."""
    require_role(request, bench, user, *READERS)
    query = request.query_params
    lang = bench.config.lang
    when, failure, programs, log, diff = query.get("date", "").strip(), "", [], "", ""
    try:
        found, revisions = in_force(bench, when)
        programs = list(found.items())
        log = revisions_text(revisions, lang, when or None)
        if "o_kind" in query:
            changes, old, new = rules_diff(bench, query)
            diff = diff_text(changes, old, new, lang)
    except UserError as error:
        failure = problems(bench, error)
    form = {
        "date": when, "o_kind": query.get("o_kind", "revision"),
        "o_value": query.get("o_value", "HEAD"), "n_kind": query.get("n_kind", "working"),
        "n_value": query.get("n_value", ""),
    }  # fmt: skip
    return page(
        request, bench, "rules.html", user, 409 if failure else 200, kinds=KINDS, form=form,
        programs=programs, log=log, diff=diff, failure=failure, cadences=cadence_words(lang),
    )  # fmt: skip


@cache
def cadence_words(lang: str) -> dict[str, str]:
    """Each cadence as the page's language says it (季度, 月度, 半年, 年度),
    not as the rule file's key (``quarterly``): the words the forms and the
    warnings use."""
    return {cadence: text(f"warn.cadence.{cadence}", lang) for cadence in get_args(Cadence)}


@router.get("/rules/findings")
def findings_fragment(request: Request, bench: Bench, user: User) -> HTMLResponse:
    """The working copy's ``check``/``verify`` findings (computed again only
    when a rule file changed): the rules page polls this."""
    require_role(request, bench, user, *READERS)
    found = bench.watch.findings(bench.config.lang)
    return page(request, bench, "rules_findings.html", user, found=found)


def in_force(bench: Workbench, when: str) -> tuple[dict[Kind, ir.Program], RevisionLog]:
    """The programs in force on ``when`` (an ISO day; "" for the working
    copy's whole year) and the revision log as of that day (E1110: not a day)."""
    path = parse_spec(bench.config.rules).path
    as_of = _day(when) if when else None
    found = bench.trials.compiled(f"{path}#{when}" if as_of else path)
    whole = bench.trials.compiled(path)
    return dict(found.programs), revision_log(whole.programs, as_of)


def rules_diff(bench: Workbench, query: Mapping[str, str]) -> tuple[list[Change], str, str]:
    """The changes from the version ``o_kind``/``o_value`` to ``n_kind``/
    ``n_value`` (each the working copy, a revision or a date: E1110 for
    anything else), with the two specs compared."""
    old = Version(query.get("o_kind", ""), query.get("o_value", "")).spec(bench.config.rules)
    new = Version(query.get("n_kind", ""), query.get("n_value", "")).spec(bench.config.rules)
    before, after = bench.trials.compiled(old), bench.trials.compiled(new)
    changes = diff_rule_sets(before.ruleset, after.ruleset, before.programs, after.programs)
    return changes, old, new


def dry_run(bench: Workbench, query: Mapping[str, str]) -> DryRun | None:
    """The dry-run the query asks for (``b_kind``/``b_value``, ``c_kind``/
    ``c_value``, ``periods``), None when it names no periods."""
    asked = _asked(query)
    if asked is None:
        return None
    with bench.store() as store:
        return bench.trials.run(*asked, store)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        where = f"date:{text}"
        raise UserError([Diagnostic("E1110", {"kind": "date", "value": text}, None,
                                    location=where, help=("E1110.help", {}))]) from None  # fmt: skip
