"""DOCX rendering (python-docx): real headings and tables, Chinese fonts set via w:eastAsia
so Word does not fall back to a Latin font for CJK text."""

from __future__ import annotations

import io
from collections.abc import Sequence

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from .blocks import Block, Bullets, Chart, Heading, Paragraph, Table

BODY_FONT = "宋体"
HEADING_FONT = "黑体"


def _set_font(style_font, name: str) -> None:  # type: ignore[no-untyped-def]
    """Latin and East Asian font names both, on a style's or a run's font."""
    style_font.name = name
    rpr = style_font.element.get_or_add_rPr() if hasattr(style_font, "element") else None
    if rpr is None:
        return
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(rfonts)
    rfonts.set(qn("w:eastAsia"), name)


def _style_fonts(doc) -> None:  # type: ignore[no-untyped-def]
    for style in doc.styles:
        if not hasattr(style, "font"):
            continue
        name = HEADING_FONT if style.name.startswith(("Heading", "Title")) else BODY_FONT
        style.font.name = name
        rpr = style.element.get_or_add_rPr()
        rfonts = rpr.find(qn("w:rFonts"))
        if rfonts is None:
            rfonts = rpr.makeelement(qn("w:rFonts"), {})
            rpr.append(rfonts)
        rfonts.set(qn("w:eastAsia"), name)
    doc.styles["Normal"].font.size = Pt(11)


def render_docx(blocks: Sequence[Block]) -> bytes:
    """A .docx file (bytes) drawing `blocks`."""
    doc = Document()
    section = doc.sections[0]
    section.left_margin = section.right_margin = Cm(2)
    usable = section.page_width - section.left_margin - section.right_margin
    _style_fonts(doc)
    for block in blocks:
        if isinstance(block, Heading):
            doc.add_heading(block.text, level=block.level)
        elif isinstance(block, Paragraph):
            p = doc.add_paragraph()
            p.add_run(block.text).bold = block.emphasis
        elif isinstance(block, Bullets):
            style = "List Number" if block.numbered else "List Bullet"
            for item in block.items:
                doc.add_paragraph(item, style=style)
        elif isinstance(block, Table):
            _table(doc, block, usable)
        elif isinstance(block, Chart):
            doc.add_picture(io.BytesIO(block.png), width=usable)
            doc.add_paragraph(block.caption).alignment = 1
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _table(doc, block: Table, usable: int) -> None:  # type: ignore[no-untyped-def]
    table = doc.add_table(rows=1, cols=len(block.header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(table.rows[0].cells, block.header, strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(text).bold = True
    for row in block.rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            cell.text = text
    if block.widths:
        total = sum(block.widths)
        for col, w in zip(table.columns, block.widths, strict=True):
            for cell in col.cells:
                cell.width = int(usable * w / total)
    doc.add_paragraph()
