"""Baidu Tieba's classic pages: full-site search (/f/search/res) and a thread (/p/{tid})."""

from __future__ import annotations

import json
import re
from datetime import datetime
from html import escape
from urllib.parse import quote

from ..items import TiebaPost, TiebaThread
from .common import minute

FORUM_IDS = {"经济学": 21734, "物价": 1180552, "理财": 77123, "江州": 3312097, "考研": 65291}


def _highlight(text: str, kw: str) -> str:
    """Escaped text with the keyword in <em>, as Tieba marks hits."""
    if not kw:
        return escape(text)
    parts = re.split(f"({re.escape(kw)})", text, flags=re.IGNORECASE)
    return "".join(f"<em>{escape(p)}</em>" if i % 2 else escape(p) for i, p in enumerate(parts))


def search_hits(threads: tuple[TiebaThread, ...], vnow: datetime,
                kw: str) -> list[tuple[TiebaThread, TiebaPost]]:
    """Visible posts whose thread title or text holds `kw`, newest first (sm=1)."""
    k = kw.casefold()
    hits = [
        (t, p) for t in threads for p in t.posts
        if p.at <= vnow and t.posts[0].at <= vnow and k
        and (k in p.text.casefold() or k in t.title.casefold())
    ]
    hits.sort(key=lambda h: (h[1].at, h[1].pid), reverse=True)
    return hits


def _page_link(kw: str, rn: int, pn: int, label: str, cls: str) -> str:
    href = f"/f/search/res?ie=utf-8&amp;qw={quote(kw)}&amp;rn={rn}&amp;pn={pn}&amp;sm=1"
    return f'<a href="{href}" class="{cls}">{label}</a>'


def search_html(threads: tuple[TiebaThread, ...], vnow: datetime, *, kw: str, rn: int, pn: int) -> str:
    hits = search_hits(threads, vnow, kw)
    rn = max(1, min(rn, 50))
    pages = (len(hits) + rn - 1) // rn
    chunk = hits[(pn - 1) * rn: pn * rn] if pn >= 1 else []
    rows = []
    for t, p in chunk:
        fid = FORUM_IDS.get(t.forum, 1)
        title = t.title if p.floor == 1 else f"回复：{t.title}"
        rows.append(
            f'<div class="s_post"><span class="p_title"><a data-tid="{t.tid}" data-fid="{fid}" '
            f'class="bluelink" href="/p/{t.tid}?pid={p.pid}&amp;cid=#{p.pid}" target="_blank">'
            f'{_highlight(title, kw)}</a></span>'
            f'<div class="p_content">{_highlight(p.text, kw)}</div>'
            f'贴吧：<a data-fid="{fid}" class="p_forum" href="/f?kw={quote(t.forum)}" target="_blank">'
            f'<font class="p_violet">{escape(t.forum)}</font></a>'
            f'作者：<a href="/home/main?un={quote(p.author)}" target="_blank">'
            f'<font class="p_violet">{escape(p.author)}</font></a>'
            f'<font class="p_green p_date">{minute(p.at)}</font></div>'
        )
    if rows:
        body = "\n".join(rows)
        pager = []
        if pn > 1:
            pager.append(_page_link(kw, rn, 1, "&lt;&lt;首页", "first"))
            pager.append(_page_link(kw, rn, pn - 1, "&lt;上一页", "pre"))
        pager.append(f'<span class="cur">{pn}</span>')
        if pn < pages:
            pager.append(_page_link(kw, rn, pn + 1, "下一页&gt;", "next"))
            pager.append(_page_link(kw, rn, pages, "尾页&gt;&gt;", "last"))
        body += f'\n<div class="pager pager-search">{"".join(pager)}</div>'
    else:
        body = f'<div class="search_noresult">抱歉，没有找到与“{escape(kw)}”相关的结果。</div>'
    return f"""<!DOCTYPE html>
<html>
<head><meta charset="utf-8"><title>百度贴吧_全吧搜索</title></head>
<body>
<div id="head"><div class="search_top"><a href="/" class="search_logo">百度贴吧</a>
<form action="/f/search/res" method="get"><input type="hidden" name="ie" value="utf-8">
<input class="s_ipt" name="qw" value="{escape(kw)}">
<input type="submit" class="s_btn" value="全吧搜索"></form></div></div>
<div class="s_container clearfix"><div class="s_main">
<div class="s_order">排序：<span class="s_order_cur">按时间倒序</span></div>
<div class="s_post_list">
{body}
</div>
</div><div class="s_aside"><div class="s_aside_title">贴吧热议榜</div></div></div>
<div class="footer">&copy;2026 Baidu 贴吧协议 隐私政策</div>
</body>
</html>
"""


def _data_field(obj: dict) -> str:
    return escape(json.dumps(obj, ensure_ascii=False), quote=False).replace("'", "&#39;")


def thread_html(thread: TiebaThread, vnow: datetime) -> str:
    fid = FORUM_IDS.get(thread.forum, 1)
    posts = []
    for p in thread.posts:
        if p.at > vnow:
            continue
        field = {"author": {"user_name": p.author, "user_nickname": p.author},
                 "content": {"post_id": p.pid, "is_anonym": False, "forum_id": fid, "thread_id": thread.tid,
                             "post_no": p.floor, "type": "0", "comment_num": 0, "date": minute(p.at)}}
        posts.append(
            f"<div class=\"l_post j_l_post l_post_bright\" data-field='{_data_field(field)}'>"
            f'<div class="d_author"><ul class="p_author"><li class="d_name">'
            f'<a class="p_author_name j_user_card" href="/home/main?un={quote(p.author)}" target="_blank">'
            f'{escape(p.author)}</a></li></ul></div>'
            f'<div class="d_post_content_main"><div class="p_content"><cc>'
            f'<div id="post_content_{p.pid}" class="d_post_content j_d_post_content">{escape(p.text)}</div>'
            f'</cc></div><div class="core_reply j_lzl_wrapper"><div class="core_reply_tail">'
            f'<div class="post-tail-wrap"><span class="tail-info">{p.floor}楼</span>'
            f'<span class="tail-info">{minute(p.at)}</span></div></div></div></div></div>'
        )
    title = escape(thread.title)
    return f"""<!DOCTYPE html>
<html>
<head><meta charset="utf-8"><title>{title}_{escape(thread.forum)}吧_百度贴吧</title>
<meta name="keywords" content="{escape(thread.forum)},{title}"></head>
<body>
<div class="head_inner"><a href="/" class="logo">百度贴吧</a></div>
<div class="card_title">
<a class="card_title_fname" href="/f?kw={quote(thread.forum)}">{escape(thread.forum)}吧</a></div>
<div class="core_title_wrap_bright"><h3 class="core_title_txt" title="{title}">{title}</h3></div>
<div class="p_thread thread_theme_5"><ul class="l_posts_num"><li class="l_reply_num">
<span class="red">{len(posts) - 1}</span>回复贴，共<span class="red">1</span>页</li></ul></div>
<div id="j_p_postlist" class="p_postlist">
{chr(10).join(posts)}
</div>
<div class="footer">&copy;2026 Baidu 贴吧协议</div>
</body>
</html>
"""
