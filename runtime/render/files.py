"""Writing a command's output: files named with ``--out`` and reproducible workbooks.

Every renderer that writes a file goes through here, so an unwritable
target is reported the same way (E0912, exit code 2) and an XLSX workbook has
the same bytes for the same content whichever renderer made it.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable
from pathlib import Path

from dsl.messages import render_message


class OutputError(Exception):
    """An output file that cannot be written (E0912): a usage or I/O problem,
    exit code 2; the text is already in the user's language."""


def write_output(content: str | bytes, target: str, lang: str) -> None:
    """Write a command's output to the file ``target``: text as UTF-8, a
    workbook as its bytes.  A file that cannot be written (a folder that does
    not exist, no permission) is ``OutputError`` naming the file and why."""
    try:
        if isinstance(content, bytes):
            Path(target).write_bytes(content)
        else:
            Path(target).write_text(content, encoding="utf-8")
    except OSError as error:
        args = {"path": target, "problem": error.strerror or str(error)}
        raise OutputError(render_message("E0912", lang, args)) from None


def write_chunks(chunks: Iterable[str], target: str, lang: str) -> None:
    """``write_output`` for text made a piece at a time (large JSON): written
    as it comes, the same bytes as writing the joined text."""
    try:
        with Path(target).open("w", encoding="utf-8") as handle:
            handle.writelines(chunks)
    except OSError as error:
        args = {"path": target, "problem": error.strerror or str(error)}
        raise OutputError(render_message("E0912", lang, args)) from None


def fixed_zip(data: bytes) -> bytes:
    """The same archive with every entry dated 1980-01-01, so bytes depend on content only."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps the save time
                content = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                    rb"\g<1>2000-01-01T00:00:00Z\g<2>",
                    content,
                )
            target.writestr(fixed, content)
    return out.getvalue()
