"""The CJK font every renderer uses, taken from the mplfonts package (never downloaded)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

# SimHei is TrueType (glyf outlines): matplotlib and fpdf2 both embed it in PDFs,
# which the CFF-based Noto .otf files shipped beside it would not allow.
FONT_FILE = "SimHei.ttf"
FONT_FAMILY = "SimHei"


@lru_cache(maxsize=1)
def cjk_font_path() -> Path:
    """Path of the bundled CJK TrueType font; a clear error if the package lacks it."""
    from mplfonts.conf import FONT_DIR

    path = Path(FONT_DIR) / FONT_FILE
    if not path.is_file():
        raise FileNotFoundError(f"未找到中文字体 {path}（mplfonts 安装不完整）")
    return path
