"""HTML escapes crawled text; the DOCX is an A4 GB/T 9704 document that python-docx reads and LibreOffice
converts with Chinese in the text layer; the PDF has Chinese text without justified gaps."""

from __future__ import annotations

import io
import re
import shutil
import subprocess

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from pypdf import PdfReader

from yuqing.reports.assessment import build_assessment
from yuqing.reports.blocks import daily_report
from yuqing.reports.briefing import build_daily
from yuqing.reports.render import check_format, render, render_assessment, render_daily

CLASSIFICATION = "内部资料　注意保存"


@pytest.fixture
def daily(session, world, settings):
    return build_daily(session, settings, day=world.day, now=world.now)


def _pdf_text(pdf: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_html_escapes_crawled_text(daily, world):
    html = render_daily(daily, "html").decode("utf-8")
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;网传统计局&amp;数据造假" in html
    assert "某市统计局舆情日报（2026年11月10日）" in html
    assert "统计时段：2026-11-09 08:00 至 2026-11-10 08:00（北京时间；定时日报" in html
    assert 'src="data:image/png;base64,' in html  # the hourly chart is inlined
    assert "按时 1 项" in html and "超时未回应 1 项" in html


def test_page_one_order_and_incidents_once(daily):
    html = render_daily(daily, "html").decode("utf-8")
    order = [
        "舆情概况",
        "一、舆情事件",
        "二、热点舆情",
        "三、数据发布",
        "四、舆情走势",
        "五、平台分布",
        "六、重点账号",
        "七、到期工单",
        "八、工作建议",
    ]
    positions = [html.index(f">{h}<") for h in order]
    assert positions == sorted(positions)
    assert html.count("失业率数据质疑</td>") == 1  # one incident table, not 本期新发现 and 处置中 both
    assert "负面 0.92；" not in html and "情绪强烈负面（负面概率 92%）；涉及数据质量/造假质疑。" in html


def test_docx_is_a4_with_gbt9704_layout(daily):
    doc = Document(io.BytesIO(render(daily_report(daily, classification=CLASSIFICATION), "docx")))
    section = doc.sections[0]

    def mm(length: int) -> float:  # Word stores twips: compare to a tenth of a millimetre
        return round(length / Mm(1), 1)

    assert (mm(section.page_width), mm(section.page_height)) == (210, 297)
    assert (mm(section.top_margin), mm(section.bottom_margin)) == (37, 35)
    assert (mm(section.left_margin), mm(section.right_margin)) == (28, 26)

    def east_asia(style_or_run):  # type: ignore[no-untyped-def]
        return style_or_run.element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia"))

    styles = doc.styles
    assert east_asia(styles["Normal"]) == "仿宋_GB2312" and styles["Normal"].font.size == Pt(16)
    assert east_asia(styles["Title"]) == "方正小标宋简体" and styles["Title"].font.size == Pt(22)
    assert east_asia(styles["Heading 1"]) == "黑体" and east_asia(styles["Heading 2"]) == "楷体_GB2312"
    for name in ("Title", "Heading 1", "Heading 2"):
        assert str(styles[name].font.color.rgb) == "000000"  # never Word's default blue
        rfonts = styles[name].element.rPr.find(qn("w:rFonts"))
        assert rfonts.get(qn("w:asciiTheme")) is None and rfonts.get(qn("w:eastAsiaTheme")) is None
    title = doc.paragraphs[0]
    assert title.style.name == "Title" and title.text == "某市统计局舆情日报（2026年11月10日）"
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert headings[:3] == ["舆情概况", "一、舆情事件", "二、热点舆情"]
    header = section.header.paragraphs[0].text
    assert header == f"某市统计局\t{CLASSIFICATION}"
    footer_xml = section.footer.paragraphs[0]._p.xml
    assert "PAGE" in footer_xml and "— " in section.footer.paragraphs[0].text
    # the bundled font is the declared fallback of each Chinese face
    font_table = next(
        p for p in doc.part.package.parts if p.partname.endswith("/fontTable.xml")
    ).blob.decode()
    assert re.search(r'w:name="仿宋_GB2312".*?w:altName w:val="SimHei"', font_table, re.S)
    platform = next(t for t in doc.tables if t.rows[0].cells[0].text == "平台")
    assert [c.text for c in platform.rows[-1].cells] == ["合计", "4", "3", "1", "8"]
    stories = next(t for t in doc.tables if t.rows[0].cells[1].text == "内容")
    assert stories.rows[1].cells[4].text == "88"
    assert stories.rows[2].cells[1].text.startswith('<script>alert("x")</script>')  # plain text, not markup
    assert len(doc.inline_shapes) == 1  # the chart


def test_docx_converts_with_libreoffice_and_keeps_chinese_text(daily, tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice (libreoffice-writer-nogui) is required: make test installs it"
    src = tmp_path / "briefing.docx"
    src.write_bytes(render(daily_report(daily, classification=CLASSIFICATION), "docx"))
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{tmp_path}/lo",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(src),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    reader = PdfReader(tmp_path / "briefing.pdf")
    box = reader.pages[0].mediabox
    assert (round(float(box.width) / 72 * 25.4), round(float(box.height) / 72 * 25.4)) == (210, 297)
    text = re.sub(r"\s+", "", "".join(p.extract_text() for p in reader.pages))
    assert "舆情概况" in text and "网传CPI数据造假" in text and "本期共监测到相关信息8条" in text


def test_pdf_has_chinese_text_without_justified_gaps(session, world, settings, daily):
    text = _pdf_text(render_daily(daily, "pdf", classification=CLASSIFICATION))
    flat = text.replace("\n", "")
    assert "本期共监测到相关信息 8 条（4 个话题）" in flat  # single spaces: set flush left, not justified
    assert "舆情日报" in flat and "网传CPI数据造假" in flat and CLASSIFICATION in flat
    a = build_assessment(session, settings, release_id=world.cpi, now=world.now)
    pdf = render_assessment(a, "pdf")
    assert pdf.startswith(b"%PDF-")
    flat = _pdf_text(pdf).replace("\n", "")
    assert "数据发布舆情研判" in flat and "往期同类数据发布反应" in flat and "舆情应对预案" in flat


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


def test_pdf_set_in_the_reduced_font_falls_back_for_rare_characters():
    from yuqing.reports.blocks import Paragraph, Report
    from yuqing.reports.fonts import build_reduced_font, pdf_fonts, reduced_charset

    reduced = build_reduced_font()
    common = {ord(c) for c in "张三发布权威信息"}
    assert pdf_fonts(common) == (reduced, None)
    rare = "陶喆、王珺"  # 喆 and 珺 are outside GB 2312
    assert ord("喆") not in reduced_charset() and pdf_fonts({ord(c) for c in rare})[1] is not None
    blocks = [Paragraph(f"责任人：{rare}")]
    report = Report(title="测试", meta=[], blocks=blocks, bureau="某局", classification="", kind_label="")
    assert "责任人：陶喆、王珺" in _pdf_text(render(report, "pdf")).replace("\n", "")


def test_pdf_lines_break_the_chinese_way():
    """避头尾: no line starts with closing punctuation or ends with opening; "84.6%" stays whole."""
    from fpdf import FPDF

    from yuqing.reports.fonts import cjk_font_path
    from yuqing.reports.render_pdf import NO_LINE_END, NO_LINE_START, wrap

    pdf = FPDF()
    pdf.add_font("S", fname=str(cjk_font_path()))
    pdf.add_page()
    pdf.set_font("S", size=14)
    text = (
        "　　本期共监测到相关信息 2 条（2 个话题），较前一时段下降 84.6%；其中负面信息 2 条，占 100.0%。"
        "目前处置中的舆情事件 2 起（特别重大（I级） 1 起、重大（II级） 1 起），本期新发现 1 起、关闭 0 起。"
    )
    for width in (60, 90, 120, 150):
        lines = wrap(pdf, text, width).split("\n")
        assert "".join(lines) == text
        for line in lines:
            assert pdf.get_string_width(line) <= width + 0.01
            assert line[:1] not in NO_LINE_START and line[-1:] not in NO_LINE_END
        assert not any("84.6%" not in line and line in "84.6%" for line in lines)  # never split
        assert sum("84.6%" in line for line in lines) == 1
