"""The CJK font every renderer uses, taken from the mplfonts package (never downloaded).

PDFs are set in a reduced copy of it (ASCII and the 7,445 characters of GB 2312, built once with
fontTools and kept in the temp directory): fpdf2 maps a quarter of the glyphs, which cuts a PDF
from about 0.6 s of font work to under 0.1 s. A character outside the reduced set is drawn from the
full font as a fallback, so nothing is lost; until the reduced copy exists (it takes a few seconds,
in a background thread, once per machine) documents use the full font.
"""

from __future__ import annotations

import logging
import os
import tempfile
import threading
from functools import lru_cache
from pathlib import Path

log = logging.getLogger(__name__)

# SimHei is TrueType (glyf outlines): matplotlib and fpdf2 both embed it in PDFs,
# which the CFF-based Noto .otf files shipped beside it would not allow.
FONT_FILE = "SimHei.ttf"
FONT_FAMILY = "SimHei"
FALLBACK_FAMILY = "SimHeiFull"
REDUCED_VERSION = 2
_building = threading.Lock()


@lru_cache(maxsize=1)
def cjk_font_path() -> Path:
    """Path of the bundled CJK TrueType font; a clear error if the package lacks it."""
    from mplfonts.conf import FONT_DIR

    path = Path(FONT_DIR) / FONT_FILE
    if not path.is_file():
        raise FileNotFoundError(f"未找到中文字体 {path}（mplfonts 安装不完整）")
    return path


@lru_cache(maxsize=1)
def reduced_charset() -> frozenset[int]:
    """Printable ASCII, Latin-1, general and CJK punctuation, full-width forms and every character of
    GB 2312 (Python's codec maps some GB 2312 punctuation to look-alikes: — U+2014, · U+00B7)."""
    chars = set(range(0x20, 0x7F)) | set(range(0xA0, 0x100)) | set(range(0x2000, 0x2070))
    chars |= set(range(0x2100, 0x2200)) | set(range(0x2460, 0x2500)) | set(range(0x3000, 0x3040))
    chars |= set(range(0xFF00, 0xFFF0))
    for b1 in range(0xA1, 0xF8):
        for b2 in range(0xA1, 0xFF):
            try:
                chars.add(ord(bytes((b1, b2)).decode("gb2312")))
            except UnicodeDecodeError:
                continue
    return frozenset(chars)


def reduced_font_path() -> Path:
    full = cjk_font_path()
    name = f"{full.stem}-gb2312-v{REDUCED_VERSION}-{full.stat().st_size}.ttf"
    return Path(tempfile.gettempdir()) / "yuqing-fonts" / name


def build_reduced_font() -> Path:
    """Write the reduced font (idempotent; safe if two processes do it at once) and return its path."""
    target = reduced_font_path()
    if target.is_file():
        return target
    from fontTools import subset, ttLib

    with _building:
        if target.is_file():
            return target
        font = ttLib.TTFont(str(cjk_font_path()), recalcTimestamp=False)
        options = subset.Options()
        options.name_IDs = ["*"]
        options.notdef_outline = True
        options.layout_features = []
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=reduced_charset())
        subsetter.subset(font)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".part")
        os.close(fd)
        font.save(tmp)
        os.replace(tmp, target)  # atomic: a reader sees the whole file or none
    return target


def _build_in_background() -> None:
    try:
        build_reduced_font()
    except Exception:  # a failure only costs speed: the full font keeps working
        log.exception("无法生成 PDF 精简字体")


def pdf_fonts(characters: set[int]) -> tuple[Path, Path | None]:
    """(font to set the PDF in, full font for characters it lacks or None)."""
    reduced = reduced_font_path()
    if not reduced.is_file():
        if not _building.locked():
            threading.Thread(target=_build_in_background, name="reduced-font", daemon=True).start()
        return cjk_font_path(), None
    return reduced, (cjk_font_path() if characters - reduced_charset() else None)
