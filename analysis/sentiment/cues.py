"""What this domain's posts say without saying it: irony, doubt, praise of openness, reposts.

General Weibo and review corpora teach a model that 笑死, 呵呵 and [doge] are cheerful and that
质疑/疑问 are negative; about a statistic the first are mockery and "疑问都解答了" is thanks. The
model cannot learn that from those corpora, so these cues become features of their own, and
again joined with "the text is about a statistic" (`stats` context), which only the
statistics-domain training sentences carry: the conjunctions learn the domain's reading
without unlearning the general one.

Reposts: a Weibo repost is "own words//@forwarder:their words//@…:original". Its stance is
the reposter's own words; with none (a bare "转发微博"), the nearest forwarded words; with
nothing at all it is neutral. `stance_text` works on the raw text (normalise drops the
`//@handle:` markers).
"""

from __future__ import annotations

import re

# Each cue: a name (the feature) and a pattern over normalised text. Kept short and literal.
CUES: dict[str, tuple[str, ...]] = {
    # Mockery: laughter, smirks and set phrases that mean "this is absurd".
    "irony": (
        "笑死", "笑哭", "呵呵", "[doge]", "[二哈]", "[微笑]", "[吃瓜]", "[允悲]", "[笑cry]", "谁信谁傻",
        "信你个鬼", "骗鬼", "骗谁", "离谱", "图一乐", "听听就好", "我信了", "你品", "好家伙", "绝了",
        "真敢说", "真敢写", "睁眼说瞎话", "说出来谁信", "又被平均", "被平均", "被增长", "被就业",
        "我拖后腿", "拖了后腿", "建议改名", "数字游戏", "文字游戏", "魔术", "玄学", "童话", "神奇",
        "不愧是", "厉害了", "真行啊", "佩服佩服", "666",
    ),
    # Doubt about the figure or its source.
    "doubt": (
        "不信", "谁信", "质疑", "存疑", "可信吗", "靠谱吗", "真的吗", "真的假的", "怎么可能",
        "不可能吧", "是不是", "怕不是", "水分", "注水", "造假", "掺水", "拍脑袋", "编的", "编出来",
        "糊弄", "忽悠", "不符", "没感觉", "感觉不到", "体感", "怎么算", "算出来的", "假数据", "假的",
        "失真", "骗人", "骗子", "不可信", "不靠谱", "不透明", "遮遮掩掩", "回避",
    ),
    # Praise of the bureau's openness, explanation and response.
    "praise_open": (
        "感谢", "谢谢", "解答", "解释得", "说明得", "讲得清楚", "讲清楚", "说清楚", "释疑", "解惑",
        "答疑", "公开透明", "透明", "诚恳", "值得肯定", "点赞", "及时回应", "回应及时", "负责任",
        "专业", "详细", "有理有据", "明白了", "打消", "放心", "认可", "支持统计局", "辛苦了",
    ),
    # Plain hostility.
    "anger": ("滚", "恶心", "无耻", "垃圾", "骂", "气死", "可耻", "丢人", "寒心", "愤怒", "离谱至极"),
    # Repost markers (a bare repost says nothing of its own).
    "repost": ("转发微博", "轉發微博", "repost"),
}
STATS_CONTEXT = (
    "cpi", "ppi", "gdp", "pmi", "统计", "物价", "同比", "环比", "失业率", "指数", "国内生产总值",
    "消费价格", "增加值", "增速", "涨幅", "百分点", "数据", "发布会", "发言人", "就业", "收入",
)
NEGATORS = frozenset({"不", "没", "没有", "别", "不是", "并非", "并不", "未", "无", "不要", "不会", "难以"})
_NEG_CHARS = frozenset("不没无未别非")
NEGATION_SPAN = 3  # tokens after a negator that it scopes over (until punctuation)

_CUE_RE = re.compile("|".join(sorted(
    (re.escape(p) for ps in CUES.values() for p in ps), key=len, reverse=True)), re.IGNORECASE)
_CUE_KIND = {p.lower(): kind for kind, ps in CUES.items() for p in ps}
_STATS_RE = re.compile("|".join(re.escape(p) for p in STATS_CONTEXT), re.IGNORECASE)


def cue_terms(text: str) -> list[str]:
    """Cue features of a normalised text: `kind`, `kind:cue`, and `kind&stats` when about a statistic."""
    found: set[str] = set()
    negated: set[str] = set()
    for m in _CUE_RE.finditer(text):
        cue = m.group().lower()
        # 不回避, 没造假, 无水分: a negated doubt or praise is a cue of its own, not the cue.
        (negated if m.start() and text[m.start() - 1] in _NEG_CHARS else found).add(cue)
    if not found and not negated:
        return []
    stats = _STATS_RE.search(text) is not None
    kinds = {_CUE_KIND[c] for c in found}
    terms = [f"§{k}" for k in kinds] + [f"§{_CUE_KIND[c]}:{c}" for c in found]
    terms += [f"§¬{_CUE_KIND[c]}" for c in negated]
    if stats:
        terms += [f"§{k}&stats" for k in kinds]
        if "irony" in kinds and ("doubt" in kinds or "praise_open" in kinds):
            terms.append("§irony+doubt&stats" if "doubt" in kinds else "§irony+praise&stats")
    return terms


def negated_terms(words: list[str]) -> list[str]:
    """`¬word` for the words a negator scopes over (不/没有/并非 … up to NEGATION_SPAN tokens)."""
    out: list[str] = []
    span = 0
    for w in words:
        if w in NEGATORS:
            span = NEGATION_SPAN
            continue
        if span:
            if w in "，。！？、；：,.!?;:…":
                span = 0
                continue
            out.append(f"¬{w}")
            span -= 1
    return out


_ANCHOR_RE = re.compile(r"<a\b[^>]{0,500}>\s*(@[^<]{1,40}?)\s*</a>", re.IGNORECASE)  # Weibo's HTML @links
_CHAIN_RE = re.compile(r"//\s*@[^:：\s/]{0,30}[:：]?")
_BARE_RE = re.compile(r"^\s*(?:转发微博|轉發微博|转发|repost|Repost|RT)?\s*[。.!！]?\s*$")


def stance_text(raw: str) -> str:
    """The part of a (raw, un-normalised) post whose stance the post takes; "" for a bare repost.

    Not a repost: the text itself. `own//@a:x//@b:y`: `own` unless it is empty or just
    "转发微博", else the first non-bare forwarded segment (x, then y …). Weibo's HTML
    (`//<a href='/n/x'>@x</a>:…`) is read like its plain form; other markup is left to normalise.
    """
    if "<a" in raw:
        raw = _ANCHOR_RE.sub(r"\1", raw)
    if "//@" not in raw.replace("// @", "//@") and not _BARE_RE.match(raw or ""):
        return raw
    for part in _CHAIN_RE.split(raw):
        if not _BARE_RE.match(part):
            return part
    return ""
