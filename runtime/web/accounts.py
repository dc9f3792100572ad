"""Workbench accounts: passwords hashed with scrypt, logins checked and throttled.

scrypt because it is memory-hard (guessing costs memory as well as time, so
graphics cards gain little) and ships with Python's ``hashlib``: nothing to
install.  Each password gets its own random salt; the hash records its
parameters, so they can be raised later without breaking old accounts.
Every login, failed or not, is a row of the store's audit log, and the rate
limit counts failed logins there (per account name and per client address):
it holds across restarts and leaves a record of every attempt.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from compiler import ir
from runtime.store import Account, Store, StoreError

ROLES = ("office", "liaison", "leader")
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1  # 16 MiB of memory per hash
MIN_PASSWORD = 8

# The rate limit: this many failed logins within the window (for one account
# name, or from one client address) and further attempts are refused until
# the oldest of them leaves the window.
MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=15)


def now() -> str:
    """The time an audit entry is stamped with: ISO seconds, UTC."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S")


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = _scrypt(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${digest.hex()}"


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=64 * 1024 * 1024, dklen=32
    )


def password_matches(password: str, stored: str) -> bool:
    """Whether ``password`` hashes to ``stored`` (compared in constant time)."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        actual = _scrypt(password, bytes.fromhex(salt), int(n), int(r), int(p))
    except ValueError:
        return False
    return hmac.compare_digest(actual, bytes.fromhex(digest))


def add_account(
    store: Store,
    name: str,
    role: str,
    section: str | None,
    password: str,
    organization: ir.Organization | None,
) -> Account:
    """``jixiao users add``: a new account; its problems are ``StoreError``s
    (E1100 name taken, E1101 unknown section, E1102 a liaison without a
    section or another role with one, E1103 a password too short, E1105 an
    empty name)."""
    name = name.strip()
    if not name:
        raise StoreError("E1105", {})
    if (role == "liaison") != (section is not None):
        raise StoreError("E1102", {"role": role})
    if section is not None and organization is not None:
        if organization.section(section) is None:
            known = "、".join(f"{s.id} {s.name}" for s in organization.sections)
            raise StoreError("E1101", {"section": section, "sections": known})
    if len(password) < MIN_PASSWORD:
        raise StoreError("E1103", {"length": MIN_PASSWORD})
    account = Account(name, role, section, hash_password(password), now())
    store.add_account(account)
    return account


def change_password(store: Store, name: str, password: str) -> None:
    """``jixiao users passwd``: E1103 for a password too short, E1112 for no
    such account.  Sessions signed in with the old password end (``stamp``)."""
    if len(password) < MIN_PASSWORD:
        raise StoreError("E1103", {"length": MIN_PASSWORD})
    store.set_password(name.strip(), hash_password(password))


def stamp(account: Account) -> str:
    """What a session remembers of the password it was opened with (the
    hash's last characters, never the password): a changed password ends it."""
    return account.password[-12:]


@dataclass(frozen=True, slots=True)
class Login:
    """The outcome of a login: the account, or why not (``throttled``: too
    many failures lately; otherwise a wrong name or password)."""

    account: Account | None
    throttled: bool = False


def throttled(store: Store, name: str, address: str | None) -> bool:
    since = (datetime.now(UTC) - FAILURE_WINDOW).strftime("%Y-%m-%dT%H:%M:%S")
    failures = store.audit_entries("login_failed", since)
    by_name = sum(1 for entry in failures if entry.user == name)
    by_address = sum(1 for entry in failures if address and entry.address == address)
    return by_name >= MAX_FAILURES or by_address >= MAX_FAILURES


def log_in(store: Store, name: str, password: str, address: str | None) -> Login:
    """Check a login and record it in the audit log.  When throttled, the
    password is not even checked (so guessing gains nothing)."""
    if throttled(store, name, address):
        store.audit(now(), name, address, "login_throttled", "{}")
        return Login(None, throttled=True)
    account = store.account(name)
    # A missing account costs a hash too, so timing does not tell names apart.
    stored = account.password if account is not None else hash_password("")
    if account is None or not password_matches(password, stored):
        store.audit(now(), name, address, "login_failed", "{}")
        return Login(None)
    store.audit(now(), name, address, "login", json.dumps({"role": account.role}))
    return Login(account)
