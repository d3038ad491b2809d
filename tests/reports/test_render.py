"""HTML escapes crawled text; DOCX opens with python-docx and holds its tables; PDF has pages and Chinese."""

from __future__ import annotations

import io

import pytest
from docx import Document
from docx.oxml.ns import qn
from pypdf import PdfReader

from reports.assessment import build_assessment
from reports.briefing import build_daily
from reports.render import check_format, render_assessment, render_daily


@pytest.fixture
def daily(session, world, settings):
    return build_daily(session, settings, day=world.day, now=world.now)


def test_html_escapes_crawled_text(daily, world):
    html = render_daily(daily, "html").decode("utf-8")
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;网传统计局&amp;数据造假" in html
    assert "某市统计局舆情日报（2026年11月10日）" in html
    assert "统计时段：2026-11-09 08:00 至 2026-11-10 08:00" in html
    assert 'src="data:image/png;base64,' in html  # the hourly chart is inlined
    assert "按时 1 项" in html and "超时未回应 1 项" in html


def test_docx_has_headings_tables_and_cjk_fonts(daily):
    doc = Document(io.BytesIO(render_daily(daily, "docx")))
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith(("Heading", "Title"))]
    assert headings[0] == "某市统计局舆情日报（2026年11月10日）"
    assert "三、重点舆情（按风险排序）" in headings
    platform = doc.tables[0]
    assert [c.text for c in platform.rows[0].cells] == ["平台", "负面", "中性", "正面", "合计"]
    assert [c.text for c in platform.rows[-1].cells] == ["合计", "4", "3", "1", "8"]
    stories = doc.tables[1]
    assert stories.rows[1].cells[5].text == "88"
    assert stories.rows[2].cells[1].text.startswith('<script>alert("x")</script>')  # plain text, not markup
    assert len(doc.inline_shapes) == 1  # the chart
    rfonts = doc.styles["Normal"].element.rPr.find(qn("w:rFonts"))
    assert rfonts.get(qn("w:eastAsia")) == "宋体"


def test_pdf_has_pages_and_chinese_text(session, world, settings, daily):
    reader = PdfReader(io.BytesIO(render_daily(daily, "pdf")))
    assert len(reader.pages) >= 1
    text = "".join(page.extract_text() for page in reader.pages)
    assert "舆情日报" in text and "网传CPI数据造假" in text
    a = build_assessment(session, settings, release_id=world.cpi, now=world.now)
    pdf = render_assessment(a, "pdf")
    assert pdf.startswith(b"%PDF-")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "数据发布舆情研判" in text and "往期同类数据发布反应与预案建议" in text


def test_assessment_docx_tables(session, world, settings):
    a = build_assessment(session, settings, release_id=world.cpi, now=world.now)
    doc = Document(io.BytesIO(render_assessment(a, "docx")))
    phases = doc.tables[0]
    assert [r.cells[0].text for r in phases.rows] == ["时段", "发布前", "发布后24小时内", "发布24小时后"]
    assert [c.text for c in phases.rows[2].cells[1:4]] == ["5", "3", "60.0%"]
    previous = doc.tables[-1]
    assert [r.cells[-1].text for r in previous.rows[1:]] == ["低", "高"]


def test_unknown_format_is_refused():
    with pytest.raises(ValueError, match="不支持的格式"):
        check_format("xls")
