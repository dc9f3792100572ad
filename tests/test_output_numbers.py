"""Every number in every output format is shown at the rule set's places, and
no zero carries a sign: a property over generated rule sets and inputs.

Issue #10 found ``-0.00`` in tables and JSON (``score: n * -0.5`` with no
occurrence, ``round(-0.001, 2)``) and roll-up adjustments printed with
seventeen digits; this checks the renderers themselves, on whatever the
generator writes, in JSON, CSV, the terminal table and XLSX.
"""

from __future__ import annotations

import io
import json
import re
from decimal import Decimal

import openpyxl
from hypothesis import assume, example, given, settings

from dsl.diagnostics import UserError
from runtime.engine.run import evaluate_datasets
from runtime.inputs.data import Dataset, Row
from runtime.inputs.periods import Period
from runtime.render.results import to_csv, to_json, to_table, to_xlsx
from tests.strategies import RuleSetCase, rule_sets
from tests.test_properties import SETTINGS, case_of, compile_files

PERIOD = Period.parse("2024Q1")
NEGATIVE_ZERO = re.compile(r"(?<![\w.])-0(?:\.0+)?(?![\d.])")


def _places(text: str) -> int:
    return len(text.split(".")[1]) if "." in text else 0


@settings(max_examples=80, **SETTINGS)
@given(rule_sets(exempt_values=False))
@example(
    case_of(
        "places: 2\ninputs:\n  n: number\nindicators:\n"
        '  - {id: a, name: a, points: 10, score: "n * -0.5"}\n'
        '  - {id: b, name: b, points: 10, score: "round(-0.001, 2)"}\n',
        {"n": Decimal(0)},
    )
)
@example(
    # Shown under the default 28-digit context, a total of 1E+30 at two places
    # raised InvalidOperation while rendering (exit 101).
    case_of("inputs:\n  n: number\nindicators:\n  - {id: a, name: a, points: 10, machine: n}\n",
            {"n": Decimal("1E+30")})
)  # fmt: skip
def test_every_number_at_places_and_no_negative_zero(case: RuleSetCase) -> None:
    compilation = compile_files(case.files)
    assert compilation.ok, compilation.diagnostics  # the generator writes valid rules
    assume(case.rows)
    program = compilation.programs["section"]
    # Rows as the data reader hands them over (the generator's values are the
    # evaluator's, some beyond what a data cell may spell).
    rows = [
        Row("2024Q1", f"s{n}", f"s{n}", tuple(row[f.name] for f in program.inputs), "generated")
        for n, row in enumerate(case.rows)
    ]
    dataset = Dataset(rows)
    try:
        evaluation = evaluate_datasets(compilation, dataset, None, [PERIOD], "generated")
    except UserError:
        assume(False)  # a fault (division by zero, ...) the rules leave unguarded
        return
    results = evaluation.sections
    places = program.places

    document = json.loads(to_json(program, None, "2024Q1", "d", results, []))
    for subject in document["subjects"]:
        shown = [subject["total"], subject["base"]]
        shown += [i["score"] for i in subject["indicators"]]
        shown += [a["points"] for a in subject["adjustments"]]
        for text in shown:
            if text is not None:
                assert _places(text) == places, (text, places, case.dump())
                assert not NEGATIVE_ZERO.fullmatch(text), (text, case.dump())

    for output in (to_csv(program, None, results, []), to_table(program, "2024Q1", results, "en")):
        assert not NEGATIVE_ZERO.search(output), (output, case.dump())

    book = openpyxl.load_workbook(io.BytesIO(to_xlsx(program, None, results, [], "en")))
    for sheet in book.worksheets:
        for row in sheet.iter_rows(min_row=2, values_only=True):
            for value in row:
                if isinstance(value, int | float) and not isinstance(value, bool):
                    assert not (value == 0 and str(value).startswith("-")), (row, case.dump())
                    exact = Decimal(repr(value))
                    if abs(exact) < 10**12:  # where a float keeps every digit shown
                        assert exact == round(exact, places), (value, places, case.dump())
