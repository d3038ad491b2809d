"""The scenario's small text markup turned into the HTML Weibo puts in `mblog.text`."""

from __future__ import annotations

import re
from html import escape
from urllib.parse import quote

EMOTICON_FILES = {
    "[doge]": "d_doge-be7f768d78", "[允悲]": "yunbei-a14a649db8", "[怒]": "nu-3e63bff60b",
    "[吃瓜]": "chigua-d7e6ff7a0c", "[赞]": "zan-d67e4a7ae0", "[摊手]": "tanshou-8b2af6cc1b",
    "[加油]": "jiayou-9dbd24226e", "[话筒]": "huatong-27a7ae6dbb",
}
_TOKEN = re.compile(r"(\[[^\[\]]{1,4}\]|#[^#\n]{1,30}#|@[\w\u4e00-\u9fff-]{2,20}|网页链接|\n)")


def _emoticon(token: str) -> str:
    name = EMOTICON_FILES.get(token, "d_doge-be7f768d78")
    return (f'<span class="url-icon"><img alt="{escape(token)}" '
            f'src="https://h5.sinaimg.cn/m/emoticon/icon/default/{name}.png" '
            'style="width:1em; height:1em;" /></span>')


def _hashtag(token: str) -> str:
    q = quote(token, safe="")
    href = (f"https://m.weibo.cn/search?containerid=231522type%3D1%26t%3D10%26q%3D{quote(q, safe='')}"
            f"&extparam={q}&luicode=10000011&lfid=100103type%3D61")
    return f'<a  href="{escape(href)}" data-hide=""><span class="surl-text">{escape(token)}</span></a>'


def _mention(token: str) -> str:
    name = token[1:]
    return f"<a href='/n/{escape(name)}'>@{escape(name)}</a>"


def _link() -> str:
    return ('<a data-url="http://t.cn/A6Ox3Xk2" '
            'href="https://weibo.cn/sinaurl?u=http%3A%2F%2Ft.cn%2FA6Ox3Xk2" '
            'data-hide=""><span class=\'url-icon\'><img style=\'width: 1rem;height: 1rem\' '
            'src=\'https://h5.sinaimg.cn/upload/2015/09/25/3/timeline_card_small_web_default.png\'></span>'
            '<span class="surl-text">网页链接</span></a>')


def to_html(markup: str) -> str:
    """Weibo HTML of a post written in the scenario markup (text escaped, tokens linked)."""
    out: list[str] = []
    for part in _TOKEN.split(markup):
        if not part:
            continue
        if part == "\n":
            out.append("<br />")
        elif part == "网页链接":
            out.append(_link())
        elif part.startswith("[") and part in EMOTICON_FILES:
            out.append(_emoticon(part))
        elif part.startswith("#") and part.endswith("#") and len(part) > 2:
            out.append(_hashtag(part))
        elif part.startswith("@"):
            out.append(_mention(part))
        else:
            out.append(escape(part, quote=False))
    return "".join(out)


def plain(markup: str) -> str:
    """What a reader sees: the markup with newlines as spaces (emoticons keep their [alt])."""
    return markup.replace("\n", " ")


def truncate(markup: str, limit: int) -> str:
    """The first `limit` characters, cut where no token would break in two."""
    if len(markup) <= limit:
        return markup
    cut = limit
    for m in _TOKEN.finditer(markup):
        if m.start() < cut < m.end():
            cut = m.start()
            break
    return markup[:cut]
