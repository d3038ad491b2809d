"""One entry point per report and format: bytes plus the media type to serve them with."""

from __future__ import annotations

from typing import Literal

from .assessment import ReleaseAssessment
from .blocks import assessment_blocks, daily_blocks
from .briefing import DailyBriefing

Format = Literal["html", "docx", "pdf"]
MEDIA_TYPES = {
    "html": "text/html; charset=utf-8",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


def check_format(fmt: str) -> Format:
    if fmt not in MEDIA_TYPES:
        raise ValueError(f"不支持的格式 {fmt!r}：可选 html、docx、pdf")
    return fmt  # type: ignore[return-value]


def render_daily(b: DailyBriefing, fmt: str) -> bytes:
    fmt = check_format(fmt)
    if fmt == "html":
        from .render_html import daily_html

        return daily_html(b).encode("utf-8")
    if fmt == "docx":
        from .render_docx import render_docx

        return render_docx(daily_blocks(b))
    from .render_pdf import render_pdf

    return render_pdf(daily_blocks(b), footer=b.title)


def render_assessment(a: ReleaseAssessment, fmt: str) -> bytes:
    fmt = check_format(fmt)
    if fmt == "html":
        from .render_html import assessment_html

        return assessment_html(a).encode("utf-8")
    if fmt == "docx":
        from .render_docx import render_docx

        return render_docx(assessment_blocks(a))
    from .render_pdf import render_pdf

    return render_pdf(assessment_blocks(a), footer=a.report_title)


def filename(stem: str, fmt: str) -> str:
    return f"{stem}.{check_format(fmt)}"
