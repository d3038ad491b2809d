"""PDF rendering (fpdf2): embeds a subset of the bundled CJK TrueType font, so the file
shows Chinese anywhere, offline; tables and charts drawn from the same blocks as DOCX."""

from __future__ import annotations

import io
from collections.abc import Sequence

from fpdf import FPDF
from fpdf.fonts import FontFace

from .blocks import Block, Bullets, Chart, Heading, Paragraph, Table
from .fonts import FONT_FAMILY, cjk_font_path

HEADING_SIZES = {0: 18, 1: 14, 2: 12}


class _ReportPDF(FPDF):
    footer_text = ""

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT_FAMILY, size=8)
        self.cell(0, 8, f"{self.footer_text}　第 {self.page_no()} 页", align="C")


def render_pdf(blocks: Sequence[Block], *, footer: str = "") -> bytes:
    """A PDF file (bytes) drawing `blocks` on A4 pages."""
    pdf = _ReportPDF(format="A4")
    pdf.footer_text = footer
    pdf.set_margins(15, 15, 15)
    pdf.set_auto_page_break(True, margin=18)
    pdf.add_font(FONT_FAMILY, fname=str(cjk_font_path()))
    pdf.add_font(FONT_FAMILY, style="B", fname=str(cjk_font_path()))  # SimHei has no bold face
    pdf.add_page()
    width = pdf.epw
    for block in blocks:
        if isinstance(block, Heading):
            pdf.set_font(FONT_FAMILY, size=HEADING_SIZES.get(block.level, 11))
            pdf.ln(2)
            pdf.multi_cell(
                width, 8, block.text, align="C" if block.level == 0 else "L", new_x="LMARGIN", new_y="NEXT"
            )
            pdf.ln(1)
        elif isinstance(block, Paragraph):
            pdf.set_font(FONT_FAMILY, size=11 if block.emphasis else 10)
            pdf.multi_cell(width, 6, block.text, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1)
        elif isinstance(block, Bullets):
            pdf.set_font(FONT_FAMILY, size=10)
            for i, item in enumerate(block.items, 1):
                mark = f"{i}. " if block.numbered else "· "
                pdf.multi_cell(width, 6, mark + item, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1)
        elif isinstance(block, Table):
            _table(pdf, block)
        elif isinstance(block, Chart):
            pdf.image(io.BytesIO(block.png), w=width)
            pdf.set_font(FONT_FAMILY, size=9)
            pdf.cell(width, 6, block.caption, align="C", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _table(pdf: FPDF, block: Table) -> None:
    pdf.set_font(FONT_FAMILY, size=8)
    widths = tuple(block.widths) if block.widths else None
    with pdf.table(
        col_widths=widths,
        headings_style=FontFace(fill_color=(235, 235, 235)),
        line_height=5,
        text_align="LEFT",
    ) as table:
        header = table.row()
        for text in block.header:
            header.cell(text)
        for row in block.rows:
            r = table.row()
            for text in row:
                r.cell(text)
    pdf.ln(3)
