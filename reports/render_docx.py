"""DOCX rendering (python-docx) laid out as offices print official documents (GB/T 9704-2012):
A4; margins 37 mm top, 35 mm bottom, 28 mm left, 26 mm right; title 方正小标宋简体 2号 centred; body
仿宋_GB2312 3号 at a fixed 28-point line pitch; first-level headings 黑体, second-level 楷体_GB2312;
page numbers "— 1 —" in 宋体 4号; a header carrying the bureau's name and the classification line.

Fonts a machine lacks fall back to the bundled CJK font: each face is declared in the font table with
that font as its alternative name (w:altName), which Word and LibreOffice both honour. Heading styles
are redefined (black, no theme fonts), so Word's default blue headings never appear.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from .blocks import Block, Bullets, Chart, Heading, Paragraph, Report, Table
from .fonts import FONT_FAMILY

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
H1_FONT = "黑体"
H2_FONT = "楷体_GB2312"
PAGE_NUMBER_FONT = "宋体"
LATIN_FONT = "Times New Roman"
SIZE_2 = Pt(22)  # 二号
SIZE_3 = Pt(16)  # 三号
SIZE_4 = Pt(14)  # 四号
SIZE_TABLE = Pt(10.5)  # 五号: tables would not fit in 三号
LINE_PITCH = Pt(28)  # 22 lines a page
BLACK = RGBColor(0, 0, 0)
FALLBACKS = (TITLE_FONT, BODY_FONT, H1_FONT, H2_FONT, PAGE_NUMBER_FONT)


def _fonts(target, east_asia: str, size: Pt | None = None, *, bold: bool | None = None) -> None:  # type: ignore[no-untyped-def]
    """Latin and East Asian font names on a style or run, theme fonts removed."""
    font = target.font
    font.name = LATIN_FONT
    if size is not None:
        font.size = size
    if bold is not None:
        font.bold = bold
    font.color.rgb = BLACK
    rpr = target.element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(qn(attr), None)
    rfonts.set(qn("w:ascii"), LATIN_FONT)
    rfonts.set(qn("w:hAnsi"), LATIN_FONT)
    rfonts.set(qn("w:eastAsia"), east_asia)


def _paragraph_format(  # type: ignore[no-untyped-def]
    style, *, align=None, indent: bool = False, before: float = 0, after: float = 0
) -> None:
    pf = style.paragraph_format
    pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    pf.line_spacing = LINE_PITCH
    pf.space_before = Pt(before)
    pf.space_after = Pt(after)
    pf.first_line_indent = Pt(32) if indent else Pt(0)  # two characters of 三号
    if align is not None:
        pf.alignment = align


def _styles(doc) -> None:  # type: ignore[no-untyped-def]
    styles = doc.styles
    _fonts(styles["Normal"], BODY_FONT, SIZE_3)
    _paragraph_format(styles["Normal"], indent=True, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    for name, font, size, align in (
        ("Title", TITLE_FONT, SIZE_2, WD_ALIGN_PARAGRAPH.CENTER),
        ("Heading 1", H1_FONT, SIZE_3, WD_ALIGN_PARAGRAPH.LEFT),
        ("Heading 2", H2_FONT, SIZE_3, WD_ALIGN_PARAGRAPH.LEFT),
    ):
        style = styles[name]
        _fonts(style, font, size, bold=False)
        _paragraph_format(style, align=align, indent=name != "Title", after=12 if name == "Title" else 0)
        pf = style.paragraph_format
        pf.keep_with_next = True
        if name == "Title":
            pf.line_spacing = Pt(36)
            # Word's Title style draws a blue rule under the text: drop the paragraph border.
            ppr = style.element.get_or_add_pPr()
            for border in ppr.findall(qn("w:pBdr")):
                ppr.remove(border)
    for name in ("List Number", "List Bullet"):
        _fonts(styles[name], BODY_FONT, SIZE_3)
        _paragraph_format(styles[name])
    for name in ("Header", "Footer"):
        _fonts(styles[name], BODY_FONT, Pt(10.5))


def _font_table(doc) -> None:  # type: ignore[no-untyped-def]
    """Declare each Chinese face with the bundled font as its fallback (w:altName)."""
    part = next((p for p in doc.part.package.parts if p.partname.endswith("/fontTable.xml")), None)
    if part is None:
        return
    from lxml import etree

    root = etree.fromstring(part.blob)
    known = {f.get(qn("w:name")) for f in root.findall(qn("w:font"))}
    for name in FALLBACKS:
        if name in known:
            continue
        font = etree.SubElement(root, qn("w:font"))
        font.set(qn("w:name"), name)
        alt = etree.SubElement(font, qn("w:altName"))
        alt.set(qn("w:val"), FONT_FAMILY)
        charset = etree.SubElement(font, qn("w:charset"))
        charset.set(qn("w:val"), "86")  # GB2312
        family = etree.SubElement(font, qn("w:family"))
        family.set(qn("w:val"), "modern" if name in (H1_FONT,) else "roman")
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _field(run, instr: str) -> None:  # type: ignore[no-untyped-def]
    """A Word field (PAGE) inside `run`."""
    for kind, text in (("begin", None), (None, instr), ("separate", None), (None, "1"), ("end", None)):
        if kind is not None:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        elif text == instr:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = f" {instr} "
        else:
            el = OxmlElement("w:t")
            el.text = text
        run._r.append(el)


def _page_furniture(section, report: Report) -> None:  # type: ignore[no-untyped-def]
    header = section.header.paragraphs[0]
    header.paragraph_format.first_line_indent = Pt(0)
    width = section.page_width - section.left_margin - section.right_margin
    # Word's Header style brings Letter-sized centre and right tabs (3.25", 6.5"): clear them, then
    # one right tab at the A4 text width puts the classification line flush right.
    tabs = header.paragraph_format.tab_stops
    for stop in list(header.style.paragraph_format.tab_stops):
        tabs.add_tab_stop(stop.position, alignment=WD_TAB_ALIGNMENT.CLEAR)
    tabs.add_tab_stop(width, alignment=WD_TAB_ALIGNMENT.RIGHT)
    run = header.add_run(f"{report.bureau}\t{report.classification}")
    _fonts(run, BODY_FONT, Pt(10.5))
    ppr = header._p.get_or_add_pPr()
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for k, v in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "B71C1C")):
        bottom.set(qn(k), v)
    border.append(bottom)
    ppr.append(border)
    footer = section.footer.paragraphs[0]
    footer.paragraph_format.first_line_indent = Pt(0)
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for part in ("— ", None, " —"):
        run = footer.add_run(part or "")
        _fonts(run, PAGE_NUMBER_FONT, SIZE_4)
        if part is None:
            _field(run, "PAGE")


def render_docx(report: Report) -> bytes:
    """A .docx file (bytes) drawing `report`."""
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.header_distance, section.footer_distance = Mm(15), Mm(20)
    usable = section.page_width - section.left_margin - section.right_margin
    _styles(doc)
    _font_table(doc)
    _page_furniture(section, report)
    doc.core_properties.title = report.title
    doc.core_properties.author = report.bureau
    doc.add_paragraph(report.title, style="Title")
    for line in report.meta:
        p = doc.add_paragraph()
        p.paragraph_format.first_line_indent = Pt(0)
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _fonts(p.add_run(line), H2_FONT, Pt(12))
    _blocks(doc, report.blocks, usable)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _blocks(doc, blocks: Sequence[Block], usable: int) -> None:  # type: ignore[no-untyped-def]
    for block in blocks:
        if isinstance(block, Heading):
            doc.add_paragraph(block.text, style="Heading 1" if block.level <= 1 else "Heading 2")
        elif isinstance(block, Paragraph):
            p = doc.add_paragraph()
            run = p.add_run(block.text)
            if block.emphasis:  # 楷体 sets a conclusion apart, as offices do, without a wall of bold
                _fonts(run, H2_FONT, SIZE_3)
        elif isinstance(block, Bullets):
            for i, item in enumerate(block.items, 1):
                doc.add_paragraph(f"{i}. {item}" if block.numbered else f"· {item}")
        elif isinstance(block, Table):
            _table(doc, block, usable)
        elif isinstance(block, Chart):
            p = doc.add_paragraph()
            p.paragraph_format.first_line_indent = Pt(0)
            p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            p.add_run().add_picture(io.BytesIO(block.png), width=usable)
            cap = doc.add_paragraph()
            cap.paragraph_format.first_line_indent = Pt(0)
            cap.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _fonts(cap.add_run(block.caption), H2_FONT, Pt(12))


def _cell(cell, text: str, *, bold: bool = False) -> None:  # type: ignore[no-untyped-def]
    cell.text = ""
    p = cell.paragraphs[0]
    pf = p.paragraph_format
    pf.first_line_indent = Pt(0)
    pf.line_spacing_rule = WD_LINE_SPACING.SINGLE
    pf.alignment = WD_ALIGN_PARAGRAPH.LEFT
    run = p.add_run(text)
    _fonts(run, H1_FONT if bold else BODY_FONT, SIZE_TABLE)


def _table(doc, block: Table, usable: int) -> None:  # type: ignore[no-untyped-def]
    table = doc.add_table(rows=1, cols=len(block.header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(table.rows[0].cells, block.header, strict=True):
        _cell(cell, text, bold=True)
    for row in block.rows:
        for cell, text in zip(table.add_row().cells, row, strict=True):
            _cell(cell, text)
    widths = block.widths or [1.0] * len(block.header)
    total = sum(widths)
    table.autofit = False  # fixed layout: LibreOffice and Word both keep the grid's widths
    for col, w in zip(table.columns, widths, strict=True):
        col.width = int(usable * w / total)
        for cell in col.cells:
            cell.width = int(usable * w / total)
    spacer = doc.add_paragraph()
    spacer.paragraph_format.line_spacing = Pt(8)
