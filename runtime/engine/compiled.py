"""Loading generated code into a callable evaluator.

The generated source was built from checked IR only (see
``compiler.codegen``); it is compiled with the rule set's manifest as its
filename and run in a namespace with no builtins; its factory ``_make`` receives
``semantics.prelude.PRELUDE``, the same mapping its parameter list was
generated from.  A fault raised while it runs is turned back into a rule position:
helper faults carry a site id, and any other decimal error is placed by the
line map at the definition being computed.
"""

from __future__ import annotations

import decimal
from collections.abc import Callable, Sequence
from typing import Any

from compiler import ir
from compiler.codegen import GeneratedModule, output_slots
from dsl.spans import Span
from runtime.engine.groups import alone
from semantics import operations as helpers
from semantics.operations import Fault
from semantics.prelude import PRELUDE


def load_factory(module: GeneratedModule) -> Any:
    """What the module's ``_make`` returns, given the helpers and no builtins:
    the one place generated code is loaded (the per-subject program, link and
    property conditions, the coverage probes)."""
    code = compile(module.source, module.filename, "exec")
    namespace: dict[str, Any] = {"__builtins__": {}}
    exec(code, namespace)  # generated from checked IR only; see compiler.codegen
    return namespace["_make"](**PRELUDE)


class CompiledEvaluator:
    """Evaluates one subject's inputs with the generated function."""

    def __init__(self, program: ir.Program, module: GeneratedModule) -> None:
        self.program = program
        self.module = module
        # ``(evaluate, (_stage2, ...), (_stage1_many, _stage2_many, ...))``:
        # later stages (group functions), one subject or many at a time; one
        # stage: ``(evaluate, (), (evaluate_many,))``.
        made, later, many = load_factory(module)
        self._function: Callable[..., tuple[object, ...]] = made
        self._later: tuple[Callable[..., tuple[object, ...]], ...] = later
        self._many: tuple[Callable[..., None], ...] = many if later else ()
        # One stage: the generated loop over many subjects; not for a
        # subclass that changes how a row is evaluated (the workbench's
        # ``RememberingEvaluator``): its rows go one by one.
        own = type(self).evaluate_in_context is CompiledEvaluator.evaluate_in_context
        self._rows: Callable[..., None] | None = None if later or not own else many[0]
        self.output_slots = output_slots(program)

    def first_stage(self, inputs: Sequence[object]) -> tuple[object, ...]:
        """Stage 1 of one subject, every slot (later stages' slots None); with
        ``helpers.CONTEXT`` already active."""
        try:
            return self._function(inputs, True)
        except (Fault, decimal.DecimalException, KeyError) as error:
            raise located(self.module, error, self.program.slots[self.program.total].span) from None

    def first_batch(self, rows: Sequence[Sequence[object]]) -> list[tuple[object, ...]]:
        """Stage 1 of many subjects (``helpers.CONTEXT`` active), each
        subject's slots carried to stage 2 (``compiler.codegen.carried``):
        the generated loop ``_stage1_many``; a fault is raised as it comes,
        unlocated (``runtime.engine.groups`` then runs ``first_stage``
        subject by subject, which locates it); with one stage, every slot."""
        if not self._many:
            return [self.first_stage(row) for row in rows]
        done: list[tuple[object, ...]] = []
        self._many[0](rows, done.append)
        return done

    def later_batch(self, stage: int, pools: list[tuple[object, ...]]) -> list[tuple[object, ...]]:
        """Stage ``stage`` of many subjects at once (``runtime.engine.groups.run_stages``'
        fast path), a pool at a time with its group values
        (``runtime.engine.groups.Pool``): the generated loop
        ``_stage<k>_many``; a fault is raised as it comes, unlocated."""
        done: list[tuple[object, ...]] = []
        self._many[stage - 1](pools, done.append)
        return done

    def later_stage(
        self, stage: int, values: Sequence[object], groups: tuple[object, ...]
    ) -> tuple[object, ...]:
        """Stage ``stage`` (2 or later) of one subject: its values so far and
        its group values of the stage (``runtime.engine.groups``); with
        ``helpers.CONTEXT`` already active (``run_stages`` sets it)."""
        try:
            return self._later[stage - 2](values, groups, True)
        except (Fault, decimal.DecimalException, KeyError) as error:
            raise located(self.module, error, self.program.slots[self.program.total].span) from None

    def evaluate(self, inputs: Sequence[object]) -> list[object]:
        with decimal.localcontext(helpers.CONTEXT):
            return list(self.evaluate_in_context(tuple(inputs)))

    def evaluate_in_context(
        self, inputs: tuple[object, ...], full: bool = True
    ) -> tuple[object, ...]:
        """Evaluate with ``helpers.CONTEXT`` already active (batch callers).

        ``inputs``: a tuple in ``program.inputs`` order (the runtime's rows
        are; the generated code returns it as the first slots of the result).
        ``full``: every slot, indexed by slot number; otherwise only
        ``self.output_slots`` (indicator scores, then the total), in that order.
        """
        if self._later:  # group functions: the subject alone is its group
            values = alone(self.program, self.later_stage, self.first_stage(inputs))
            return values if full else tuple(values[slot] for slot in self.output_slots)
        try:
            return self._function(inputs, full)
        except (Fault, decimal.DecimalException, KeyError) as error:
            # A level outside its table raises KeyError; see helpers.lookup.
            raise located(self.module, error, self.program.slots[self.program.total].span) from None

    def evaluate_rows(self, rows: Sequence[tuple[object, ...]]) -> list[tuple[object, ...]] | None:
        """Every slot of each of ``rows`` (tuples in ``program.inputs`` order),
        ``helpers.CONTEXT`` already active: the runtime's path for a period
        (``runtime.engine.subjects``).  One call of the generated loop
        (the generated ``evaluate_many``: no call per subject); None when a row faults (the
        caller then evaluates row by row with ``evaluate_in_context``, which
        locates the fault) or when the program has group functions."""
        if self._rows is None:
            return None
        done: list[tuple[object, ...]] = []
        try:
            self._rows(rows, done.append)
        except (Fault, decimal.DecimalException, KeyError):
            return None
        return done

    def evaluate_many(
        self, rows: Sequence[tuple[object, ...]], full: bool = True
    ) -> list[tuple[object, ...]]:
        """Evaluate many subjects in one decimal context (see ``evaluate_in_context``).

        The fast path runs the generated function directly; only if some row
        faults is the batch rerun row by row to locate the fault.
        """
        function = self._function
        with decimal.localcontext(helpers.CONTEXT):
            if self._later:
                return [self.evaluate_in_context(row, full) for row in rows]
            if full and (done := self.evaluate_rows(rows)) is not None:
                return done
            try:
                return [function(row, full) for row in rows]
            except (Fault, decimal.DecimalException, KeyError):
                return [self.evaluate_in_context(row, full) for row in rows]


# -- Faults of generated code (the per-subject program, link and property
# -- conditions, the coverage probes), placed at rule spans.


def located(module: GeneratedModule, error: Exception, fallback: Span) -> Exception:
    """A fault raised in ``module``'s code placed at its rule span (``error``
    itself when it is no fault of the rules): a helper's fault by its site
    id, a decimal error or a missing level by the line it was raised on,
    else at ``fallback``."""
    if isinstance(error, Fault) and isinstance(error.site, int):
        return Fault(error.code, module.sites[error.site], error.detail)
    if isinstance(error, decimal.DecimalException | KeyError):
        line = None
        trace = error.__traceback__
        while trace is not None:
            if trace.tb_frame.f_code.co_filename == module.filename:
                line = trace.tb_lineno
            trace = trace.tb_next
        span = module.line_spans.get(line, fallback) if line is not None else fallback
        if isinstance(error, KeyError):
            return Fault("E0704", span, str(error.args[0]))
        return Fault("E0703", span, type(error).__name__)
    return error
