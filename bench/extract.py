"""Article bodies on real saved pages: characters kept by yuqing, trafilatura's defaults and gne.

Reads every article page of ../shared/real/news/ (SOURCES.tsv, kind "article"), extracts the body
with yuqing's `extract_article`, with trafilatura's default settings and with GeneralNewsExtractor
(gne, a dev dependency), and prints one row per page: the characters each kept (whitespace aside),
how much of each peer's article text yuqing also holds, and which method won.

The rule for "as complete as a peer" (characters alone would reward copying a peer's boilerplate):
the peer's text is cut into clauses at punctuation and line ends; a clause counts when yuqing's body
contains it. Only the peer's article text is counted, on both sides the same way:
- not what crawler/parsing/boilerplate.py recognises as boilerplate (comment sections, recommendation
  lists and rankings, prev/next links, disclaimers, editor credits, share prompts, menus, raw markup);
- not text the page never shows as its own: a clause found only inside <script>, <style>,
  <template> or <textarea> (a form field, or a widget's data store: 163 keeps an embedded photo
  set's captions, a separate story with its own address, in a hidden <textarea>; gne reads it).
A page passes when yuqing holds at least 98% of both peers' article text; where a gold body exists
(../shared/real/news/gold/, readability's expected output or trafilatura's snippets) the tests in
tests/crawler/test_news_real_pages.py hold yuqing to it as well.

    PYTHONPATH=$PWD .venv/bin/python bench/extract.py [--real ../shared/real] [--page NAME]
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
import time
import warnings
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

NOW = datetime(2026, 12, 1, tzinfo=UTC)
TOLERANCE = 0.98


def chars(text: str | None) -> int:
    """Characters that are not whitespace: layout differences between extractors do not count."""
    return len(re.sub(r"\s+", "", text or ""))


_CLAUSE = re.compile(r"[。！？!?；;，,、：:\n]+")


def shown_text(page: str) -> str:
    """The page's text without what a browser never shows as text (scripts, styles, templates, and
    <textarea> fields and data stores), whitespace removed."""
    from lxml import etree

    from yuqing.crawler.parsing.density import parse_tree

    root = parse_tree(page)
    if root is None:
        return ""
    etree.strip_elements(root, "script", "style", "template", "textarea", with_tail=False)
    return re.sub(r"\s+", "", root.text_content())


def coverage(ours: str, peer: str | None, shown: str | None = None) -> tuple[float | None, list[str]]:
    """Share of the peer's article clauses (by characters) that yuqing's body contains, and the misses;
    None when the peer holds no article text at all.

    `shown`: the page's shown text (`shown_text`); a peer clause absent from it is not counted.
    """
    from yuqing.crawler.parsing.article import unmarkup
    from yuqing.crawler.parsing.boilerplate import clean, is_prose

    have = re.sub(r"\s+", "", ours)
    total = covered = 0
    missing = []
    article = "\n".join(line for line in clean(unmarkup(peer or "")).text.splitlines() if is_prose(line))
    for clause in _CLAUSE.split(article):
        c = re.sub(r"\s+", "", clause)
        if len(c) < 4 or (shown is not None and c not in shown):
            continue
        total += len(c)
        if c in have:
            covered += len(c)
        else:
            missing.append(clause.strip())
    return (covered / total if total else None), missing


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--real", type=Path, default=ROOT.parent / "shared" / "real")
    ap.add_argument("--page", help="only this file (e.g. 163_4.html)")
    args = ap.parse_args()

    import trafilatura
    from gne import GeneralNewsExtractor

    from yuqing.crawler.parsing.article import ArticleError, extract_article
    from yuqing.crawler.parsing.charset import decode_html

    warnings.filterwarnings("ignore")
    news = args.real / "news"
    rows = list(csv.DictReader((news / "SOURCES.tsv").open(encoding="utf-8"), delimiter="\t"))
    pages = [r["local_file"] for r in rows if r["kind"] == "article"]
    pages = [p for p in pages if not args.page or p == args.page]
    gne = GeneralNewsExtractor()
    print(f"{'page':<22}{'yuqing':>8}{'trafil.':>9}{'gne':>8}{'覆盖t':>7}{'覆盖g':>7}  {'ok':<3} method")
    wins = 0
    methods: dict[str, int] = {}
    total = {"yuqing": 0, "trafilatura": 0, "gne": 0}
    spent = 0.0
    for name in pages:
        html = decode_html((news / name).read_bytes(), None).text
        url = f"https://{name.split('_')[0]}.example/{name}"
        t0 = time.perf_counter()
        try:
            art = extract_article(html, url, now=NOW)
            ours, method = chars(art.text), getattr(art, "method", None) or "-"
        except ArticleError:
            ours, method = 0, "失败"
        spent += time.perf_counter() - t0
        traf_text = trafilatura.extract(html, url=url)
        try:
            gne_text = gne.extract(html)["content"]
        except Exception:  # gne fails on some pages (math domain error): it found nothing
            gne_text = ""
        traf, peer = chars(traf_text), chars(gne_text)
        body = art.text if ours else ""
        shown = shown_text(html)
        cov_t, miss_t = coverage(body, traf_text, shown)
        cov_g, miss_g = coverage(body, gne_text, shown)
        ok = all(c is None or c >= TOLERANCE for c in (cov_t, cov_g))
        wins += ok
        methods[method] = methods.get(method, 0) + 1
        total["yuqing"] += ours
        total["trafilatura"] += traf
        total["gne"] += peer
        mark = "是" if ok else "否"
        shares = "".join(f"{'—' if c is None else format(c, '.0%'):>7}" for c in (cov_t, cov_g))
        print(f"{name:<22}{ours:>8}{traf:>9}{peer:>8}{shares}  {mark:<3} {method}")
        if args.page:
            for label, miss in (("trafilatura", miss_t), ("gne", miss_g)):
                print(f"  缺少（{label}）：", *miss[:40], sep="\n    ")
    print(
        f"{'合计':<20}{total['yuqing']:>8}{total['trafilatura']:>9}{total['gne']:>8}\n"
        f"yuqing 覆盖两者正文 ≥ 98%：{wins}/{len(pages)} 页；"
        f"yuqing 平均 {1000 * spent / max(len(pages), 1):.0f} ms/页\n"
        "胜出方法：" + "、".join(f"{m} {n}" for m, n in sorted(methods.items(), key=lambda kv: -kv[1]))
    )


if __name__ == "__main__":
    main()
