"""``jixiao verify``: what can be proven about the rules, and what can be tested.

Three checks run together: the interval analysis (``compiler.verify``) proves
bounds and finds what no data can reach; contradictory result links that no
precedence decides are searched for (``runtime.tools.contradictions``); the property tests
(``runtime.tools.properties``) search for a counterexample to each declared
property.  A property that fails becomes a V0201 diagnostic located at the
property, beside the analysis' own findings, and its counterexample is kept
as a rule test the user can paste.  The CLI only renders the result.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from compiler import ir
from compiler.pipeline import Compilation
from compiler.verify import Verification, verify
from dsl.diagnostics import Diagnostic
from runtime.tools import counterexamples
from runtime.tools.contradictions import contradictions
from runtime.tools.properties import PropertyResult, check_properties, counterexample_test
from runtime.tools.sanction_contradictions import sanction_contradictions


@dataclass(frozen=True, slots=True)
class PropertyCheck:
    """One property's outcome; ``test`` is the counterexample as a rule test."""

    program: ir.Program
    result: PropertyResult
    test: str | None = None


@dataclass(frozen=True, slots=True)
class VerifyReport:
    verification: Verification
    properties: list[PropertyCheck]
    examples: int  # generated cases per property
    findings: list[Diagnostic]  # the analysis' findings, then one V0201 per failing property

    @property
    def failed(self) -> bool:
        return any(d.severity == "error" for d in self.findings)


def run_verify(
    compilation: Compilation,
    examples: int,
    step: Callable[[int, int, str], None] | None = None,
) -> VerifyReport:
    """Prove bounds and test every declared property of both kinds of subject.
    ``step(done, total, what)`` is told of each stage (the analysis, then each
    kind's properties): the CLI draws it as a progress bar."""
    assert "section" in compilation.programs and "section" in compilation.modules
    programs = [(p, compilation.modules[kind]) for kind, p in compilation.programs.items()]
    stages = 1 + len(programs)
    if step is not None:
        step(0, stages, "intervals")
    verification = verify(compilation.programs["section"], compilation.programs.get("person"))
    findings = list(verification.findings)
    findings.extend(contradictions(compilation))
    findings.extend(sanction_contradictions(compilation))
    checks: list[PropertyCheck] = []
    for done, (program, module) in enumerate(programs, start=1):
        if step is not None:
            step(done, stages, f"properties ({program.kind})")
        for result in check_properties(program, module, examples, store=counterexamples.STORE):
            if result.holds:
                checks.append(PropertyCheck(program, result))
                continue
            example = result.counterexample
            assert example is not None
            prop = result.property
            findings.append(_failed(prop, example.subject, example.period))
            checks.append(
                PropertyCheck(program, result, counterexample_test(program, prop, example))
            )
    if step is not None:
        step(stages, stages, "")
    return VerifyReport(verification, checks, examples, findings)


def _failed(prop: ir.Property, subject: str, period: str) -> Diagnostic:
    """V0201: the property does not hold for this subject in this period."""
    return Diagnostic(
        "V0201",
        {"id": prop.id, "name": prop.name, "subject": subject, "period": period},
        prop.span,
        help=("V0201.help", {}),
    )
