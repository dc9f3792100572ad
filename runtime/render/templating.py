"""The Jinja2 templates of ``runtime/render/templates``, loaded one way: strict
about undefined names, block tags trimmed, HTML escaped unless told otherwise."""

from __future__ import annotations

import jinja2


def package_template(name: str, autoescape: bool = True) -> jinja2.Template:
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("runtime.render", "templates"),
        autoescape=autoescape,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    return environment.get_template(name)
