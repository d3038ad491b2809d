"""The statistics bureau's release list (stats.gov.cn /sj/zxfb/ layout) and release pages (pure)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

from parsel import Selector, SelectorList

_PAGE_COUNT = re.compile(r"createPageHTML\(\s*(\d+)\s*,\s*(\d+)")
_DATE_TIME = re.compile(r"(\d{4})[-/年.](\d{1,2})[-/月.](\d{1,2})日?(?:\s*(\d{1,2}:\d{2}))?")


class ReleaseFormatError(ValueError):
    """The page is not the release-list layout we know."""


@dataclass(frozen=True)
class ReleaseRow:
    url: str
    title: str
    date: str | None  # "2026-11-15" as listed


@dataclass(frozen=True)
class Layout:
    """CSS selectors of a bureau's list and release pages; defaults are stats.gov.cn's.

    Provincial bureaus that use another template set these in the source's `options`.
    """

    list_container: str = "div.list-content"
    row: str = "div.list-content ul li"
    # older pages (TRS_Editor template): title `h2.xilan_tit`, date `font.xilan_titf`; the list also
    # links releases republished on www.gov.cn / www.news.cn (`.pages-date`, `.info`, `h1`)
    title: str = "div.detail-title h1, h2.xilan_tit, h1"
    date: str = "div.detail-title-des, .xilan_titf, .pages-date, .info"
    # alternatives tried in order, the first that matches wins (they nest: the current template's
    # `detail-text-content` wraps a `TRS_Editor` or the newer editor's `trs_editor_view TRS_UEDITOR`
    # on many pages; older pages have only `TRS_Editor`, or a Word paste `TRS_PreAppend` in `xilan_con`)
    body: str = (
        ".TRS_Editor, .TRS_UEDITOR, .trs_editor_view, div.detail-text-content, div.txt-content,"
        " .TRS_PreAppend, div.xilan_con, #UCAP-CONTENT, .pages_content, #detail"
    )

    @classmethod
    def from_options(cls, options: Any) -> Layout:
        """From a source's options (typed model or mapping); unset selectors keep the defaults."""
        if hasattr(options, "model_dump"):
            options = options.model_dump()
        names = cls.__dataclass_fields__
        return cls(**{k: str(v) for k, v in dict(options).items() if k in names and v is not None})


STATS_GOV_CN = Layout()


def list_page(html: str, page_url: str, layout: Layout = STATS_GOV_CN) -> tuple[list[ReleaseRow], int | None]:
    """Rows (deduplicated by href; the full `title` attribute wins) and the page count."""
    sel = Selector(text=html)
    rows: dict[str, ReleaseRow] = {}
    for li in sel.css(layout.row):
        date = li.css("span::text").get()
        for a in li.css("a[href]"):
            url = urljoin(page_url, a.attrib["href"])
            title = (a.attrib.get("title") or " ".join(a.css("::text").getall())).strip()
            known = rows.get(url)
            if title and (known is None or len(title) > len(known.title)):
                rows[url] = ReleaseRow(url, title, date.strip() if date else None)
    m = _PAGE_COUNT.search(html)
    if not rows and not sel.css(layout.list_container):
        raise ReleaseFormatError(f"不是发布列表页（缺少 {layout.list_container}）")
    return list(rows.values()), int(m.group(1)) if m else None


def page_url(index_url: str, n: int) -> str:
    """Page n (0-based) of a list: index.html, index_1.html, …"""
    base = index_url if index_url.endswith("/") else index_url.rsplit("/", 1)[0] + "/"
    return base if n == 0 else f"{base}index_{n}.html"


@dataclass(frozen=True)
class ReleasePage:
    title: str | None
    published_raw: str | None  # "2026-11-15 09:30" when the page states it
    body: str
    # `<meta name="PubDate">`: a CMS time that moved pages carry as their move date (the 2023
    # migration re-dated 2021 releases), so only used when neither the page nor the list gives one
    meta_published_raw: str | None = None


def _first(sel: Selector, alternatives: str) -> SelectorList:
    """The first of comma-separated CSS alternatives that matches (templates nest: taking all of
    them at once would repeat text)."""
    for alt in alternatives.split(","):
        if found := sel.css(alt.strip()):
            return found
    return SelectorList([])


def _date(text: str) -> str | None:
    m = _DATE_TIME.search(text)
    if not m:
        return None
    day = f"{m.group(1)}-{int(m.group(2)):02d}-{int(m.group(3)):02d}"
    return f"{day} {m.group(4)}" if m.group(4) else day


# visible text only: TRS editors put a `<style>` block (".TRS_Editor P{…font-family:宋体…}") inside
# the body, and mobile-only copies (`.pchide`) of the title and date sit beside the desktop ones
_VISIBLE_TEXT = (
    ".//text()[not(ancestor::style) and not(ancestor::script)"
    " and not(ancestor::*[contains(concat(' ', normalize-space(@class), ' '), ' pchide ')])]"
)


def detail_page(html: str, layout: Layout = STATS_GOV_CN) -> ReleasePage:
    sel = Selector(text=html)
    title = " ".join(_first(sel, layout.title).xpath(_VISIBLE_TEXT).getall()).strip() or None
    # `h2 > p` is invalid HTML: parsers move the <p> out of the <h2>, so read the whole block
    raw = _date(" ".join(_first(sel, layout.date).xpath(_VISIBLE_TEXT).getall()))
    meta = _date(sel.xpath("//meta[translate(@name,'PUBDATE','pubdate')='pubdate']/@content").get() or "")
    body_sel = _first(sel, layout.body)
    lines = (t.strip() for t in body_sel.xpath(_VISIBLE_TEXT).getall())
    body = re.sub(r"[ \t\r\f\v\xa0\u3000]+", " ", "\n".join(t for t in lines if t)).strip()
    if not title and not body:
        raise ReleaseFormatError("发布详情页缺少标题和正文")
    return ReleasePage(title, raw, body, meta)
