"""Baidu Tieba and Discuz! pages -> posts (pure; parsel selectors over decoded text)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urljoin, urlparse

from parsel import Selector

_DATE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}(?: \d{1,2}:\d{2}(?::\d{2})?)?")


class ForumFormatError(ValueError):
    """The page is not the forum layout we know."""


@dataclass
class ForumPost:
    post_id: str
    thread_id: str
    title: str | None
    text: str
    author: str | None
    published_raw: str | None
    url: str
    forum: str | None
    floor: int | None = None
    replies: int | None = None
    extra: dict[str, object] = field(default_factory=dict)


def _text(sel: Selector | None) -> str:
    if sel is None:
        return ""
    return re.sub(r"\s+", " ", " ".join(sel.xpath(".//text()").getall())).strip()


def _first_date(*candidates: str | None) -> str | None:
    for c in candidates:
        if c and (m := _DATE.search(c)):
            return m.group(0)
    return None


# -- Tieba --------------------------------------------------------------------------------------


def tieba_search(html: str, base_url: str) -> list[ForumPost]:
    """Results of /f/search/res: one post each (the thread is fetched separately for replies)."""
    sel = Selector(text=html)
    posts = []
    for row in sel.css("div.s_post"):
        link = row.css("span.p_title > a")
        href = link.attrib.get("href", "")
        tid = link.attrib.get("data-tid") or (re.search(r"/p/(\d+)", href) or [None, None])[1]
        pid = (parse_qs(urlparse(href).query).get("pid") or [None])[0] or link.attrib.get("data-pid")
        if not tid:
            continue
        posts.append(
            ForumPost(
                post_id=str(pid or tid),
                thread_id=str(tid),
                title=_text(link) or None,
                text=_text(row.css("div.p_content")),
                author=_text(row.css('a[href^="/home/main"] font')) or None,
                published_raw=_first_date(_text(row.css("font.p_green.p_date"))),
                url=urljoin(base_url, href),
                forum=_text(row.css("a.p_forum font")) or None,
            )
        )
    if not posts and not sel.css("div.s_post_list, div.search_noresult, .s_main"):
        raise ForumFormatError("不是贴吧搜索结果页")
    return posts


def tieba_thread(html: str, url: str) -> list[ForumPost]:
    """Posts (first post and replies) of a /p/{tid} page; `div.l_post` with its data-field JSON."""
    sel = Selector(text=html)
    tid = (re.search(r"/p/(\d+)", url) or [None, ""])[1]
    title = (
        sel.css("h3.core_title_txt::attr(title), h1.core_title_txt::attr(title)").get()
        or _text(sel.css("h3.core_title_txt, h1.core_title_txt"))
        or None
    )
    forum = _text(sel.css("a.card_title_fname")) or None
    posts = []
    for row in sel.css("div.l_post"):
        try:
            data = json.loads(row.attrib.get("data-field") or "{}")
        except json.JSONDecodeError:
            data = {}
        content = data.get("content") or {}
        author = data.get("author") or {}
        body = row.css("div.d_post_content")
        pid = content.get("post_id") or (body.attrib.get("id", "").removeprefix("post_content_") or None)
        if not pid:
            continue
        posts.append(
            ForumPost(
                post_id=str(pid),
                thread_id=str(tid),
                title=title,
                text=_text(body),
                author=author.get("user_name") or _text(row.css("a.p_author_name")) or None,
                published_raw=_first_date(content.get("date"), *row.css("span.tail-info::text").getall()),
                url=f"{url.split('?')[0]}?pid={pid}",
                forum=forum,
                floor=content.get("post_no"),
            )
        )
    if not posts:
        raise ForumFormatError("贴吧帖子页没有楼层（div.l_post）")
    return posts


# -- Discuz! ------------------------------------------------------------------------------------


@dataclass
class DiscuzThreadRow:
    thread_id: str
    title: str
    url: str
    author: str | None
    published_raw: str | None
    replies: int | None


def discuz_list(html: str, base_url: str) -> tuple[list[DiscuzThreadRow], str | None]:
    """Thread rows of forumdisplay and the next page's URL (None on the last page)."""
    sel = Selector(text=html)
    rows = []
    for tb in sel.css('tbody[id^="normalthread_"]'):
        link = tb.css("a.s.xst")
        href = link.attrib.get("href", "")
        tid = tb.attrib["id"].removeprefix("normalthread_")
        by = tb.css("td.by")
        date = by[0].css("em span::attr(title)").get() or _text(by[0].css("em")) if by else None
        replies = tb.css("td.num a::text").get()
        rows.append(
            DiscuzThreadRow(
                thread_id=tid,
                title=_text(link),
                url=urljoin(base_url, href),
                author=_text(by[0].css("cite")) if by else None,
                published_raw=_first_date(date),
                replies=int(replies) if replies and replies.strip().isdigit() else None,
            )
        )
    if not rows and not sel.css("#threadlisttableid, #threadlist"):
        raise ForumFormatError("不是 Discuz! 版块列表页")
    nxt = sel.css("a.nxt::attr(href)").get()
    return rows, urljoin(base_url, nxt) if nxt else None


def discuz_thread(html: str, url: str) -> tuple[list[ForumPost], str | None]:
    """Posts of viewthread and the next page's URL."""
    sel = Selector(text=html)
    tid = (parse_qs(urlparse(url).query).get("tid") or [""])[0]
    title = _text(sel.css("#thread_subject")) or None
    forum_links = sel.css("#pt a")
    forum = _text(forum_links[-2]) if len(forum_links) >= 2 else None
    posts = []
    for floor, div in enumerate(sel.css('div[id^="post_"]'), start=1):
        pid = div.attrib["id"].removeprefix("post_")
        if not pid.isdigit():
            continue
        body = div.css("td.t_f")
        em = div.css('em[id^="authorposton"]')
        number = (div.css('a[id^="postnum"] em::text').get() or "").strip()
        raw = em.css("span::attr(title)").get() or _text(em)
        posts.append(
            ForumPost(
                post_id=pid,
                thread_id=tid,
                title=title,
                text=_text(body),
                author=_text(div.css("div.authi a.xw1")) or _text(div.css("a.xw1")) or None,
                published_raw=_first_date(raw),
                url=f"{url.split('#')[0]}#pid{pid}",
                forum=forum,
                floor=int(number) if number.isdigit() else floor,
            )
        )
    if not posts:
        raise ForumFormatError("Discuz! 帖子页没有帖子（div[id^=post_]）")
    nxt = sel.css("a.nxt::attr(href)").get()
    return posts, urljoin(url, nxt) if nxt else None


# -- Tieba forum list and thread paging -----------------------------------------------------------

_COMMENT = re.compile(r"<!--(.*?)-->", re.S)


@dataclass
class TiebaThreadRow:
    thread_id: str
    title: str
    url: str
    author: str | None
    replies: int | None
    pinned: bool = False


def tieba_forum_list(html: str, base_url: str) -> tuple[list[TiebaThreadRow], str | None, bool]:
    """Rows of /f?kw=…, the forum's name and whether a next page exists.

    The classic page ships its thread list inside HTML comments (filled in by script), so the
    commented-out markup is parsed along with the visible page.
    """
    sel = Selector(text=_COMMENT.sub(lambda m: m.group(1) if "thread_list" in m.group(1) else "", html))
    rows = []
    for li in sel.css("li.j_thread_list[data-field]"):
        try:
            data = json.loads(li.attrib["data-field"])
        except json.JSONDecodeError:
            continue
        if not isinstance(data, dict) or not str(data.get("id") or "").isdigit():
            continue
        link = li.css("a.j_th_tit")
        tid = str(data["id"])
        reply = data.get("reply_num")
        rows.append(
            TiebaThreadRow(
                thread_id=tid,
                title=link.attrib.get("title") or _text(link),
                url=urljoin(base_url, link.attrib.get("href") or f"/p/{tid}"),
                author=data.get("author_name") or None,
                replies=reply if isinstance(reply, int) else int(reply) if str(reply).isdigit() else None,
                pinned="thread_top" in li.attrib.get("class", "") or bool(data.get("is_top")),
            )
        )
    if not rows and not sel.css("#thread_list"):
        raise ForumFormatError("不是贴吧吧内帖子列表页（没有 #thread_list）")
    forum = _text(sel.css("a.card_title_fname")) or None
    if forum is None and (m := re.search(r"<title>\s*([^<-]+?吧)\s*-", html)):
        forum = m.group(1)
    has_next = bool(sel.css("#frs_list_pager a.next, a.next.pagination-item"))
    return rows, forum, has_next


def tieba_thread_pages(html: str) -> int | None:
    """The thread's page count (`li.l_reply_num`: "N回复贴，共M页"); None when absent."""
    sel = Selector(text=html)
    reds = sel.css("li.l_reply_num span.red::text").getall()
    if len(reds) >= 2 and reds[1].strip().isdigit():
        return int(reds[1].strip())
    last = sel.css("li.l_pager a[href*='pn=']::attr(href)").getall()
    pages = [int(m.group(1)) for h in last if (m := re.search(r"pn=(\d+)", h))]
    return max(pages) if pages else None


def discuz_page_url(thread_url: str, page: int) -> str:
    """A Discuz! thread's page `page` (`&page=N`; page 1 is the plain thread URL)."""
    base = re.sub(r"&page=\d+", "", thread_url.split("#")[0])
    return base if page <= 1 else f"{base}&page={page}"
