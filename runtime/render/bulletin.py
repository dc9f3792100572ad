"""The bulletin rendered as Markdown or HTML from its Jinja2 templates."""

from __future__ import annotations

import jinja2

from runtime.tools.bulletin import Bulletin


def render(bulletin: Bulletin, fmt: str) -> str:
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("runtime.render", "templates"),
        autoescape=fmt == "html",
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    name = "bulletin.html.j2" if fmt == "html" else "bulletin.md.j2"
    return environment.get_template(name).render(b=bulletin)
