"""Rule files are data: whatever their text, the generated code does exactly
what the rules say and nothing else.

The rule set below hides Python in names, strings, level names, comments and
the scheme title, uses quotes, backslashes, newlines and ``\\u`` escapes, and
declares two inputs whose names Python would fold into one identifier (NFKC:
``ﬁx`` and ``fix``, ``ｘ`` and ``x``).  The test checks the generated module
structurally (only our own names, no attribute access, no imports) and
checks the values it computes.
"""

from __future__ import annotations

import ast as pyast
from decimal import Decimal
from pathlib import Path

from compiler.codegen import HELPER_NAMES, MODE_NAMES, QUANTUM_NAMES
from compiler.pipeline import compile_rules
from dsl.diagnostics import render_all
from dsl.ruleset import DirectorySource
from runtime.engine.compiled import CompiledEvaluator
from runtime.engine.interpreter import Interpreter

HOSTILE = r"""
# __import__("os").system("touch PWNED")  -- a comment is only a comment
scheme: "x\"); __import__('os').system('touch PWNED'); (\"\n"
version: "1\u0027\n import os"
year: 2016
levels:
  档次: [好, __import__, 差]
inputs:
  ﬁx: number
  fix: number
  ｘ: number
  x: number
  备注: text
indicators:
  - id: __class__
    name: "'; import os; os.system(\"touch PWNED\") #"
    points: 10
    let:
      __builtins__: ﬁx - fix
    score: __builtins__ + (ｘ - x) * 100
  - id: strings
    name: "引号\"和'反斜杠\\和\n换行"
    points: 10
    score: |
      if 备注 == "\"); __import__('os').system('touch PWNED'); (\"" then 1
      elif 备注 == 'a\\b' then 2
      elif 备注 == "line\nbreak" then 3
      else 4
  - id: levels
    name: 档次
    points: 10
    inputs: {评价: level(档次)}
    levels: {好: 100%, __import__: 50%, 差: 0%}
"""

ALLOWED_NAMES = {
    "inp", "full", "evaluate", *HELPER_NAMES, *QUANTUM_NAMES, *MODE_NAMES,
    "evaluate_many", "each", "_keep",  # the loop over many rows: (each, _keep=list.append)
    "_pool",  # a later stage's loop: a pool's members (compiler.codegen._write_stage_many)
}  # fmt: skip


def _compile(tmp_path: Path) -> tuple[object, object]:
    folder = tmp_path / "hostile"
    folder.mkdir()
    (folder / "ruleset.yaml").write_text(HOSTILE, encoding="utf-8")
    result = compile_rules(DirectorySource(str(folder)))
    assert result.ok, render_all(result.diagnostics, "en")
    return result.programs["section"], result.modules["section"]


def test_generated_code_uses_only_our_names(tmp_path: Path) -> None:
    _, module = _compile(tmp_path)
    tree = pyast.parse(module.source)  # type: ignore[attr-defined]
    for node in pyast.walk(tree):
        assert not isinstance(node, pyast.Import | pyast.ImportFrom | pyast.Attribute)
        assert not isinstance(node, pyast.Lambda | pyast.ClassDef | pyast.Global)
        if isinstance(node, pyast.Name):
            name = node.id
            assert name in ALLOWED_NAMES or name[:2] in ("_c", "_t") or name[:1] == "v", name
            assert name.isascii()
        if isinstance(node, pyast.Call):
            assert isinstance(node.func, pyast.Name)
            assert node.func.id in ALLOWED_NAMES
        # Rule text reaches the code only as plain string literals.
        if isinstance(node, pyast.Constant):
            assert type(node.value) in (str, int, bool)


def test_hostile_rules_compute_what_they_say(tmp_path: Path) -> None:
    program, module = _compile(tmp_path)
    evaluator = CompiledEvaluator(program, module)  # type: ignore[arg-type]
    interpreter = Interpreter(program)  # type: ignore[arg-type]
    order = [f.name for f in program.inputs]  # type: ignore[attr-defined]
    cases = {
        "\"); __import__('os').system('touch PWNED'); (\"": 1,
        "a\\b": 2,
        "line\nbreak": 3,
        "其他": 4,
    }
    for note, expected in cases.items():
        values = {
            "ﬁx": Decimal(5), "fix": Decimal(2), "ｘ": Decimal("0.5"), "x": Decimal("0.25"),
            "备注": note, "评价": "__import__",
        }  # fmt: skip
        row = tuple(values[name] for name in order)
        compiled = evaluator.evaluate(row)
        assert compiled == interpreter.evaluate(row)
        scores = {i.id: compiled[i.score] for i in program.indicators}  # type: ignore[attr-defined]
        # NFKC-equivalent names stay distinct: 5 - 2 + (0.5 - 0.25) * 100
        assert scores["__class__"] == Decimal("28.00")
        assert scores["strings"] == expected
        assert scores["levels"] == Decimal("5.0")
    assert not Path("PWNED").exists()
    assert not (tmp_path / "PWNED").exists()


def test_generated_module_has_no_builtins(tmp_path: Path) -> None:
    program, module = _compile(tmp_path)
    evaluator = CompiledEvaluator(program, module)  # type: ignore[arg-type]
    namespace = evaluator._function.__globals__
    assert namespace == {"__builtins__": {}, "_make": namespace["_make"]}


def test_runtime_provides_exactly_the_factory_parameters() -> None:
    from compiler.codegen import FACTORY_PARAMETERS
    from semantics.prelude import PRELUDE as _NAMESPACE

    assert sorted(_NAMESPACE) == sorted(FACTORY_PARAMETERS)
