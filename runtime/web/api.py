"""The JSON API under ``/api``: evaluate, explain, what-if, status, submit,
publish; dry-runs and the rules (in force on a date, revisions, diff,
findings).

For another system (an HR or OA system) to call: it logs in with
``POST /api/login`` (a JSON body, so no other site's form can post it),
keeps the session cookie and sends the returned CSRF token as
``X-CSRF-Token`` with every POST.  The roles are the pages' roles, checked by
the same functions; results are the JSON ``jixiao evaluate --format json``
prints, filtered to what the account may see.  The OpenAPI description is
at ``/api/openapi.json`` (for signed-in accounts, like everything else).
"""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, UploadFile
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from dsl.diagnostics import Diagnostic, UserError, to_json_object
from runtime.render.diff import to_json as diff_json
from runtime.render.dryrun import to_json as dryrun_json
from runtime.render.results import subject_json
from runtime.render.revisions import to_json as revisions_json
from runtime.render.status import to_json as status_json
from runtime.store import Submission
from runtime.tools.explain import Node
from runtime.web import office
from runtime.web.accounts import log_in, now
from runtime.web.asked import subject_asked
from runtime.web.pages import Bench, User, the_period
from runtime.web.security import (
    address,
    audit,
    check_csrf,
    refuse,
    require_role,
    start_session,
)
from runtime.web.workbench import MAX_UPLOAD, Workbench, occurrences

router = APIRouter(prefix="/api", tags=["jixiao"])


class Credentials(BaseModel):
    name: str
    password: str


class Session(BaseModel):
    name: str
    role: str
    section: str | None
    csrf: str


def problems_response(bench: Workbench, error: UserError, status: int) -> JSONResponse:
    lang = bench.config.lang
    return JSONResponse(
        {"problems": [to_json_object(d, lang) for d in error.diagnostics]}, status_code=status
    )


@router.post("/login", response_model=Session)
def login(request: Request, bench: Bench, credentials: Credentials) -> JSONResponse:
    """Sign in; the response sets the session cookie and gives the CSRF token."""
    with bench.store() as store:
        outcome = log_in(store, credentials.name, credentials.password, address(request))
    if outcome.account is None:
        status = 429 if outcome.throttled else 401
        return JSONResponse({"detail": "throttled" if outcome.throttled else "refused"}, status)
    token = start_session(request, outcome.account)
    found = outcome.account
    return JSONResponse(
        {"name": found.name, "role": found.role, "section": found.section, "csrf": token}
    )


@router.post("/logout", dependencies=[Depends(check_csrf)])
def logout(request: Request, bench: Bench, user: User) -> dict[str, bool]:
    audit(request, bench, user.name, "logout")
    request.session.clear()
    return {"ok": True}


@router.get("/periods/{period}/results")
def results(request: Request, bench: Bench, user: User, period: str) -> JSONResponse:
    """The period's results as ``jixiao evaluate --format json`` (filtered to
    the account's section for a liaison)."""
    chosen = the_period(request, bench, user, period)
    try:
        document = dict(bench.period_document(chosen))
    except UserError as error:
        return problems_response(bench, error, 409)
    subjects = document.get("subjects")
    assert isinstance(subjects, list)
    document["subjects"] = [s for s in subjects if bench.may_see(user, str(s["id"]))]
    published = bench.published(chosen)
    document["published_run"] = published.id if published else None
    return JSONResponse(document)


def _tree(node: Node) -> dict[str, object]:
    text, children = node
    return {"text": text, "children": [_tree(child) for child in children]}


@router.get("/periods/{period}/subjects/{subject}/explanation")
def explanation(
    request: Request,
    bench: Bench,
    user: User,
    period: str,
    subject: str,
    indicator: str | None = None,
) -> JSONResponse:
    """A subject's derivation as a tree of ``{text, children}``."""
    asked = subject_asked(request, bench, user, period, subject)
    if indicator is not None and indicator not in {i.id for i in asked.program.indicators}:
        return JSONResponse({"detail": "no such indicator"}, 404)
    node = bench.explanation(asked.evaluation, subject, indicator, bench.config.lang)
    return JSONResponse(_tree(node))


@router.get("/periods/{period}/subjects/{subject}/what-if")
def what_if(
    request: Request,
    bench: Bench,
    user: User,
    period: str,
    subject: str,
    cells: Annotated[list[str] | None, Query(alias="set")] = None,
    add: Annotated[list[str] | None, Query()] = None,
    remove: Annotated[list[str] | None, Query()] = None,
    full: bool = False,
) -> JSONResponse:
    """The period evaluated again with the subject's cells changed
    (``set=COLUMN=VALUE``, repeated; cells as a data file holds them): the
    subject ``before`` and ``after`` as ``evaluate --format json`` writes a
    subject, and ``ranks``, every visible subject whose rank or grade the
    change moves; with ``full=true`` also ``results``, the whole document
    as ``evaluate --format json`` on the changed data (filtered for a
    liaison).  ``add=ITEM`` or ``add=ITEM:COUNT`` (repeated) adds an
    occurrence of an item on the period's last day (``ITEM:COUNT:DURATION``
    for a veto item whose duration each event gives: its cell, as the
    data's column holds it; E1150 without), ``remove=FILE:ROW``
    removes one of the subject's (as its ``events[].source`` names it).
    Nothing is written."""
    asked = subject_asked(request, bench, user, period, subject)
    chosen, evaluation, program, now_ = asked.period, asked.evaluation, asked.program, asked.result
    changes = dict(item.split("=", 1) for item in cells or [] if "=" in item)
    try:
        changed = bench.what_if(chosen, subject, changes, occurrences(add), set(remove or []))
        _, then = bench.find(changed, subject)
    except UserError as error:
        return problems_response(bench, error, 422)
    was = {r.id: (r.rank, r.grade) for r in (*evaluation.sections, *evaluation.people)}
    moved = [
        {"id": r.id, "rank": r.rank, "grade": r.grade, "was_rank": was[r.id][0],
         "was_grade": was[r.id][1]}
        for r in (*changed.sections, *changed.people)
        if r.id in was and was[r.id] != (r.rank, r.grade) and bench.may_see(user, r.id)
    ]  # fmt: skip
    # The subject as the period stands, written once per evaluation (every
    # what-if on it starts from the same).
    before = bench.remember(
        ("subject-json", id(evaluation), subject), evaluation, lambda: subject_json(now_, program)
    )
    found: dict[str, object] = {
        "changes": changes, "before": before, "after": subject_json(then, program),
        "ranks": moved,
    }  # fmt: skip
    if full:
        document = bench.document(changed)
        subjects = document.get("subjects")
        assert isinstance(subjects, list)
        found["results"] = {
            **document,
            "subjects": [s for s in subjects if bench.may_see(user, str(s["id"]))],
        }
    return JSONResponse(found)


@router.get("/periods/{period}/status")
def status(request: Request, bench: Bench, user: User, period: str) -> JSONResponse:
    """What each assessing section has sent in and still owes (a liaison: theirs)."""
    chosen = the_period(request, bench, user, period)
    document = json.loads(status_json(bench.status(chosen)))
    mine = bench.assessor_of(user) if user.role == "liaison" else None
    if user.role == "liaison":
        document["lines"] = [line for line in document["lines"] if line["assessor"] == mine]
    return JSONResponse(document)


def _submission(found: Submission) -> dict[str, object]:
    return {
        "id": found.id, "period": found.period, "assessor": found.assessor,
        "submitted_at": found.submitted_at, "submitted_by": found.submitted_by,
        "file_name": found.file_name, "digest": found.digest,
        "indicators": list(found.indicators), "subjects": list(found.subjects),
    }  # fmt: skip


@router.post("/periods/{period}/submissions", dependencies=[Depends(check_csrf)])
async def submit(
    request: Request, bench: Bench, user: User, period: str, assessor: str, file: UploadFile
) -> JSONResponse:
    """Upload a filled-in form (XLSX) or CSV as ``assessor``'s submission;
    422 with located problems when it is refused (nothing recorded)."""
    chosen = the_period(request, bench, user, period)
    if not bench.may_submit_for(user, assessor) or assessor not in bench.assessors:
        raise refuse(request, bench, user, "submit")
    if bench.published(chosen) is not None:
        return JSONResponse({"detail": "published"}, 409)
    content = await file.read(MAX_UPLOAD + 1)
    name = file.filename or ""
    if len(content) > MAX_UPLOAD:
        error = UserError([Diagnostic("E1107", {"limit": "10 MB"}, None, location=name)])
        return problems_response(bench, error, 413)
    try:
        found, warnings = bench.submit(chosen, assessor, name, content, now()[:16], user.name)
    except UserError as error:
        audit(request, bench, user.name, "upload_refused", period=str(chosen), assessor=assessor)
        return problems_response(bench, error, 422)
    audit(
        request, bench, user.name, "upload", period=str(chosen), assessor=assessor,
        submission=found.id, file=found.file_name, digest=found.digest,
    )  # fmt: skip
    lang = bench.config.lang
    return JSONResponse(
        {"submission": _submission(found), "warnings": [to_json_object(w, lang) for w in warnings]}
    )


@router.get("/submissions/{ident}")
def submission(request: Request, bench: Bench, user: User, ident: int) -> JSONResponse:
    """One submission: who sent what, when, and its tables."""
    found = bench.submission(ident)
    if found is None or not bench.may_read_submission(user, found):
        raise refuse(request, bench, user, "submission")
    tables = [
        {"table": shown, "header": header, "rows": [{"row": n, "cells": c} for n, c in rows]}
        for shown, header, rows in bench.submission_tables(found)
    ]
    return JSONResponse({**_submission(found), "tables": tables})


@router.post("/periods/{period}/publish", dependencies=[Depends(check_csrf)])
def publish(request: Request, bench: Bench, user: User, period: str) -> JSONResponse:
    """Publish the period's results (office only); published runs are immutable."""
    chosen = the_period(request, bench, user, period)
    require_role(request, bench, user, "office")
    try:
        run = bench.publish(chosen)
    except UserError as error:
        audit(request, bench, user.name, "publish_refused", period=str(chosen))
        return problems_response(bench, error, 409)
    audit(request, bench, user.name, "publish", period=str(chosen), run=run)
    return JSONResponse({"run": run, "period": str(chosen)})


# -- the office's operations: dry-runs and the rules (office and leadership) ----


@router.get("/dry-run")
def dry_run(
    request: Request,
    bench: Bench,
    user: User,
    periods: str,
    b_kind: str = "revision",
    b_value: str = "HEAD",
    c_kind: str = "working",
    c_value: str = "",
) -> JSONResponse:
    """The dry-run of the candidate against the baseline (each ``working``,
    ``revision`` with a git revision, or ``date`` with a day: the rules in
    force then; only the server's own rules) over ``periods`` (``2016Q3``,
    ``2016Q1-Q4``), as ``jixiao dry-run --format json`` writes it; 409 with
    located problems (E1110: a version naming anything else).  Office and
    leadership only."""
    require_role(request, bench, user, *office.READERS)
    query = {"periods": periods, "b_kind": b_kind, "b_value": b_value, "c_kind": c_kind,
             "c_value": c_value}  # fmt: skip
    found = office.dry_run(bench, query)
    assert found is not None
    audit(request, bench, user.name, "dry_run", versions=[found.baseline, found.candidate])
    return JSONResponse(json.loads(dryrun_json(found)))


@router.get("/rules")
def rules(request: Request, bench: Bench, user: User, date: str = "") -> JSONResponse:
    """The indicators in force on ``date`` (an ISO day; without it the
    working copy's, the whole year) per kind of subject, and the revision
    log as of that day (as ``jixiao revisions --format json``).  Office and
    leadership only."""
    require_role(request, bench, user, *office.READERS)
    when = date.strip()
    programs, log = office.in_force(bench, when)
    shown = {
        kind: [
            {"id": i.id, "name": i.name, "points": str(i.points), "cadence": i.cadence,
             "assessor": i.assessor}
            for i in program.indicators
        ]
        for kind, program in programs.items()
    }  # fmt: skip
    return JSONResponse(
        {"as_of": when or None, "indicators": shown,
         "revisions": json.loads(revisions_json(log, when or None))}
    )  # fmt: skip


@router.get("/rules/diff")
def rules_diff(
    request: Request,
    bench: Bench,
    user: User,
    o_kind: str = "revision",
    o_value: str = "HEAD",
    n_kind: str = "working",
    n_value: str = "",
) -> JSONResponse:
    """What changed from the old version to the new one (kinds as for a
    dry-run), as ``jixiao diff --format json``.  Office and leadership only."""
    require_role(request, bench, user, *office.READERS)
    query = {"o_kind": o_kind, "o_value": o_value, "n_kind": n_kind, "n_value": n_value}
    changes, old, new = office.rules_diff(bench, query)
    return JSONResponse(json.loads(diff_json(changes, old, new)))


@router.get("/rules/findings")
def findings(request: Request, bench: Bench, user: User, wait: bool = False) -> JSONResponse:
    """The working copy's ``check`` and ``verify`` findings, located
    (computed again when a rule file's content changes).  ``pending``: check
    is done and verify still runs (ask again, or ``wait=true`` to wait for
    it).  Office and leadership only."""
    require_role(request, bench, user, *office.READERS)
    lang = bench.config.lang
    found = bench.watch.findings(lang, wait)
    return JSONResponse(
        {"ok": found.ok, "pending": found.pending, "digest": found.state,
         "findings": [to_json_object(d, lang) for d in found.diagnostics],
         "verified": found.verified or None}
    )  # fmt: skip
