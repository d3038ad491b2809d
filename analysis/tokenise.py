"""jieba tokenisation with the bureau's vocabulary kept whole.

The segmentation is jieba's: jieba's dictionary, its maximum-probability route over the
word DAG, HMM off. It runs in jieba-rs (the `rjieba` binding), which implements the same
algorithm about 15x faster than the pure Python package and embeds the same dict.txt, so
its ready-made default segmenter is used (reading dict.txt word by word into an empty one
took 0.6 s of every start-up, which `yuqing classify` cannot afford);
`tests/analysis/test_text.py` checks both give the same tokens on real posts. The
statistical terms (居民消费价格指数, 城镇调查失业率, …) are added so they stay single tokens
for the model, watch topics and release linking alike. One tokenizer per process, lazily.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from pathlib import Path

from yuqing.analysis.indicators import dictionary_terms
from yuqing.analysis.normalise import EMOTICON_RE

# Statistics-specific words besides the indicator names: what people say about the data.
EXTRA_TERMS: tuple[str, ...] = (
    "统计局", "国家统计局", "数据造假", "数据注水", "统计造假", "被平均", "被增长", "被就业",
    "注水", "同比上涨", "同比下降", "环比上涨", "环比下降", "百分点", "新闻发言人", "数据发布",
    "城镇调查失业率", "青年失业率", "统计数据", "数据失真", "拍脑袋",
)
TERM_FREQ = 200_000  # high enough that jieba never splits an added term

_lock = threading.Lock()
_tokenizer = None
_user_dict_loaded: set[str] = set()


def our_terms() -> list[str]:
    return [*dictionary_terms(), *EXTRA_TERMS]


def _read_user_dict(path: Path) -> list[str]:
    words = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        word = line.strip().split(" ")[0] if line.strip() else ""
        if word and not word.startswith("#"):
            words.append(word)
    return words


def tokenizer(user_dict: Path | None = None):  # type: ignore[no-untyped-def]
    """The shared segmenter (rjieba's default, jieba's dictionary) with our terms added."""
    global _tokenizer
    with _lock:
        if _tokenizer is None:
            import rjieba

            # The module builds its default segmenter on import; a second Jieba() would cost as much again.
            tok = rjieba._DEFAULT_JIEBA
            for term in our_terms():
                tok.add_word(term, TERM_FREQ, None)
            _tokenizer = tok
        if user_dict is not None and str(user_dict) not in _user_dict_loaded:
            for word in _read_user_dict(user_dict):
                _tokenizer.add_word(word, TERM_FREQ, None)
            _user_dict_loaded.add(str(user_dict))
            _cached_tokens.cache_clear()  # a new word can change earlier results
        return _tokenizer


def tokenise(text: str, *, user_dict: Path | None = None) -> list[str]:
    """Tokens of a normalised text: emoticons whole, Latin lower-cased, spaces dropped.

    Cached per text: reposts and syndicated copies repeat the same text many times.
    """
    if _tokenizer is None or (user_dict is not None and str(user_dict) not in _user_dict_loaded):
        tokenizer(user_dict)
    return list(_cached_tokens(text))


@lru_cache(maxsize=20_000)
def _cached_tokens(text: str) -> tuple[str, ...]:
    tok = _tokenizer
    out: list[str] = []
    pos = 0
    for m in EMOTICON_RE.finditer(text):
        if m.start() > pos:
            out.extend(_words(tok, text[pos : m.start()]))
        out.append(m.group())
        pos = m.end()
    if pos < len(text):
        out.extend(_words(tok, text[pos:]))
    return tuple(out)


def _words(tok, segment: str) -> list[str]:  # type: ignore[no-untyped-def]
    return [w.lower() if w.isascii() else w for w in tok.cut(segment, False) if not w.isspace()]


@lru_cache(maxsize=1)
def _python_jieba():  # type: ignore[no-untyped-def]
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    tok = jieba.Tokenizer()
    for term in our_terms():
        tok.add_word(term, freq=TERM_FREQ)
    return tok


def python_jieba_tokens(text: str) -> list[str]:
    """The same tokenisation through the pure-Python `jieba` package (the reference, for tests)."""
    tok = _python_jieba()
    out: list[str] = []
    pos = 0
    for m in EMOTICON_RE.finditer(text):
        if m.start() > pos:
            out.extend(tok.lcut(text[pos : m.start()], HMM=False))
        out.append(m.group())
        pos = m.end()
    if pos < len(text):
        out.extend(tok.lcut(text[pos:], HMM=False))
    return [w.lower() if w.isascii() else w for w in out if not w.isspace()]
