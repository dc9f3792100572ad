"""What a request asks for, checked once for pages and API alike: the
period named in the URL, the subject the account may see, its evaluation.

Every page and API operation about one subject began with the same lines
(the period or 404, the subject or 403 recorded in the audit log, the
period evaluated or its located problems, the subject's result or 404);
both now call ``subject_asked``, so a check added here holds for both.
Failures are raised as the exceptions ``runtime.web.app`` turns into the
page's or the API's answer (``NotFound`` 404, ``Refused`` 403,
``UserError`` 409 with the problems).
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from compiler import ir
from runtime.engine.results import SubjectResult
from runtime.engine.run import Evaluation
from runtime.inputs.periods import Period
from runtime.store import Account
from runtime.web.security import NotFound, require_subject
from runtime.web.workbench import Workbench


@dataclass(frozen=True, slots=True)
class Asked:
    """One subject of one period, as the asking account may see it."""

    period: Period
    evaluation: Evaluation
    program: ir.Program
    result: SubjectResult


def period_asked(bench: Workbench, text: str) -> Period:
    """The period a URL names (404 outside the rules' year or not a period)."""
    period = bench.period(text)
    if period is None:
        raise NotFound()
    return period


def subject_asked(
    request: Request, bench: Workbench, user: Account, period: str, subject: str
) -> Asked:
    """The period (404), the subject if the account may see it (403,
    recorded: checked before anything is read), the period's evaluation
    (``UserError``: its problems) and the subject's result in it (404)."""
    chosen = period_asked(bench, period)
    require_subject(request, bench, user, subject)
    evaluation = bench.evaluate(chosen)
    try:
        program, result = bench.find(evaluation, subject)
    except KeyError:
        raise NotFound() from None
    return Asked(chosen, evaluation, program, result)
