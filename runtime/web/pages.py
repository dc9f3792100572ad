"""The workbench's HTML pages: results, a subject's trend and derivation, the
data cell behind a value, what-if, submissions and the period's status,
publishing.

Server-rendered Jinja2 (the package's templates, escaped); htmx (vendored,
served from here) boosts links and forms so pages change without a full
reload, and every page works without it.  Each handler checks the account's
role and section through ``security`` before reading anything.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Annotated
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup
from starlette.datastructures import UploadFile

from dsl.diagnostics import Diagnostic, UserError, render_all
from dsl.messages import render_message, texts
from dsl.messages import text as message_text
from runtime.engine.run import Evaluation
from runtime.inputs.periods import Period
from runtime.render.results import to_csv, to_xlsx
from runtime.render.templating import cached_template
from runtime.store import Account
from runtime.tools.explain import Node
from runtime.tools.what_if import Added
from runtime.web.accounts import log_in, now
from runtime.web.asked import period_asked, subject_asked
from runtime.web.security import (
    CSRF_FIELD,
    NotFound,
    address,
    audit,
    check_csrf,
    csrf_token,
    refuse,
    require_role,
    require_subject,
    signed_in,
    start_session,
)
from runtime.web.workbench import MAX_UPLOAD, Workbench, occurrences

router = APIRouter(include_in_schema=False)


def workbench(request: Request) -> Workbench:
    found: Workbench = request.app.state.workbench
    return found


Bench = Annotated[Workbench, Depends(workbench)]


def account(request: Request, bench: Bench) -> Account:
    return signed_in(request, bench)


User = Annotated[Account, Depends(account)]


def page(
    request: Request,
    bench: Workbench,
    name: str,
    user: Account | None,
    status: int = 200,
    **context: object,
) -> HTMLResponse:
    lang = bench.config.lang
    html = cached_template(f"web/{name}").render(
        w=words(lang), lang=lang, user=user, csrf=csrf_token(request),
        csrf_field=CSRF_FIELD, periods=bench.periods(), section_name=_section_name(bench, user),
        **context,
    )  # fmt: skip
    return HTMLResponse(html, status_code=status)


@cache
def words(lang: str) -> dict[str, str]:
    """The pages' words (``web.…`` texts), looked up once per language."""
    return texts("web", lang)


def _section_name(bench: Workbench, user: Account | None) -> str:
    if user is None or user.section is None or bench.organization is None:
        return ""
    section = bench.organization.section(user.section)
    return section.name if section else user.section


def problems(bench: Workbench, error: UserError) -> str:
    """Located problems as the CLI prints them (escaped by the template)."""
    return render_all(error.diagnostics, bench.config.lang, "full")


def the_period(request: Request, bench: Workbench, user: Account, text: str) -> Period:
    return period_asked(bench, text)


# -- login ---------------------------------------------------------------------


@router.get("/login")
def login_form(request: Request, bench: Bench) -> HTMLResponse:
    with bench.store() as store:
        empty = store.account_count() == 0
    return page(request, bench, "login.html", None, no_accounts=empty, failed="")


@router.post("/login", dependencies=[Depends(check_csrf)])
async def login(request: Request, bench: Bench) -> Response:
    form = await request.form()
    name, password = str(form.get("name", "")), str(form.get("password", ""))
    with bench.store() as store:
        outcome = log_in(store, name, password, address(request))
    if outcome.account is None:
        key = "throttled" if outcome.throttled else "failed"
        status = 429 if outcome.throttled else 401
        words = texts("web", bench.config.lang)
        return page(
            request, bench, "login.html", None, status, no_accounts=False, failed=words[key]
        )
    start_session(request, outcome.account)
    return RedirectResponse("/", status_code=303)


@router.post("/logout", dependencies=[Depends(check_csrf)])
def logout(request: Request, bench: Bench) -> Response:
    name = request.session.get("user")
    audit(request, bench, name if isinstance(name, str) else None, "logout")
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


# -- results -------------------------------------------------------------------


@router.get("/")
def home(bench: Bench, user: User) -> Response:
    return RedirectResponse(f"/results/{bench.default_period()}", status_code=303)


@router.get("/results/{period}")
def results(request: Request, bench: Bench, user: User, period: str) -> HTMLResponse:
    chosen = the_period(request, bench, user, period)
    published = bench.published(chosen)
    try:
        evaluation = bench.evaluate(chosen)
    except UserError as error:
        return page(
            request, bench, "results.html", user, period=chosen, published=published,
            sections=[], people=[], failure=problems(bench, error), document=None,
        )  # fmt: skip
    return page(
        request, bench, "results.html", user, period=chosen, published=published,
        failure="", table=_results_table(bench, user, chosen, evaluation),
    )  # fmt: skip


def _results_table(
    bench: Workbench, user: Account, period: Period, evaluation: Evaluation
) -> Markup:
    """The period's results tables as the account sees them: the same for
    every account of one view (everyone, or one section), so rendered once
    per evaluation (the page around them holds the account's own parts)."""
    view = user.section if user.role == "liaison" else "*"
    lang = bench.config.lang

    def make() -> Markup:
        sections = [r for r in evaluation.sections if bench.may_see(user, r.id)]
        people = [r for r in evaluation.people if bench.may_see(user, r.id)]
        return Markup(
            cached_template("web/results_table.html").render(
                w=words(lang), period=period, sections=sections, people=people,
            )
        )  # fmt: skip

    return bench.remember(("results", id(evaluation), str(period), view, lang), evaluation, make)


@router.get("/results/{period}/download.{fmt}")
def download(request: Request, bench: Bench, user: User, period: str, fmt: str) -> Response:
    chosen = the_period(request, bench, user, period)
    if fmt not in ("xlsx", "csv", "json"):
        raise NotFound()
    evaluation = bench.evaluate(chosen)
    sections = [r for r in evaluation.sections if bench.may_see(user, r.id)]
    people = [r for r in evaluation.people if bench.may_see(user, r.id)]
    lang = bench.config.lang
    name = f"results-{chosen}.{fmt}"
    audit(request, bench, user.name, "download", period=str(chosen), format=fmt)
    if fmt == "xlsx":
        body: bytes = to_xlsx(bench.section_program, bench.person_program, sections, people, lang)
        media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    elif fmt == "csv":
        text = to_csv(bench.section_program, bench.person_program, sections, people, lang)
        body, media = text.encode("utf-8-sig"), "text/csv; charset=utf-8"
    else:
        document = bench.document(evaluation)
        subjects = document.get("subjects")
        assert isinstance(subjects, list)
        document["subjects"] = [s for s in subjects if bench.may_see(user, str(s["id"]))]
        body = json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")
        media = "application/json"
    return Response(body, media_type=media, headers=_attachment(name))


def attachment(name: str) -> dict[str, str]:
    """Headers that make a response a download named ``name``."""
    return _attachment(name)


def _attachment(name: str) -> dict[str, str]:
    return {"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"}


@router.get("/results/{period}/subjects/{subject}")
def subject_page(
    request: Request,
    bench: Bench,
    user: User,
    period: str,
    subject: str,
    indicator: str | None = None,
) -> HTMLResponse:
    asked = subject_asked(request, bench, user, period, subject)
    if indicator is not None and indicator not in {i.id for i in asked.program.indicators}:
        indicator = None
    tree = bench.explanation(asked.evaluation, subject, indicator, bench.config.lang)
    columns = [f.name for f in asked.program.inputs]
    return page(
        request, bench, "subject.html", user, period=asked.period, result=asked.result,
        trend=bench.trend(subject), tree=_linked(tree, columns), indicator=indicator,
    )  # fmt: skip


def _linked(node: Node, columns: list[str]) -> tuple[str, str | None, list[object]]:
    """The explanation tree with each data-cell leaf marked with its column
    (the template links it to the cell it was read from)."""
    text, children = node
    column = None
    for name in columns:
        if text.startswith(f"{name} = ") and f"· {name}]" in text:
            column = name
            break
    return (text, column, [_linked(child, columns) for child in children])


WHAT_IF_FIELD = "v."  # a what-if's changed cells: v.COLUMN=VALUE in the query


@router.get("/results/{period}/subjects/{subject}/what-if")
def what_if_page(request: Request, bench: Bench, user: User, period: str, subject: str) -> Response:
    """A what-if on one subject: its cells as a form; the result of the
    changed ones (every subject evaluated again, nothing written).  The
    query holds the changes, so the page's link is the scenario."""
    asked = subject_asked(request, bench, user, period, subject)
    chosen, now_, program = asked.period, asked.result, asked.program
    current = bench.current_cells(chosen, subject)
    changes = _changes_asked(request, current)
    added, removed = _events_asked(request)
    failure, then, tree = "", now_, None
    try:
        changed = bench.what_if(chosen, subject, changes, added, removed)
        _, then = bench.find(changed, subject)
        tree = bench.explanation(changed, subject, None, bench.config.lang)
    except UserError as error:
        failure = problems(bench, error)
    pairs = list(zip(now_.indicators, then.indicators, strict=True))
    events = bench.events_of(chosen, subject)
    return page(
        request, bench, "what_if.html", user, period=chosen, now=now_, then=then,
        pairs=pairs, current=current, changes=changes, failure=failure, tree=tree,
        events=events, removed=removed, added=[f"{i}:{c}:{d}" for i, c, d in added],
        items=[(i.id, i.name) for i in program.items],
        # the duration field only where an item takes its duration from each event
        durations=any(i.sanction is not None and i.sanction.column for i in program.items),
        scenario=_scenario(changes, added, removed),
    )  # fmt: skip


def _changes_asked(request: Request, current: dict[str, str]) -> dict[str, str]:
    """A what-if's changed cells (``v.COLUMN=VALUE``), those equal to the
    subject's current cells left out."""
    asked = {
        key[len(WHAT_IF_FIELD) :]: value.strip()
        for key, value in request.query_params.items()
        if key.startswith(WHAT_IF_FIELD)
    }
    return {k: v for k, v in asked.items() if current.get(k) != v}


def _events_asked(request: Request) -> tuple[list[Added], set[str]]:
    """A what-if's added (``e.add=ITEM[:COUNT[:DURATION]]``; ``e.lasts``,
    the duration of those giving none) and removed (``e.remove=FILE:ROW``)
    item occurrences, from the query."""
    lasts = request.query_params.get("e.lasts", "")
    added = occurrences(request.query_params.getlist("e.add"), lasts)
    removed = {v for v in request.query_params.getlist("e.remove") if v.strip()}
    return added, removed


def _scenario(changes: dict[str, str], added: list[Added], removed: set[str]) -> str:
    """The scenario as a query (the page's link, the rule test's)."""
    pairs = [(f"{WHAT_IF_FIELD}{k}", v) for k, v in changes.items()]
    pairs += [("e.add", f"{i}:{c}:{d}" if d else f"{i}:{c}") for i, c, d in added]
    pairs += [("e.remove", r) for r in sorted(removed)]
    return urlencode(pairs)


@router.get("/results/{period}/subjects/{subject}/what-if/test.yaml")
def what_if_test(request: Request, bench: Bench, user: User, period: str, subject: str) -> Response:
    """The scenario as a rule test (the format of the rules' ``tests/``
    folder): put it there and ``jixiao test`` checks the rules still give
    this result."""
    chosen = subject_asked(request, bench, user, period, subject).period
    current = bench.current_cells(chosen, subject)
    changes = _changes_asked(request, current)
    added, removed = _events_asked(request)
    said = [f"{k}={v}" for k, v in changes.items()] + [
        f"+{i}×{c}" + (f"({d})" if d else "") for i, c, d in added
    ]
    said += [f"-{r.rsplit('/', 1)[-1]}" for r in sorted(removed)]
    name = f"{subject} {chosen} {message_text('web.what_if', bench.config.lang)}: {'、'.join(said) or '-'}"
    text = bench.rule_test(chosen, subject, changes, name, added, removed)
    audit(request, bench, user.name, "download", what="rule-test", subject=subject)
    return Response(
        text.encode("utf-8"), media_type="application/yaml; charset=utf-8",
        headers=_attachment(f"what-if-{subject}-{chosen}.yaml"),
    )  # fmt: skip


@router.get("/results/{period}/subjects/{subject}/cell")
def cell_page(
    request: Request, bench: Bench, user: User, period: str, subject: str, column: str
) -> HTMLResponse:
    chosen = the_period(request, bench, user, period)
    require_subject(request, bench, user, subject)
    try:
        found = bench.cell(chosen, subject, column)
    except UserError as error:
        return page(request, bench, "error.html", user, 409, message=problems(bench, error))
    if found is None:
        return page(request, bench, "error.html", user, 404, message=f"{subject} · {column}")
    linked = found.submission is not None and bench.may_read_submission(user, found.submission)
    return page(request, bench, "cell.html", user, period=chosen, cell=found, linked=linked)


# -- submissions -----------------------------------------------------------------


@router.get("/submissions/{period}")
def submissions_page(request: Request, bench: Bench, user: User, period: str) -> HTMLResponse:
    chosen = the_period(request, bench, user, period)
    return _submissions(request, bench, user, chosen, None, "", 200)


def _submissions(
    request: Request,
    bench: Workbench,
    user: Account,
    period: Period,
    accepted: object,
    failure: str,
    status_code: int,
    warnings: str = "",
) -> HTMLResponse:
    status = bench.status(period)
    mine = bench.assessor_of(user) if user.role == "liaison" else None
    lines = [line for line in status.lines if mine is None or line.assessor == mine]
    with bench.store() as store:
        every = store.submissions(bench.section_program.scheme, str(period))
    shown = [s for s in every if mine is None or s.assessor == mine]
    assessors = [mine] if mine else bench.assessors
    return page(
        request, bench, "submissions.html", user, status_code, period=period, lines=lines,
        submissions=shown, assessors=[a for a in assessors if a], accepted=accepted,
        failure=failure, warnings=warnings, published=bench.published(period),
        today=now()[:10],
    )  # fmt: skip


@router.get("/submissions/{period}/form.xlsx")
def form_download(
    request: Request, bench: Bench, user: User, period: str, assessor: str
) -> Response:
    chosen = the_period(request, bench, user, period)
    if not bench.may_submit_for(user, assessor) or assessor not in bench.assessors:
        raise refuse(request, bench, user, "form")
    lang = bench.config.lang
    name, body = bench.form(chosen, assessor, lang, message_text("form.send_to", lang))
    audit(request, bench, user.name, "form", period=str(chosen), assessor=assessor)
    media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(body, media_type=media, headers=_attachment(name))


@router.post("/submissions/{period}/upload", dependencies=[Depends(check_csrf)])
async def upload(request: Request, bench: Bench, user: User, period: str) -> HTMLResponse:
    chosen = the_period(request, bench, user, period)
    form = await request.form()
    assessor = str(form.get("assessor", ""))
    file = form.get("file")
    if not bench.may_submit_for(user, assessor) or assessor not in bench.assessors:
        raise refuse(request, bench, user, "submit")
    lang = bench.config.lang
    if bench.published(chosen) is not None:
        failure = render_message("web.closed", lang, {"period": str(chosen)})
        return _submissions(request, bench, user, chosen, None, failure, 409)
    if not isinstance(file, UploadFile) or not file.filename:
        failure = message_text("web.no_file", lang)
        return _submissions(request, bench, user, chosen, None, failure, 400)
    content = await file.read(MAX_UPLOAD + 1)
    if len(content) > MAX_UPLOAD:
        error = UserError([Diagnostic("E1107", {"limit": "10 MB"}, None, location=file.filename)])
        return _submissions(request, bench, user, chosen, None, problems(bench, error), 413)
    try:
        submission, warnings = bench.submit(
            chosen, assessor, file.filename, content, now()[:16], user.name
        )
    except UserError as error:
        audit(
            request, bench, user.name, "upload_refused", period=str(chosen), assessor=assessor,
            file=file.filename, problems=[d.code for d in error.diagnostics],
        )  # fmt: skip
        return _submissions(request, bench, user, chosen, None, problems(bench, error), 422)
    audit(
        request, bench, user.name, "upload", period=str(chosen), assessor=assessor,
        submission=submission.id, file=submission.file_name, digest=submission.digest,
    )  # fmt: skip
    shown = render_all(warnings, lang, "full") if warnings else ""
    return _submissions(request, bench, user, chosen, submission, "", 200, shown)


@router.get("/submissions/view/{ident}")
def submission_page(request: Request, bench: Bench, user: User, ident: int) -> HTMLResponse:
    found = bench.submission(ident)
    if found is None or not bench.may_read_submission(user, found):
        raise refuse(request, bench, user, "submission")
    return page(
        request, bench, "submission.html", user, submission=found,
        tables=bench.submission_tables(found),
    )  # fmt: skip


@router.post("/results/{period}/publish", dependencies=[Depends(check_csrf)])
def publish(request: Request, bench: Bench, user: User, period: str) -> Response:
    chosen = the_period(request, bench, user, period)
    require_role(request, bench, user, "office")
    try:
        run = bench.publish(chosen)
    except UserError as error:
        audit(request, bench, user.name, "publish_refused", period=str(chosen))
        return page(request, bench, "error.html", user, 409, message=problems(bench, error))
    audit(request, bench, user.name, "publish", period=str(chosen), run=run)
    return RedirectResponse(f"/results/{chosen}", status_code=303)
