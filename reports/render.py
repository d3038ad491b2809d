"""One entry point per format: a `Report` to bytes, plus the media type to serve them with."""

from __future__ import annotations

from typing import Literal

from .blocks import Report

Format = Literal["html", "docx", "pdf"]
FORMATS: tuple[Format, ...] = ("html", "docx", "pdf")
MEDIA_TYPES = {
    "html": "text/html; charset=utf-8",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


def check_format(fmt: str) -> Format:
    if fmt not in MEDIA_TYPES:
        raise ValueError(f"不支持的格式 {fmt!r}：可选 html、docx、pdf")
    return fmt  # type: ignore[return-value]


def render(report: Report, fmt: str) -> bytes:
    """`report` as HTML, DOCX or PDF bytes."""
    fmt = check_format(fmt)
    if fmt == "html":
        from .render_html import render_html

        return render_html(report).encode("utf-8")
    if fmt == "docx":
        from .render_docx import render_docx

        return render_docx(report)
    from .render_pdf import render_pdf

    return render_pdf(report)


def filename(stem: str, fmt: str) -> str:
    return f"{stem}.{check_format(fmt)}"


def render_daily(b, fmt: str, *, classification: str = "") -> bytes:  # type: ignore[no-untyped-def]
    """A daily briefing (`DailyBriefing`) as bytes."""
    from .blocks import daily_report

    return render(daily_report(b, classification=classification), fmt)


def render_assessment(a, fmt: str, *, classification: str = "") -> bytes:  # type: ignore[no-untyped-def]
    """A release assessment (`ReleaseAssessment`) as bytes."""
    from .blocks import assessment_report

    return render(assessment_report(a, classification=classification), fmt)
