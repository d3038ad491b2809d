"""WeChat public-account article pages (mp.weixin.qq.com/s…), as the server sends them.

Title `#activity-name` (else og:title / `var msg_title`), account `#js_name` (else `var nickname`),
author `#js_author_name` / meta author, body `#js_content`, time `var ct = "<unix seconds>"` (else
`#publish_time`, `var publish_time`). The same article is identified by `__biz`, `mid` and `idx`
of its long URL, or by the short `/s/<id>` path.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

from w3lib.url import canonicalize_url

from yuqing.crawler.parsing import boilerplate
from yuqing.crawler.parsing.byline import as_name, squash
from yuqing.crawler.parsing.density import node_text, parse_tree
from yuqing.crawler.parsing.times import parse_time

_VERIFY = ("环境异常", "完成验证后即可继续访问", "weixin110.qq.com", "请输入验证码")
_GONE = ("该内容已被发布者删除", "此内容因违规无法查看", "已停止访问该网页", "该公众号已迁移", "内容已删除")
_CT = re.compile(r"""\bvar\s+ct\s*=\s*["']?(\d{9,11})["']?""")
_JS_STR = r"""\bvar\s+{name}\s*=\s*(?:htmlDecode\()?["']([^"']{{1,200}})["']"""


class WechatError(ValueError):
    """Not a readable article (the reason, in Chinese, is shown to people)."""

    def __init__(self, reason: str, *, blocked: bool = False) -> None:
        super().__init__(reason)
        self.blocked = blocked


@dataclass(frozen=True)
class WechatArticle:
    key: str
    title: str | None
    account: str | None
    author: str | None
    text: str
    published_at: datetime | None
    published_raw: str | None


def article_key(url: str) -> str:
    """"wechat:<biz>:<mid>:<idx>" for the long URL form, "wechat:s/<id>" for the short one."""
    parts = urlsplit(url)
    q = parse_qs(parts.query)
    if q.get("__biz") and q.get("mid"):
        return f"wechat:{q['__biz'][0]}:{q['mid'][0]}:{(q.get('idx') or ['1'])[0]}"
    if parts.path.startswith("/s/"):
        return f"wechat:{parts.path.strip('/')}"[:500]
    return f"wechat:{canonicalize_url(url)}"[:500]  # a search engine's redirect link


_URL_START = re.compile(r"""\bvar\s+url\s*=\s*['"]([^'"]*)['"]""")
_URL_PIECE = re.compile(r"""\burl\s*\+=\s*['"]([^'"]*)['"]""")


def redirect_target(html: str) -> str | None:
    """Where a search engine's script redirect leads. Sogou's /link page assembles the article URL
    from `var url = '…'` and `url += '…'` pieces, with "@" inserted to hide it; public crawlers read
    it the same way (iszhouhua/weixin-sogou @ 0784837 : spider/parse.py, get_wechat_url)."""
    pieces = _URL_PIECE.findall(html)
    if not pieces or "js_content" in html:
        return None
    start = _URL_START.search(html)
    return ((start.group(1) if start else "") + "".join(pieces)).replace("@", "") or None


def _js(html: str, name: str) -> str | None:
    m = re.search(_JS_STR.format(name=name), html)
    return m.group(1).strip() if m else None


def parse_wechat_article(html: str, url: str, *, now: datetime) -> WechatArticle:
    """Raises WechatError for a verification page, a deleted article or a page that is none."""
    if any(mark in html for mark in _VERIFY):
        raise WechatError("微信要求验证（环境异常）", blocked=True)
    for mark in _GONE:
        if mark in html:
            raise WechatError(f"文章不可读：{mark}")
    root = parse_tree(html)
    content = root.xpath("//*[@id='js_content']") if root is not None else []
    if not content:
        raise WechatError("不是微信公众号文章页（没有 js_content）")
    body = boilerplate.clean(node_text(content[0])).text
    if not body.strip():
        raise WechatError("公众号文章正文为空")

    def first(xpath: str) -> str | None:
        found = root.xpath(xpath)
        text = squash(found[0] if isinstance(found[0], str) else found[0].text_content()) if found else ""
        return text or None

    title = first("//*[@id='activity-name']") or first("//meta[@property='og:title']/@content")
    account = first("//*[@id='js_name']") or _js(html, "nickname")
    author = first("//*[@id='js_author_name']") or first("//meta[@name='author']/@content")
    published_at, raw = None, None
    if m := _CT.search(html):
        raw = m.group(1)
        published_at = datetime.fromtimestamp(int(raw), UTC)
    else:
        raw = first("//*[@id='publish_time']") or _js(html, "publish_time")
        published_at = parse_time(raw, now) if raw else None
    if published_at is not None and published_at > now:
        published_at = None  # never a date in the future
    return WechatArticle(
        key=article_key(url),
        title=title or _js(html, "msg_title"),
        account=account[:60] if account else None,
        author=as_name(author, max_len=40) if author else None,
        text=body,
        published_at=published_at,
        published_raw=raw,
    )
