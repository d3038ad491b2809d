"""What the demo world holds: plain values, built once by `scenario.build_scenario`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

from .render.weibo_html import plain, to_html


@dataclass(frozen=True)
class StatRelease:
    """A row of the statistics bureau's release list (数据发布)."""

    path: str                    # /sj/zxfb/YYYYMM/tYYYYMMDD_NNNNNNN.html
    at: datetime                 # publication, UTC
    title: str
    paragraphs: tuple[str, ...]


@dataclass(frozen=True)
class NewsArticle:
    outlet: str                  # "central" | "local": which feed carries it
    path: str
    at: datetime
    title: str
    summary: str
    paragraphs: tuple[str, ...]
    source: str                  # 来源：新华社 / 人民网 / the outlet itself
    author: str
    editor: str


@dataclass(frozen=True)
class WeiboUser:
    uid: int
    screen_name: str
    followers: int
    verified_type: int           # −1 ordinary, 0 personal V, 1 government, 3 media …
    verified_reason: str
    description: str
    follow_count: int
    statuses_count: int
    gender: str
    followers_text: str | None = None  # what the API shows instead of the int ("100万+")


@dataclass(frozen=True)
class WeiboPost:
    mid: str
    bid: str
    at: datetime
    user: WeiboUser
    markup: str                  # full text in the scenario markup (render.weibo_html)
    source: str                  # client ("iPhone客户端")
    region: str                  # "北京"
    reposts: int                 # counts at the end of the scenario; they grow with age
    comments: int
    likes: int
    pic_num: int = 0
    repost_of: str | None = None  # mid of the original

    @cached_property
    def html(self) -> str:
        return to_html(self.markup)

    @cached_property
    def text(self) -> str:
        return plain(self.markup)


@dataclass(frozen=True)
class TiebaPost:
    pid: int
    floor: int
    at: datetime
    author: str
    text: str


@dataclass(frozen=True)
class TiebaThread:
    tid: int
    forum: str
    title: str
    posts: tuple[TiebaPost, ...]  # floor 1 is the opening post

    @property
    def at(self) -> datetime:
        return self.posts[0].at
