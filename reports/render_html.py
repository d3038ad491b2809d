"""HTML rendering (Jinja2, autoescape always on: crawled titles and texts are untrusted).

One template draws any `Report` from its blocks, so the HTML says exactly what the DOCX and PDF say.
"""

from __future__ import annotations

import base64
from functools import lru_cache

from jinja2 import Environment, PackageLoader, StrictUndefined

from .blocks import Bullets, Chart, Heading, Paragraph, Report, Table


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("yuqing.reports", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["b64"] = lambda png: base64.b64encode(png).decode("ascii")
    env.tests["heading"] = lambda b: isinstance(b, Heading)
    env.tests["paragraph"] = lambda b: isinstance(b, Paragraph)
    env.tests["bullets"] = lambda b: isinstance(b, Bullets)
    env.tests["table"] = lambda b: isinstance(b, Table)
    env.tests["chart"] = lambda b: isinstance(b, Chart)
    return env


def render_html(report: Report) -> str:
    """The report as one self-contained HTML page (charts inlined as data: URIs)."""
    return environment().get_template("document.html").render(r=report)
