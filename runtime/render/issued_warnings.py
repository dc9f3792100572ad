"""The warnings issued (``jixiao warnings``) as text and JSON.

Text is for the office to read down (one line per warning table sent to a
section, its signature or that it is not signed, and the counts the source
reports: warnings, head signatures, liaison signatures); JSON keeps every field for scripts, the
bulletin and the ledgers.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date

from dsl.messages import texts
from runtime.render.text_table import aligned
from runtime.store import IssuedWarning

_HEADS = ("id", "issued_on", "kind", "section", "indicator", "checkpoint", "signer", "signed")


def to_text(
    found: Sequence[IssuedWarning], since: date | None, until: date | None, lang: str
) -> str:
    words = texts("warnings", lang)
    title = words["title"]
    if since is not None or until is not None:
        title += words["range"].format(
            since=since.isoformat() if since else words["open"],
            until=until.isoformat() if until else words["open"],
        )
    rows = [
        [
            f"#{w.id}", w.issued_on, words[f"kind.{w.kind}"], w.section_name,
            words["items"].format(count=len(w.items)),
            "、".join(dict.fromkeys(i.checkpoint for i in w.items)), w.signer or "—",
            f"{w.signed_by} {w.signed_at.replace('T', ' ')}"
            if w.signed_by and w.signed_at else words["unsigned"],
        ]
        for w in found
    ]  # fmt: skip
    heads = [words[f"head.{h}"] for h in _HEADS]
    lines = [title, ""]
    if rows:
        lines += aligned(heads, rows)
    else:
        lines.append(words["empty"])
    lines += ["", words["summary"].format(**counts(found))]
    return "\n".join(lines) + "\n"


def counts(found: Sequence[IssuedWarning]) -> dict[str, int]:
    """How many warnings of each kind, how many signed, how many sections."""
    first = [w for w in found if w.kind == "first"]
    second = [w for w in found if w.kind == "second"]
    return {
        "total": len(found),
        "first": len(first),
        "first_signed": sum(1 for w in first if w.signed_by),
        "second": len(second),
        "second_signed": sum(1 for w in second if w.signed_by),
        "sections": len({w.section for w in found}),
    }


def to_json(found: Sequence[IssuedWarning], since: date | None, until: date | None) -> str:
    document = {
        "since": since.isoformat() if since else None,
        "until": until.isoformat() if until else None,
        "counts": counts(found),
        "warnings": [
            {
                "id": w.id,
                "scheme": w.scheme,
                "kind": w.kind,
                "month": w.month,
                "section": w.section,
                "section_name": w.section_name,
                "signer": w.signer,
                "items": [
                    {
                        "indicator": i.indicator,
                        "name": i.name,
                        "subjects": i.subjects,
                        "checkpoint": i.checkpoint,
                        "due": i.due,
                    }
                    for i in w.items
                ],
                "issued_on": w.issued_on,
                "issued_by": w.issued_by,
                "signed_by": w.signed_by,
                "signed_at": w.signed_at,
            }
            for w in found
        ],
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
