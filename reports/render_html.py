"""HTML rendering (Jinja2, autoescape always on: crawled titles and texts are untrusted)."""

from __future__ import annotations

import base64
from functools import lru_cache

from jinja2 import Environment, PackageLoader, StrictUndefined

from .assessment import ReleaseAssessment
from .briefing import DailyBriefing
from .charts import hourly_chart_png
from .timefmt import fmt_dt, fmt_short


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("reports", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["dt"] = fmt_dt
    env.filters["short"] = fmt_short
    return env


def _chart_b64(png: bytes | None) -> str | None:
    return None if png is None else base64.b64encode(png).decode("ascii")


def daily_html(b: DailyBriefing, *, charts: bool = True) -> str:
    """The daily briefing as one self-contained HTML page (chart inlined as a data: URI)."""
    chart = _chart_b64(hourly_chart_png(b.hours, title="分时信息量（北京时间）")) if charts else None
    return environment().get_template("daily.html").render(b=b, chart=chart)


def assessment_html(a: ReleaseAssessment, *, charts: bool = True) -> str:
    """The release assessment as one self-contained HTML page."""
    chart = _chart_b64(hourly_chart_png(a.hours, title="发布前后分时信息量（北京时间）")) if charts else None
    return environment().get_template("assessment.html").render(a=a, chart=chart)
