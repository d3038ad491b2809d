"""Charts (matplotlib, Agg, no pyplot state): mention volume and negativity by hour."""

from __future__ import annotations

import io
from collections.abc import Sequence
from functools import lru_cache

from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties

from .fonts import cjk_font_path


@lru_cache(maxsize=1)
def _font() -> FontProperties:
    return FontProperties(fname=str(cjk_font_path()))


def hourly_chart_png(hours: Sequence[dict[str, object]], *, title: str) -> bytes | None:
    """PNG bytes of a bar chart (all vs negative mentions per hour); None when there are no hours."""
    if not hours:
        return None
    font = _font()
    labels = [str(h["label"]) for h in hours]
    total = [int(h["total"]) for h in hours]  # type: ignore[call-overload]
    negative = [int(h["negative"]) for h in hours]  # type: ignore[call-overload]
    other = [t - n for t, n in zip(total, negative, strict=True)]
    fig = Figure(figsize=(8, 3), dpi=110)
    ax = fig.add_subplot()
    x = range(len(hours))
    ax.bar(x, negative, color="#c0392b", label="负面")
    ax.bar(x, other, bottom=negative, color="#95a5a6", label="中性/正面")
    step = max(1, len(hours) // 12)
    ax.set_xticks(list(x)[::step], labels[::step], fontproperties=font, fontsize=7, rotation=30)
    ax.set_ylabel("信息量（条）", fontproperties=font)
    ax.set_title(title, fontproperties=font)
    ax.legend(prop=font, fontsize=8, loc="upper left")
    ax.grid(axis="y", alpha=0.3)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()
