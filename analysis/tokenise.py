"""jieba tokenisation with the bureau's vocabulary kept whole.

One tokenizer per process, loaded lazily: jieba's dictionary takes about a second to load,
and the statistical terms (居民消费价格指数, 城镇调查失业率, …) must stay single tokens so the
model, watch topics and release linking all see the same words.
"""

from __future__ import annotations

import threading
from pathlib import Path

from analysis.indicators import dictionary_terms
from analysis.normalise import EMOTICON_RE

# Statistics-specific words besides the indicator names: what people say about the data.
EXTRA_TERMS: tuple[str, ...] = (
    "统计局", "国家统计局", "数据造假", "数据注水", "统计造假", "被平均", "被增长", "被就业",
    "注水", "同比上涨", "同比下降", "环比上涨", "环比下降", "百分点", "新闻发言人", "数据发布",
    "城镇调查失业率", "青年失业率", "统计数据", "数据失真", "拍脑袋",
)

_lock = threading.Lock()
_tokenizer = None
_user_dict_loaded: set[str] = set()


def tokenizer(user_dict: Path | None = None):  # type: ignore[no-untyped-def]
    """The shared jieba tokenizer with our terms (and an optional user dictionary) added."""
    global _tokenizer
    with _lock:
        if _tokenizer is None:
            import logging

            import jieba

            jieba.setLogLevel(logging.WARNING)
            tok = jieba.Tokenizer()
            tok.initialize()
            for term in (*dictionary_terms(), *EXTRA_TERMS):
                tok.add_word(term, freq=200000)
            _tokenizer = tok
        if user_dict is not None and str(user_dict) not in _user_dict_loaded:
            for line in Path(user_dict).read_text(encoding="utf-8").splitlines():
                word = line.strip().split(" ")[0] if line.strip() else ""
                if word and not word.startswith("#"):
                    _tokenizer.add_word(word, freq=200000)
            _user_dict_loaded.add(str(user_dict))
        return _tokenizer


def tokenise(text: str, *, user_dict: Path | None = None) -> list[str]:
    """Tokens of a normalised text: emoticons whole, Latin lower-cased, spaces dropped."""
    tok = tokenizer(user_dict)
    out: list[str] = []
    pos = 0
    for m in EMOTICON_RE.finditer(text):
        if m.start() > pos:
            out.extend(_words(tok, text[pos : m.start()]))
        out.append(m.group())
        pos = m.end()
    if pos < len(text):
        out.extend(_words(tok, text[pos:]))
    return out


def _words(tok, segment: str) -> list[str]:  # type: ignore[no-untyped-def]
    return [w.lower() if w.isascii() else w for w in tok.lcut(segment, HMM=False) if not w.isspace()]
