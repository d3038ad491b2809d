"""PDF rendering (fpdf2): embeds a subset of the bundled CJK TrueType font, so the file shows Chinese
anywhere, offline. Same page as the DOCX (A4, GB/T 9704 margins, header with the bureau and the
classification line, "— 1 —" page numbers). Text is set flush left, never justified: fpdf2 justifies
by stretching spaces, which turned "本期监测到相关信息 202 条" into wide gaps.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from fpdf import FPDF
from fpdf.enums import WrapMode
from fpdf.fonts import FontFace

from .blocks import Block, Bullets, Chart, Heading, Paragraph, Report, Table
from .fonts import FALLBACK_FAMILY, FONT_FAMILY, pdf_fonts

MARGINS_MM = {"top": 37, "bottom": 35, "left": 28, "right": 26}  # GB/T 9704
TITLE_PT = 22  # 二号
BODY_PT = 14  # a little under 三号 (16): the PDF is read on screen as often as printed
HEADING_PT = 15
META_PT = 11
TABLE_PT = 9
LINE_MM = 7.5


class _ReportPDF(FPDF):
    header_left = ""
    header_right = ""

    def header(self) -> None:
        self.set_y(20)
        self.set_font(FONT_FAMILY, size=9)
        self.set_text_color(90, 90, 90)
        self.cell(self.epw / 2, 5, self.header_left, align="L")
        self.cell(self.epw / 2, 5, self.header_right, align="R", new_x="LMARGIN", new_y="NEXT")
        self.set_draw_color(183, 28, 28)
        self.line(self.l_margin, 26, self.w - self.r_margin, 26)
        self.set_text_color(0, 0, 0)
        self.set_y(MARGINS_MM["top"])

    def footer(self) -> None:
        self.set_y(-22)
        self.set_font(FONT_FAMILY, size=12)
        self.cell(0, 8, f"— {self.page_no()} —", align="C")


def render_pdf(report: Report) -> bytes:
    """A PDF file (bytes) drawing `report` on A4 pages."""
    pdf = _ReportPDF(format="A4")
    pdf.header_left, pdf.header_right = report.bureau, report.classification
    pdf.set_margins(MARGINS_MM["left"], MARGINS_MM["top"], MARGINS_MM["right"])
    pdf.set_auto_page_break(True, margin=MARGINS_MM["bottom"])
    pdf.set_title(report.title)
    pdf.set_author(report.bureau)
    pdf.set_creator("yuqing")
    # Only the characters this document uses: fpdf2 then maps 500 glyphs, not the font's 28,000;
    # the embedded subset is the same. See fonts.py for the reduced font and its fallback.
    chars = _characters(report)
    primary, fallback = pdf_fonts(chars)
    pdf.add_font(FONT_FAMILY, fname=str(primary), unicode_range=chars)
    if fallback is not None:
        pdf.add_font(FALLBACK_FAMILY, fname=str(fallback), unicode_range=chars)
        pdf.set_fallback_fonts([FALLBACK_FAMILY])
    pdf.add_page()
    width = pdf.epw
    pdf.set_font(FONT_FAMILY, size=TITLE_PT)
    pdf.multi_cell(width, 11, report.title, align="C", new_x="LMARGIN", new_y="NEXT", wrapmode=WrapMode.CHAR)
    pdf.ln(2)
    pdf.set_font(FONT_FAMILY, size=META_PT)
    for line in report.meta:
        pdf.multi_cell(width, 6, line, align="C", new_x="LMARGIN", new_y="NEXT", wrapmode=WrapMode.CHAR)
    pdf.ln(3)
    _blocks(pdf, report.blocks)
    return bytes(pdf.output())


FURNITURE = "— 0123456789%.·　"
# 避头尾 (kinsoku): never start a line with these…
NO_LINE_START = set("，。、；：？！）」』》〉】…%,.;:?!)]}·—")
# …nor end one with these.
NO_LINE_END = set("（「『《〈【([{“‘")


def _wordish(ch: str) -> bool:
    return ch.isascii() and (ch.isalnum() or ch in ".%,:/-+")


def wrap(pdf: FPDF, text: str, width: float) -> str:
    """`text` broken into lines that fit `width` (mm) at the current font, the way Chinese is set:
    any character may end a line, except that closing punctuation never starts one and opening
    punctuation never ends one; a run of Latin letters or digits is kept whole when it fits."""
    out: list[str] = []
    widths: dict[str, float] = {}

    def w(chars: str) -> float:
        return sum(widths.setdefault(c, pdf.get_string_width(c)) for c in chars)

    for para in text.split("\n"):
        line, used = "", 0.0
        for ch in para:
            cw = w(ch)
            if used + cw <= width or not line:
                line, used = line + ch, used + cw
                continue
            # `ch` does not fit: break before it, moving characters so no rule is broken.
            carry = ""
            if _wordish(ch):
                i = len(line)
                while i > 0 and _wordish(line[i - 1]):
                    i -= 1
                if i > 0 and len(line) - i < 12:  # keep a short number or word whole ("84.6%")
                    carry, line = line[i:], line[:i]
            # the next line must not open with closing punctuation: take characters down with it
            while len(line) > 1 and (carry or ch)[0] in NO_LINE_START:
                carry, line = line[-1] + carry, line[:-1]
            while len(line) > 1 and line[-1] in NO_LINE_END:
                carry, line = line[-1] + carry, line[:-1]
            out.append(line)
            line = carry + ch
            used = w(line)
        out.append(line)
    return "\n".join(out)


def _characters(report: Report) -> set[int]:
    """Every code point the document draws (text, tables, captions, header and footer)."""
    parts = [report.title, report.bureau, report.classification, FURNITURE, *report.meta]
    for b in report.blocks:
        if isinstance(b, Heading | Paragraph):
            parts.append(b.text)
        elif isinstance(b, Bullets):
            parts += b.items
        elif isinstance(b, Table):
            parts += b.header
            parts += [cell for row in b.rows for cell in row]
        elif isinstance(b, Chart):
            parts.append(b.caption)
    return {ord(c) for c in "".join(parts) if c >= " "} | set(range(0x20, 0x7F))  # line breaks draw nothing


def _blocks(pdf: FPDF, blocks: Sequence[Block]) -> None:
    width = pdf.epw
    for block in blocks:
        if isinstance(block, Heading):
            pdf.set_font(FONT_FAMILY, size=HEADING_PT if block.level <= 1 else BODY_PT)
            pdf.ln(1.5)
            if pdf.will_page_break(30):  # keep a heading with the first lines or rows under it
                pdf.add_page()
            pdf.multi_cell(width, LINE_MM, block.text, align="L", new_x="LMARGIN", new_y="NEXT",
                           wrapmode=WrapMode.CHAR)
        elif isinstance(block, Paragraph):
            pdf.set_font(FONT_FAMILY, size=BODY_PT)
            if block.emphasis:
                pdf.set_fill_color(251, 243, 242)
            pdf.multi_cell(width, LINE_MM, wrap(pdf, "　　" + block.text, width - 0.5), align="L",
                           new_x="LMARGIN", new_y="NEXT", fill=block.emphasis, wrapmode=WrapMode.CHAR)
            pdf.ln(1)
        elif isinstance(block, Bullets):
            pdf.set_font(FONT_FAMILY, size=BODY_PT)
            for i, item in enumerate(block.items, 1):
                mark = f"{i}. " if block.numbered else "· "
                pdf.multi_cell(width, LINE_MM, wrap(pdf, "　　" + mark + item, width - 0.5), align="L",
                               new_x="LMARGIN", new_y="NEXT", wrapmode=WrapMode.CHAR)
            pdf.ln(1)
        elif isinstance(block, Table):
            _table(pdf, block)
        elif isinstance(block, Chart):
            pdf.image(io.BytesIO(block.png), w=width)
            pdf.set_font(FONT_FAMILY, size=META_PT)
            pdf.cell(width, 6, block.caption, align="C", new_x="LMARGIN", new_y="NEXT")
            pdf.ln(2)


def _table(pdf: FPDF, block: Table) -> None:
    pdf.set_font(FONT_FAMILY, size=TABLE_PT)
    widths = tuple(block.widths) if block.widths else None
    with pdf.table(
        col_widths=widths,
        headings_style=FontFace(fill_color=(235, 235, 235)),
        line_height=4.6,
        text_align="LEFT",
        wrapmode=WrapMode.CHAR,
    ) as table:
        header = table.row()
        for text in block.header:
            header.cell(text)
        for row in block.rows:
            r = table.row()
            for text in row:
                r.cell(text)
    pdf.ln(3)
