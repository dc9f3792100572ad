"""Warnings issued and signed: the record the source counts ("from July: 12
warnings, 12 head signatures, 12 liaison signatures").

A warning is what one section receives and signs: the month's table of
first warnings for an assessed section (its head signs) or the reminder of
second warnings for a section owing data (its liaison signs), each with its
rows (indicator, subjects, checkpoint, due date).  ``record_issued`` writes
what ``warn`` sends on its issue day: every section's first-warning table of
the month and the second warnings whose reminder day has come (a reminder
dated later has not gone out; recording again on its day adds it).  A table
already on record (same kind, month and section) is skipped, so running
``warn --record`` at the start of the month and again on the reminder day
records each once.  ``sign`` records a signature as a new record; nothing is
ever edited (store triggers).

``issued_warnings`` is the query the bulletin and the master ledger read:
"warnings since July" is ``issued_warnings(store, date(2016, 7, 1), None)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from runtime.store import IssuedWarning, Store, WarnedItem
from runtime.tools.early_warnings import WarningTable

__all__ = ["IssuedWarning", "Recorded", "WarnedItem", "issued_warnings", "record_issued", "sign"]


@dataclass(frozen=True, slots=True)
class Recorded:
    recorded: list[IssuedWarning]  # tables newly on record
    skipped: int  # tables already on record
    pending: int  # rows of second warnings whose reminder day is after the issue day


def record_issued(store: Store, table: WarningTable, issued_on: date, by: str | None) -> Recorded:
    """Record ``table``'s warnings as issued on ``issued_on`` (see the module):
    one record per table sent to one section."""
    month = f"{table.year:04d}-{table.month:02d}"
    on = issued_on.isoformat()
    tables: dict[tuple[str, str], tuple[str, str | None, list[WarnedItem]]] = {}
    for w in table.first:
        _, _, items = tables.setdefault(("first", w.section), (w.section_name, w.head, []))
        items.append(_item(w.indicator, w.name, w.subjects, w.checkpoint, w.due))
    pending = 0
    for s in table.second:
        if s.day > issued_on:
            pending += 1
            continue
        _, _, items = tables.setdefault(("second", s.section), (s.section_name, s.liaison, []))
        items.append(_item(s.indicator, s.name, s.subjects, s.checkpoint, s.due))
    wanted = [
        IssuedWarning(0, table.scheme, kind, month, section, name, signer, tuple(items), on, by)
        for (kind, section), (name, signer, items) in tables.items()
    ]
    recorded, skipped = store.issue_warnings(wanted)
    return Recorded(recorded, skipped, pending)


def _item(indicator: str, name: str, subjects: str, checkpoint: date, due: date) -> WarnedItem:
    return WarnedItem(indicator, name, subjects, checkpoint.isoformat(), due.isoformat())


def sign(store: Store, ident: int, by: str, at: str) -> IssuedWarning:
    """Record that ``by`` signed warning ``ident`` at ``at`` (ISO minutes);
    ``StoreError`` E0930 (no such warning) or E0931 (already signed)."""
    return store.sign_warning(ident, by, at)


def issued_warnings(
    store: Store, since: date | None = None, until: date | None = None
) -> list[IssuedWarning]:
    """Every warning issued from ``since`` to ``until`` (both included; None:
    open), by issue date, each with its signature if signed."""
    return store.issued_warnings(
        None if since is None else since.isoformat(), None if until is None else until.isoformat()
    )
