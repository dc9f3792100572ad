"""The pre-commit hooks a rule repository can use: each runs a real jixiao
command, and with the arguments the file's own example gives, each passes on
the bundled rules."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from tests.clirun import run

HOOKS = Path(".pre-commit-hooks.yaml")


def test_every_hook_runs_its_command_and_passes_on_the_bundled_rules() -> None:
    text = HOOKS.read_text(encoding="utf-8")
    hooks = yaml.safe_load(text)
    assert [h["id"] for h in hooks] == ["jixiao-check", "jixiao-verify", "jixiao-test"]
    # The example at the top of the file: "- id: NAME" then "args: [...]".
    examples = dict(re.findall(r"#\s+- id: (\S+)\n#\s+args: (\[.*\])", text))
    for hook in hooks:
        program, command = hook["entry"].split()
        assert program == "jixiao" and hook["pass_filenames"] is False
        args = yaml.safe_load(examples[hook["id"]])
        code, _, err = run(command, *[str(a) for a in args], "--lang", "en")
        assert code == 0, (hook["id"], err)
