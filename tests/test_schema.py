"""``jixiao schema`` is a valid JSON Schema that editors can use: it accepts
every bundled rule file and rejects unknown keys."""

from __future__ import annotations

from pathlib import Path
from typing import Any

# No stubs: the dev extras do not install types-jsonschema.
import jsonschema  # type: ignore[import-untyped]
import pytest

from dsl.schema import json_schema
from dsl.spans import SourceFile
from dsl.yamlsource import load_yaml, to_plain


def _load(path: Path) -> Any:
    """YAML as an editor with YAML 1.2 sees it (dates stay text; numbers are numbers).

    Plain data (dicts, lists, scalars), typed ``Any`` so that tests can index into it.
    """
    root, problems = load_yaml(SourceFile(str(path), path.read_text(encoding="utf-8")))
    assert problems == []
    return to_plain(root)


RULE_FILES = sorted(
    [*Path("rules").glob("*/*.yaml"), *Path("tests/cases/success").glob("*/ruleset.yaml")]
)


def _validator() -> jsonschema.protocols.Validator:
    schema = json_schema()
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def test_schema_is_valid_json_schema() -> None:
    _validator()


@pytest.mark.parametrize("path", RULE_FILES, ids=str)
def test_schema_accepts_bundled_rule_files(path: Path) -> None:
    data = _load(path)
    errors = list(_validator().iter_errors(data))
    assert errors == []


def test_schema_rejects_unknown_keys() -> None:
    data = _load(Path("rules/yongzhou/indicators.yaml"))
    data["indicators"][0]["scroe"] = "1"
    errors = list(_validator().iter_errors(data))
    assert len(errors) == 1
    assert "'scroe' was unexpected" in errors[0].message
    assert list(errors[0].absolute_path) == ["indicators", 0]


def test_schema_rejects_unknown_top_level_key() -> None:
    errors = list(_validator().iter_errors({"scheme": "x", "indicator": []}))
    assert [e.validator for e in errors] == ["additionalProperties"]
