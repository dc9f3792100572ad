"""The Jinja2 templates of ``runtime/render/templates``, loaded one way: strict
about undefined names, block tags trimmed, HTML escaped unless told otherwise."""

from __future__ import annotations

import functools

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


@functools.cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("runtime.render", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )


def cached_template(name: str) -> jinja2.Template:
    """A template escaped and parsed once per process: the web workbench
    renders pages on every request (documents are rendered once)."""
    return _environment().get_template(name)
