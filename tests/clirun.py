"""Run the ``jixiao`` command line in-process and capture what it prints.

Shared by every test that drives the CLI, so they all call it the same way.
"""

from __future__ import annotations

import io

from runtime import cli


def run(*argv: str) -> tuple[int, str, str]:
    """Return the exit code, standard output and standard error of ``jixiao ARGV``."""
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()
