"""A4 PDF from an HTML page, printed by the system's headless Chromium.

The HTML renderers already lay a page out for print (``@page`` size and
margins, headings kept with what follows, table headers repeated), and
Chromium shapes CJK text with the machine's fonts, so printing their HTML is
the one path to a PDF: the bulletin, the dry-run report and the warning
tables share it.  Each print runs in a fresh temporary profile with the
network-facing features off, so nothing of the user's browser is read or
written.

Chromium stamps the print time into the PDF (``/CreationDate``,
``/ModDate``); both are overwritten here with a fixed date of the same length,
so byte offsets stay valid.  With the same Chromium and fonts the same page
gives the same bytes; another Chromium version or font set may lay it out
differently (checked in ``tests/test_office_documents.py``).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from dsl.messages import render_message
from runtime.render.files import OutputError

# The environment variable naming the browser, for machines where it has another name.
BROWSER_VARIABLE = "JIXIAO_CHROMIUM"
_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-pdf-header-footer",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)
_DATE = re.compile(rb"(/(?:CreationDate|ModDate) ?\(D:)([^)]*)\)")
_TIMEOUT_SECONDS = 180


def _browser(lang: str) -> str:
    """The Chromium to run, or ``OutputError`` (E0916, exit code 2) saying to install it."""
    named = os.environ.get(BROWSER_VARIABLE)
    found = (named if os.access(named, os.X_OK) else None) if named else None
    if not named:
        found = next((path for path in map(shutil.which, _NAMES) if path), None)
    if found is None:
        browser = named or "chromium"
        message = render_message("E0916", lang, {"browser": browser})
        hint = render_message("E0916.help", lang, {})
        raise OutputError(f"--format pdf: error[E0916]: {message}\n  = {hint}")
    return found


def _fixed_dates(pdf: bytes) -> bytes:
    """Every ``/CreationDate`` and ``/ModDate`` set to 2000-01-01 00:00:00 (its
    zone to 00'00), digit for digit, so the length and every offset stay."""

    def fixed(match: re.Match[bytes]) -> bytes:
        digits = iter(b"20000101000000")
        stamp = bytes(next(digits, 48) if 48 <= c <= 57 else c for c in match.group(2))
        return match.group(1) + stamp + b")"

    return _DATE.sub(fixed, pdf)


def print_pdf(html: str, lang: str) -> bytes:
    """The PDF Chromium prints from ``html`` (its ``@page`` rule sets paper and margins)."""
    browser = _browser(lang)
    with tempfile.TemporaryDirectory(prefix="jixiao-pdf-") as folder:
        page, target = Path(folder, "page.html"), Path(folder, "page.pdf")
        page.write_text(html, encoding="utf-8")
        command = [
            browser,
            *_FLAGS,
            f"--user-data-dir={Path(folder, 'profile')}",
            f"--print-to-pdf={target}",
            page.as_uri(),
        ]
        try:
            done = subprocess.run(
                command, capture_output=True, timeout=_TIMEOUT_SECONDS, check=False
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            problem = str(error)
            raise OutputError(
                "--format pdf: error[E0917]: " + render_message("E0917", lang, {"problem": problem})
            ) from None
        if not target.is_file() or target.stat().st_size == 0:
            lines = done.stderr.decode("utf-8", "replace").strip().splitlines()
            problem = lines[-1] if lines else f"exit code {done.returncode}"
            raise OutputError(
                "--format pdf: error[E0917]: " + render_message("E0917", lang, {"problem": problem})
            )
        return _fixed_dates(target.read_bytes())
