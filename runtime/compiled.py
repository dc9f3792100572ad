"""Loading generated code into a callable evaluator.

The generated source was built from checked IR only (see
``compiler.codegen``); it is compiled with the rule set's manifest as its
filename and run in a namespace with no builtins and only the helpers it
names.  A fault raised while it runs is turned back into a rule position:
helper faults carry a site id, and any other decimal error is placed by the
line map at the definition being computed.
"""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Callable, Iterable, Sequence
from types import TracebackType
from typing import Any

from compiler import ir
from compiler.codegen import GeneratedModule
from dsl.spans import Span
from runtime import helpers
from runtime.helpers import Fault

_NAMESPACE: dict[str, Any] = {
    "_D": decimal.Decimal,
    "_date": datetime.date,
    "_div": helpers.div,
    "_safe_div": helpers.safe_div,
    "_round": helpers.round_to,
    "_clamp": helpers.clamp,
    "_min": helpers.minimum,
    "_max": helpers.maximum,
    "_abs": helpers.absolute,
    "_lookup": helpers.lookup,
    "_sum": helpers.agg_sum,
    "_count": helpers.agg_count,
    "_avg": helpers.agg_avg,
    "_amin": helpers.agg_min,
    "_amax": helpers.agg_max,
    "_any": helpers.agg_any,
    "_all": helpers.agg_all,
    "_normalized": helpers.normalized_sum,
}


class CompiledEvaluator:
    """Evaluates one subject's inputs with the generated function."""

    def __init__(self, program: ir.Program, module: GeneratedModule) -> None:
        self.program = program
        self.module = module
        code = compile(module.source, module.filename, "exec")
        namespace: dict[str, Any] = {"__builtins__": {}, **_NAMESPACE}
        exec(code, namespace)  # generated from checked IR only; see compiler.codegen
        self._function: Callable[[Sequence[object]], tuple[object, ...]] = namespace["evaluate"]

    def evaluate(self, inputs: Sequence[object]) -> list[object]:
        with decimal.localcontext(helpers.CONTEXT):
            return self.evaluate_in_context(inputs)

    def evaluate_in_context(self, inputs: Sequence[object]) -> list[object]:
        """Evaluate with ``helpers.CONTEXT`` already active (batch callers)."""
        try:
            return list(self._function(inputs))
        except Fault as fault:
            assert isinstance(fault.site, int)
            raise Fault(fault.code, self.module.sites[fault.site], fault.detail) from None
        except decimal.DecimalException as error:
            span = self._span_of(error.__traceback__)
            raise Fault("E0703", span, type(error).__name__) from None

    def evaluate_many(self, rows: Iterable[Sequence[object]]) -> list[list[object]]:
        with decimal.localcontext(helpers.CONTEXT):
            return [self.evaluate_in_context(row) for row in rows]

    def _span_of(self, trace: TracebackType | None) -> Span:
        line = None
        while trace is not None:
            if trace.tb_frame.f_code.co_filename == self.module.filename:
                line = trace.tb_lineno
            trace = trace.tb_next
        if line is not None and line in self.module.line_spans:
            return self.module.line_spans[line]
        return self.program.slots[self.program.total].span
