"""Defects found in the docs review ("Current limitations"), second round, each
fixed with its test."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.clirun import run


def _variant(tmp_path: Path, edit: dict[str, tuple[str, str]]) -> Path:
    """A copy of the bundled rules with one text replaced in each named file."""
    folder = tmp_path / "rules"
    shutil.copytree("rules/yongzhou", folder)
    for name, (old, new) in edit.items():
        path = folder / name
        text = path.read_text(encoding="utf-8")
        assert text.count(old) == 1, (name, old)
        path.write_text(text.replace(old, new), encoding="utf-8")
    return folder


def _findings(folder: Path, lang: str, *command: str) -> list[str]:
    """The concise diagnostics of ``jixiao COMMAND FOLDER``, the folder written RULES."""
    _, _, err = run(*command, str(folder), "--lang", lang, "--output-format", "concise")
    return [line.replace(str(folder), "RULES") for line in err.splitlines() if line.strip()]


def _verify(folder: Path, lang: str) -> list[str]:
    return _findings(folder, lang, "verify", "--examples", "1")


# -- V0107 names sections or people, and its kind in Chinese ------------------


def test_overall_cap_that_never_binds_names_its_subjects(tmp_path: Path) -> None:
    """With bonus_cap 4 the sections' bonus caps (2 + 1 + 1) never reach it
    either: one warning for sections, one for people, each saying which."""
    folder = _variant(tmp_path, {"items.yaml": ("  bonus_cap: 3\n", "  bonus_cap: 4\n")})
    en = [line for line in _verify(folder, "en") if "V0107" in line]
    assert en == [
        "RULES/items.yaml:5:14: warning[V0107]: the overall bonus cap 4 never binds for "
        "sections: their bonus items' own caps add up to at most 4",
        "RULES/items.yaml:5:14: warning[V0107]: the overall bonus cap 4 never binds for "
        "people: their bonus items' own caps add up to at most 2",
        "RULES/items.yaml:6:18: warning[V0107]: the overall deduction cap 5 never binds for "
        "people: their deduction items' own caps add up to at most 5",
    ]
    zh = [line for line in _verify(folder, "zh") if "V0107" in line]
    assert zh == [
        "RULES/items.yaml:5:14: 警告[V0107]: 科室加分合计上限 4 永远不会起作用："
        "科室各加分项目的上限加起来最多只有 4",
        "RULES/items.yaml:5:14: 警告[V0107]: 个人加分合计上限 4 永远不会起作用："
        "个人各加分项目的上限加起来最多只有 2",
        "RULES/items.yaml:6:18: 警告[V0107]: 个人扣分合计上限 5 永远不会起作用："
        "个人各扣分项目的上限加起来最多只有 5",
    ]
    assert not any("bonus" in line or "deduction" in line for line in zh)
