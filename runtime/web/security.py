"""Who is asking, and may they: sessions, CSRF tokens, roles, the audit log.

Sessions are signed cookies (Starlette's ``SessionMiddleware``: itsdangerous
signatures with a timestamp, so a cookie expires after ``SESSION_SECONDS``
even if the browser keeps it); the key is random per server start, so a
restart logs everyone out and no key is ever written down.  Every POST
carries the session's CSRF token (a form field ``csrf`` or the header
``X-CSRF-Token``), compared in constant time; a token is made for a session
before login too, so the login form is protected the same way.  Nothing
but the login page and the vendored script is served without an account.
"""

from __future__ import annotations

import json
import secrets

from fastapi import Request

from runtime.store import Account
from runtime.web.accounts import now, stamp
from runtime.web.workbench import Workbench

SESSION_SECONDS = 8 * 3600  # one working day
CSRF_FIELD = "csrf"
CSRF_HEADER = "X-CSRF-Token"


class LoginRequired(Exception):
    """No valid session: pages redirect to the login page, the API says 401."""


class Refused(Exception):
    """The account may not do or see this: 403, recorded in the audit log."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


class NotFound(Exception):
    """No such page (a period outside the rules' year, a subject not evaluated): 404."""


class BadToken(Exception):
    """A POST without the session's CSRF token: 403."""


def csrf_token(request: Request) -> str:
    token = request.session.get(CSRF_FIELD)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session[CSRF_FIELD] = token
    return token


async def check_csrf(request: Request) -> None:
    """Refuse a POST whose token (field or header) is not the session's."""
    expected = request.session.get(CSRF_FIELD)
    given = request.headers.get(CSRF_HEADER)
    if given is None and request.headers.get("content-type", "").startswith(
        ("multipart/form-data", "application/x-www-form-urlencoded")
    ):
        form = await request.form()
        field = form.get(CSRF_FIELD)
        given = field if isinstance(field, str) else None
    if not isinstance(expected, str) or not given or not secrets.compare_digest(expected, given):
        raise BadToken()


def start_session(request: Request, account: Account) -> str:
    """A fresh session for ``account`` (a new token: nothing from before the
    login carries over)."""
    request.session.clear()
    request.session["user"] = account.name
    request.session["stamp"] = stamp(account)
    token = secrets.token_urlsafe(32)
    request.session[CSRF_FIELD] = token
    return token


def signed_in(request: Request, workbench: Workbench) -> Account:
    """The session's account, read from the store on every request (an
    account removed from the store, or whose password changed, stops
    working at once)."""
    name = request.session.get("user")
    if not isinstance(name, str):
        raise LoginRequired()
    with workbench.store() as store:
        account = store.account(name)
    if account is None or request.session.get("stamp") != stamp(account):
        request.session.clear()
        raise LoginRequired()
    return account


def address(request: Request) -> str | None:
    return request.client.host if request.client else None


def audit(
    request: Request, workbench: Workbench, user: str | None, action: str, **detail: object
) -> None:
    with workbench.store() as store:
        store.audit(now(), user, address(request), action, json.dumps(detail, ensure_ascii=False))


def refuse(request: Request, workbench: Workbench, account: Account, what: str) -> Refused:
    """Record a refused request and return the exception to raise."""
    audit(request, workbench, account.name, "refused", what=what, path=request.url.path)
    return Refused(what)


def require_role(request: Request, workbench: Workbench, account: Account, *roles: str) -> None:
    if account.role not in roles:
        raise refuse(request, workbench, account, "role")


def require_subject(request: Request, workbench: Workbench, account: Account, subject: str) -> None:
    if not workbench.may_see(account, subject):
        raise refuse(request, workbench, account, "subject")
