"""Baidu Tieba and Discuz! pages -> posts (pure; parsel selectors over decoded text)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urljoin, urlparse

from parsel import Selector, SelectorList

# a date with its time, and the offset of an ISO 8601 time ("2026-03-15T10:05:33+08:00") kept whole
_DATE = re.compile(
    r"\d{4}-\d{1,2}-\d{1,2}"
    r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z(?![A-Za-z])|\s?[+-]\d{2}:?\d{2}(?!\d))?)?"
)


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
    if not posts:
        posts = tieba_search_cards(sel, base_url)
    if not posts and not sel.css("div.s_post_list, div.search_noresult, .s_main"):
        raise ForumFormatError("不是贴吧搜索结果页：既没有 div.s_post，也没有指向帖子（/p/）的结果卡片")
    return posts


_THREAD_HREF = re.compile(r"/p/(\d+)")


def tieba_search_cards(sel: Selector, base_url: str) -> list[ForumPost]:
    """Search results in a card layout whatever its class names (the 2026 PC search renders each
    result as a card): a card is the largest element around a thread link (/p/{tid}) that links
    to no other thread. Title from the link, body from the card's longest text block, forum from
    its /f?kw= link, author from its /home/ link, date from the first date in the card."""
    posts: list[ForumPost] = []
    seen: set[str] = set()
    for link in sel.xpath("//a[contains(@href, '/p/')]"):
        href = link.attrib.get("href", "")
        m = _THREAD_HREF.search(href)
        if not m or m.group(1) in seen:
            continue
        tid = m.group(1)
        card = link
        for parent in link.xpath("ancestor::*"):  # outermost first
            tids = {t for h in parent.xpath(".//a/@href").getall() if (t := _THREAD_HREF.search(h))}
            if {t.group(1) for t in tids} == {tid}:
                card = parent
                break
        title = link.attrib.get("title") or _text(link)
        if card is link or not title:
            continue
        seen.add(tid)
        blocks = [
            _text(b) for b in card.xpath(".//*[not(self::a) and not(.//a) and not(ancestor::a)]")
        ]
        body = max((b for b in blocks if b and b != title and not _DATE.fullmatch(b)), key=len, default="")
        pid = (parse_qs(urlparse(href).query).get("pid") or [None])[0]
        posts.append(
            ForumPost(
                post_id=str(pid or tid),
                thread_id=tid,
                title=title,
                text=body,
                author=_text(card.css('a[href*="/home/"]')[:1]) or None,
                published_raw=_first_date(_text(card)),
                url=urljoin(base_url, href),
                forum=_text(card.css('a[href*="kw="]')[:1]) or None,
                extra={"layout": "cards"},
            )
        )
    return posts


_LOOSE_FIELD = re.compile(r"""['"]?(\w+)['"]?\s*:\s*['"]?([^'",}]*)['"]?""")
_IP = re.compile(r"IP属地[:：]\s*(\S+)")


def _data_field(raw: str | None) -> dict[str, object]:
    """A `data-field` attribute: JSON on the server's page, single-quoted on a browser's DOM."""
    if not raw:
        return {}
    try:
        data = json.loads(raw)
        return data if isinstance(data, dict) else {}
    except json.JSONDecodeError:
        return {m.group(1): m.group(2) for m in _LOOSE_FIELD.finditer(raw)}


IMAGE_MARKER = "[图片]"
SMILEY_MARKER = "[表情]"


def _post_text(body: Selector | SelectorList) -> tuple[str, list[str]]:
    """Visible text of a post body and its image URLs; an image stands as "[图片]" in the text.

    Tieba's "点击展开，查看完整图片" tip and emoticon images are page chrome, not what was written.
    """
    images: list[str] = []
    parts: list[str] = []
    for node in body.xpath(
        ".//text()[not(ancestor::*[contains(@class,'replace_tip')])]"
        " | .//img[contains(@class,'BDE_Image') or contains(@class,'BDE_Smiley')]"
    ):
        if isinstance(node.root, str):
            parts.append(node.root)
        elif "BDE_Smiley" in node.attrib.get("class", ""):
            parts.append(f" {SMILEY_MARKER} ")
        else:
            images.append(node.attrib.get("src", ""))
            parts.append(f" {IMAGE_MARKER} ")
    return re.sub(r"\s+", " ", " ".join(parts)).strip(), [i for i in images if i]


def tieba_thread(html: str, url: str) -> list[ForumPost]:
    """Floors of a /p/{tid} page with the replies nested under them (楼中楼) that the page carries.

    Floors come from `div.l_post` and its data-field JSON; a floor's place and time from its tail
    ("IP属地:广东", "2楼", "2024-08-05 16:56"); its reply count from `core_reply_wrapper`
    (`extra["sub_replies"]`, so the spider fetches the rest from /p/comment). Nested replies are
    posts of their own with `extra["parent_post_id"]`.
    """
    sel = Selector(text=html)
    tid = (re.search(r"/p/(\d+)", url) or [None, ""])[1]
    title = (
        sel.css("h3.core_title_txt::attr(title), h1.core_title_txt::attr(title)").get()
        or _text(sel.css("h3.core_title_txt, h1.core_title_txt"))
        or None
    )
    forum = _text(sel.css("a.card_title_fname")) or None
    base = url.split("?")[0]
    posts = []
    for row in sel.css("div.l_post"):
        data = _data_field(row.attrib.get("data-field"))
        content = data.get("content") if isinstance(data.get("content"), dict) else {}
        author = data.get("author") if isinstance(data.get("author"), dict) else {}
        body = row.css("div.d_post_content")
        pid = content.get("post_id") or (body.attrib.get("id", "").removeprefix("post_content_") or None)
        if not pid:
            continue
        tail = " ".join(row.css(".post-tail-wrap ::text, span.tail-info::text").getall())
        text, images = _post_text(body)
        wrapper = _data_field(row.css("div.core_reply_wrapper").attrib.get("data-field"))
        extra: dict[str, object] = {}
        if ip := _IP.search(tail):
            extra["ip_region"] = ip.group(1)
        if images:
            extra["images"] = images[:20]
        if str(wrapper.get("total_num") or "").isdigit():
            extra["sub_replies"] = int(str(wrapper["total_num"]))
        floor = content.get("post_no") or (m.group(1) if (m := re.search(r"(\d+)楼", tail)) else None)
        posts.append(
            ForumPost(
                post_id=str(pid),
                thread_id=str(tid),
                title=title,
                text=text,
                author=author.get("user_name") or _text(row.css("a.p_author_name")) or None,
                published_raw=_first_date(content.get("date"), tail),
                url=f"{base}?pid={pid}",
                forum=forum,
                floor=int(floor) if floor is not None else None,
                replies=extra.get("sub_replies"),  # type: ignore[arg-type]
                extra=extra,
            )
        )
        posts.extend(tieba_sub_replies(row, tid=str(tid), parent=posts[-1], base=base))
    if not posts:
        raise ForumFormatError("贴吧帖子页没有楼层（div.l_post）")
    return posts


def tieba_sub_replies(
    sel: Selector | SelectorList, *, tid: str, parent: ForumPost | str, base: str, title: str | None = None
) -> list[ForumPost]:
    """Replies nested under a floor (`li.lzl_single_post`), inline on the thread page or from
    /p/comment?tid=…&pid=…&pn=N; `parent` is the floor (or its post id)."""
    parent_id = parent.post_id if isinstance(parent, ForumPost) else parent
    out = []
    for li in sel.css("li.lzl_single_post"):
        data = _data_field(li.attrib.get("data-field"))
        spid = str(data.get("spid") or "")
        if not spid.isdigit():
            continue
        out.append(
            ForumPost(
                post_id=spid,
                thread_id=tid,
                title=parent.title if isinstance(parent, ForumPost) else title,
                text=_post_text(li.css(".lzl_content_main"))[0],
                author=str(data.get("user_name") or data.get("showname") or "") or None,
                published_raw=_first_date(_text(li.css(".lzl_time"))),
                url=f"{base}?pid={parent_id}&cid={spid}#{spid}",
                forum=parent.forum if isinstance(parent, ForumPost) else None,
                floor=parent.floor if isinstance(parent, ForumPost) else None,
                extra={"parent_post_id": parent_id},
            )
        )
    return out


def tieba_sub_reply_pages(html: str) -> int:
    """Page count of a /p/comment page (`li.lzl_li_pager` data-field total_page); 1 when absent."""
    pager = _data_field(Selector(text=html).css("li.lzl_li_pager").attrib.get("data-field"))
    total = str(pager.get("total_page") or "1")
    return int(total) if total.isdigit() else 1


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


ATTACHMENT_MARKER = "[附件（需登录查看）]"
_BOARD_LINK = re.compile(r"forum-\d+-\d+\.html|mod=forumdisplay|[?&]fid=\d+")
_THREAD_LINK = re.compile(r"thread-\d+-\d+-\d+\.html|mod=viewthread")


def discuz_board(sel: Selector) -> str | None:
    """The board (版块) a thread sits in, from the breadcrumb `#pt`: the last link to a board
    (forum-N-P.html, forumdisplay, fid=), never the category (gid=) or the thread itself; without
    board links, the last link that is not the thread."""
    links = sel.css("#pt a")
    boards = [a for a in links if _BOARD_LINK.search(a.attrib.get("href", ""))]
    if boards:
        return _text(boards[-1]) or None
    rest = [
        a for a in links
        if not _THREAD_LINK.search(a.attrib.get("href", "")) and "gid=" not in a.attrib.get("href", "")
    ]
    return _text(rest[-1]) if len(rest) >= 2 else None


def discuz_thread(html: str, url: str) -> tuple[list[ForumPost], str | None]:
    """Posts of viewthread and the next page's URL."""
    sel = Selector(text=html)
    tid = (parse_qs(urlparse(url).query).get("tid") or [""])[0]
    title = _text(sel.css("#thread_subject")) or None
    forum = discuz_board(sel)
    posts = []
    for floor, div in enumerate(sel.css('div[id^="post_"]'), start=1):
        pid = div.attrib["id"].removeprefix("post_")
        if not pid.isdigit():
            continue
        body = div.css("td.t_f")
        text, images = _post_text(body)
        extra: dict[str, object] = {}
        if images:
            extra["images"] = images[:20]
        if div.css(".attach_nopermission"):  # attachments shown to members only
            extra["attachments_hidden"] = True
            text = text or ATTACHMENT_MARKER
        em = div.css('em[id^="authorposton"]')
        number = (div.css('a[id^="postnum"] em::text').get() or "").strip()
        raw = em.css("span::attr(title)").get() or _text(em)
        posts.append(
            ForumPost(
                post_id=pid,
                thread_id=tid,
                title=title,
                text=text,
                author=_text(div.css("div.authi a.xw1")) or _text(div.css("a.xw1")) or None,
                published_raw=_first_date(raw) or (raw.strip() or None),
                url=f"{url.split('#')[0]}#pid{pid}",
                forum=forum,
                floor=int(number) if number.isdigit() else floor,
                extra=extra,
            )
        )
    if not posts:
        raise ForumFormatError("Discuz! 帖子页没有帖子（div[id^=post_]）")
    nxt = sel.css("a.nxt::attr(href)").get()
    return posts, urljoin(url, nxt) if nxt else None


# -- Tieba forum list and thread paging -----------------------------------------------------------

_COMMENT = re.compile(r"<!--(.*?)-->", re.S)
_PAGELET = re.compile(r"<code[^>]*class=\"pagelet_html\"[^>]*>\s*<!--(.*?)-->\s*</code>", re.S)


def _unfold(html: str) -> str:
    """The server's page as one document: Tieba sends the visible shell, closes `</html>`, then
    streams each part ("pagelet", the thread list among them) commented out inside `<code>`. A parser
    stops at the first `</html>`, so the tail is moved inside the body, its pagelets uncommented."""
    head, sep, tail = html.partition("</html>")
    if not sep or not tail.strip():
        return html
    head = re.sub(r"</body>\s*$", "", head.rstrip())
    body = _PAGELET.sub(lambda m: f'<div class="pagelet_html">{m.group(1)}</div>', tail)
    return head + body + "</body></html>"


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
    page = _unfold(html)
    sel = Selector(text=_COMMENT.sub(lambda m: m.group(1) if "thread_list" in m.group(1) else "", page))
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
