"""Charts (matplotlib, Agg, no pyplot state): mention volume and negativity by hour.

A period without a single mention gets no chart at all (the documents say 本期无数据): an empty
bar chart would only show matplotlib's degenerate −0.04..0.04 axis.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

from .fonts import cjk_font_path

if TYPE_CHECKING:
    from matplotlib.font_manager import FontProperties

NO_DATA = "本期无数据"


@lru_cache(maxsize=1)
def _font() -> FontProperties:
    from matplotlib.font_manager import FontProperties

    return FontProperties(fname=str(cjk_font_path()))


def has_data(hours: Sequence[dict[str, object]]) -> bool:
    return any(int(h["total"]) for h in hours)  # type: ignore[call-overload]


def hourly_chart_png(
    hours: Sequence[dict[str, object]], *, title: str, compare: Sequence[float] | None = None,
    compare_label: str = "",
) -> bytes | None:
    """PNG bytes of a bar chart (all vs negative mentions per hour); None when no hour has a mention.

    `compare`, if given, is drawn as a line over the bars (e.g. the mean of earlier releases).
    """
    if not hours or not has_data(hours):
        return None
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    font = _font()
    labels = [str(h["label"]) for h in hours]
    total = [int(h["total"]) for h in hours]  # type: ignore[call-overload]
    negative = [int(h["negative"]) for h in hours]  # type: ignore[call-overload]
    other = [t - n for t, n in zip(total, negative, strict=True)]
    fig = Figure(figsize=(8, 2.8), dpi=100)
    ax = fig.add_subplot()
    x = list(range(len(hours)))
    ax.bar(x, negative, color="#c0392b", label="负面")
    ax.bar(x, other, bottom=negative, color="#95a5a6", label="中性/正面")
    top = max(total)
    if compare:
        values = list(compare)[: len(x)]
        ax.plot(x[: len(values)], values, color="#1f4e79", linewidth=1.5, label=compare_label or "对比")
        top = max(top, max(values, default=0))
    ax.set_ylim(0, max(1, top) * 1.15)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    step = max(1, len(hours) // 12)
    ax.set_xticks(x[::step], labels[::step], fontproperties=font, fontsize=7, rotation=30)
    ax.set_ylabel("信息量（条）", fontproperties=font)
    ax.set_title(title, fontproperties=font)
    ax.legend(prop=font, fontsize=8, loc="upper left")
    ax.grid(axis="y", alpha=0.3)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()
