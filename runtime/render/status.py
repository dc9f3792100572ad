"""A period's submission status (``jixiao status``) as text and JSON.

Text groups the lines by assessing section, for the performance office to
read down and chase; JSON keeps every field, for scripts and the ledgers.
"""

from __future__ import annotations

import json

from dsl.messages import text, texts
from runtime.store import Submission
from runtime.tools.status import Status, StatusLine


def _who(submission: Submission | None) -> str:
    if submission is None:
        return ""
    by = f" {submission.submitted_by}" if submission.submitted_by else ""
    return f"#{submission.id} {submission.submitted_at.replace('T', ' ')}{by}"


def to_text(status: Status, lang: str) -> str:
    """Per assessing section: each indicator, its window and what came in."""
    words = texts("status", lang)
    title = words["title"].format(period=status.period)
    if status.day is not None:
        title += words["as_of"].format(day=status.day.isoformat())
    out = [title, ""]
    current = None
    for line in status.lines:
        if line.assessor != current:
            current = line.assessor
            out.append(f"{current}")
        out.append("  " + _text_line(line, words, lang))
    counts = {state: sum(1 for line in status.lines if line.state == state) for state in STATES}
    out.append("")
    out.append(words["summary"].format(**counts))
    return "\n".join(out) + "\n"


STATES = ("in", "late", "missing", "overdue")


def _text_line(line: StatusLine, words: dict[str, str], lang: str) -> str:
    checkpoint = line.checkpoint.isoformat() if line.checkpoint is not None else "-"
    window = words["window"].format(checkpoint=checkpoint, due=line.due.isoformat())
    cadence = text(f"warn.cadence.{line.cadence}", lang)
    state = words[f"state.{line.state}"]
    parts = [f"{line.indicator} {line.name}", cadence, window, state]
    if line.counted is not None:
        parts.append(_who(line.counted))
        if line.first is not None and line.first.id != line.counted.id:
            parts.append(words["first"].format(first=_who(line.first)))
    return "  ".join(parts)


def to_json(status: Status) -> str:
    def submission(found: Submission | None) -> dict[str, object] | None:
        if found is None:
            return None
        return {
            "id": found.id,
            "submitted_at": found.submitted_at,
            "submitted_by": found.submitted_by,
            "file": found.file_name,
            "digest": found.digest,
        }

    document = {
        "period": status.period,
        "as_of": status.day.isoformat() if status.day is not None else None,
        "lines": [
            {
                "assessor": line.assessor,
                "kind": line.kind,
                "indicator": line.indicator,
                "name": line.name,
                "cadence": line.cadence,
                "checkpoint": line.checkpoint.isoformat() if line.checkpoint else None,
                "due": line.due.isoformat(),
                "state": line.state,
                "counted": submission(line.counted),
                "first": submission(line.first),
                "submissions": line.submissions,
            }
            for line in status.lines
        ],
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
