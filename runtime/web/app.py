"""The workbench as an ASGI application, and ``jixiao serve``.

FastAPI (on Starlette) for the routes and the OpenAPI description of the
JSON API; uvicorn to serve it, one process, the results store as its only
database.  Every response carries headers that keep a browser strict: no
script but our own (the vendored htmx), no framing, no sniffing, no caching
of pages that hold results.  Nothing is served without a session but the
login page and the script.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import json
import os
import secrets
from collections.abc import Callable
from importlib.resources import files

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from dsl.diagnostics import Diagnostic, UserError
from dsl.messages import text as message_text
from runtime.web import api, office, pages
from runtime.web.security import (
    SESSION_SECONDS,
    BadToken,
    LoginRequired,
    NotFound,
    Refused,
    signed_in,
)
from runtime.web.workbench import MAX_UPLOAD, Config, Workbench, settle_heap

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline';"
        " img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}
HTMX = files("runtime.web").joinpath("static/htmx.min.js").read_bytes()


def create_app(config: Config, workbench: Workbench | None = None) -> FastAPI:
    bench = workbench or Workbench(config)
    app = FastAPI(
        title="jixiao", summary="绩效管理工作台 API / performance workbench API",
        docs_url=None, redoc_url=None, openapi_url=None,
    )  # fmt: skip
    app.state.workbench = bench
    with bench.store() as store:
        # Kept in the store: a restart leaves sessions valid until they expire.
        key = store.secret("session_key", lambda: secrets.token_urlsafe(32))
    app.add_middleware(
        SessionMiddleware, secret_key=key, session_cookie="jixiao_session",
        max_age=SESSION_SECONDS, same_site="strict", https_only=False,
    )  # fmt: skip
    app.add_middleware(BodyLimit, limit=MAX_BODY)

    @app.exception_handler(TooLarge)
    async def too_large(request: Request, _: Exception) -> Response:
        return JSONResponse({"detail": "request body too large", "limit": MAX_BODY}, 413)

    app.add_middleware(StrictHeaders)

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, _: Exception) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": "login required"}, 401)
        if request.headers.get("HX-Request"):
            return Response(status_code=401, headers={"HX-Redirect": "/login"})
        return RedirectResponse("/login", status_code=303)

    @app.exception_handler(Refused)
    async def refused(request: Request, _: Exception) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": "forbidden"}, 403)
        return _error_page(request, bench, 403, message_text("web.forbidden", bench.config.lang))

    @app.exception_handler(NotFound)
    async def not_found(request: Request, _: Exception) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": "not found"}, 404)
        return _error_page(request, bench, 404, message_text("web.not_found", bench.config.lang))

    @app.exception_handler(BadToken)
    async def bad_token(request: Request, _: Exception) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": "missing or wrong CSRF token"}, 403)
        return _error_page(request, bench, 403, message_text("web.bad_token", bench.config.lang))

    @app.exception_handler(UserError)
    async def user_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, UserError)
        if request.url.path.startswith("/api/"):
            return api.problems_response(bench, error, 409)
        return _error_page(request, bench, 409, pages.problems(bench, error))

    @app.get("/static/htmx.min.js", include_in_schema=False)
    def htmx() -> Response:
        return Response(
            HTMX, media_type="text/javascript",
            headers={"Cache-Control": "public, max-age=86400"},
        )  # fmt: skip

    @app.get("/api/openapi.json", include_in_schema=False)
    def openapi(request: Request) -> JSONResponse:
        signed_in(request, bench)
        return JSONResponse(app.openapi())

    app.include_router(pages.router)
    app.include_router(office.router)
    app.include_router(api.router)
    return app


# The largest request body taken: an upload's limit and room for the form
# around it.  Larger bodies are refused before they are read (their
# Content-Length), or as soon as what arrives passes the limit (a body sent
# without one, chunked): never buffered whole.
MAX_BODY = MAX_UPLOAD + 1024 * 1024


class StrictHeaders:
    """ASGI middleware: ``SECURITY_HEADERS`` on every response (those it
    does not set itself).  Plain ASGI rather than ``@app.middleware``,
    which runs each request through a task and a stream of its own."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.headers = [(k.lower().encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def strict(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in self.headers if k not in present]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, strict)


class TooLarge(Exception):
    """A request body over ``MAX_BODY``."""


class BodyLimit:
    """ASGI middleware: 413 for a request body over ``limit``."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.limit):
            response = JSONResponse({"detail": "request body too large", "limit": self.limit}, 413)
            await response(scope, receive, send)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise TooLarge()
            return message

        await self.app(scope, counted, send)


def _error_page(request: Request, bench: Workbench, status: int, message: str) -> Response:
    user = None
    try:
        user = signed_in(request, bench)
    except LoginRequired:
        pass
    return pages.page(request, bench, "error.html", user, status, message=message)


def loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


CONFIG_VARIABLE = "JIXIAO_SERVE_CONFIG"  # how ``serve`` hands its Config to worker processes


def from_environment() -> FastAPI:
    """The application of one worker process of ``serve --workers N``
    (uvicorn starts each worker by importing this factory)."""
    app = create_app(Config(**json.loads(os.environ[CONFIG_VARIABLE])))
    app.state.workbench.settling = True
    settle_heap()
    return app


def serve(
    config: Config,
    host: str,
    port: int,
    announce: Callable[[], None] | None = None,
    workers: int = 1,
) -> None:
    """``jixiao serve``: refuse to listen beyond the loopback interface while
    the store has no account (E1104), then serve until interrupted
    (``announce``: called once the rules are compiled, before listening).
    With ``workers`` > 1, that many processes (uvicorn's supervisor) share
    the port, each with its own compiled rules and caches; the store is
    shared (SQLite: sessions' key, accounts, the audit log and its rate
    limit hold across workers)."""
    import uvicorn

    bench = Workbench(config)
    with bench.store() as store:
        accounts = store.account_count()
    if not loopback(host) and accounts == 0:
        where = f"{host}:{port}"
        raise UserError(
            [Diagnostic("E1104", {"host": host}, None, location=where, help=("E1104.help", {}))]
        )
    if announce is not None:
        announce()
    if workers > 1:
        del bench  # each worker compiles its own
        os.environ[CONFIG_VARIABLE] = json.dumps(dataclasses.asdict(config))
        uvicorn.run(
            "runtime.web.app:from_environment", factory=True, workers=workers, host=host,
            port=port, log_level="warning",
        )  # fmt: skip
        return
    app = create_app(config, bench)
    bench.settling = True  # a server's heap: frozen once periods are prepared
    settle_heap()
    uvicorn.run(app, host=host, port=port, log_level="warning")
