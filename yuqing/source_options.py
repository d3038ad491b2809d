"""Typed crawler options, one model per source kind (`[sources.options]` in the configuration).

Validated when the configuration loads (`SourceConfig`), unknown fields refused, so a typo such as
`max_page = 3` is an error naming the source and the field instead of being silently ignored.
Pydantic and the vocabulary only: this module sits at the bottom layer beside `config.py`.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from yuqing.vocab import SourceKind

MB = 1024 * 1024


class CrawlOptions(BaseModel):
    """What every source kind accepts: politeness, retries, batching and size caps (None: [crawl])."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    download_delay: float | None = Field(None, ge=0)  # seconds between requests
    max_delay: float = Field(60.0, gt=0)  # AutoThrottle's ceiling, seconds
    user_agent: str | None = None
    concurrent_requests: int = Field(16, ge=1)
    concurrent_items: int = Field(4, ge=1)
    concurrency_per_domain: int | None = Field(None, ge=1)
    timeout_seconds: float | None = Field(None, gt=0)
    retry_times: int | None = Field(None, ge=0)
    retry_backoff_seconds: float = Field(1.0, ge=0)  # base of the in-run exponential back-off
    batch_size: int = Field(500, ge=1)
    # size caps (bytes): a response, or its decompressed body, above `max_download_bytes` is refused
    # and quarantined with that reason; None takes the kind's default (DEFAULT_MAX_BYTES)
    max_download_bytes: int | None = Field(None, ge=1024)
    warn_download_bytes: int | None = Field(None, ge=1024)


class NewsRssOptions(CrawlOptions):
    publisher: str | None = None  # the feed's publisher when articles do not name one


class NewsSiteOptions(CrawlOptions):
    publisher: str | None = None
    item_selector: str = "a"  # CSS selector of article links on a list page
    next_selector: str | None = None  # CSS selector of the next list page's link
    max_pages: int = Field(5, ge=1)


class WeiboSearchOptions(CrawlOptions):
    cookie: str | None = None  # never committed: prefer YUQING_CRAWL__WEIBO_COOKIE
    hot: bool = False  # read the hot-search list
    search: bool = True  # run the keyword searches
    page_cap: int | None = Field(None, ge=1)  # None: [crawl] weibo_page_cap
    max_windows: int = Field(4, ge=0)  # time windows a capped search is split into
    window_hours: float = Field(24.0, gt=0)


class TiebaOptions(CrawlOptions):
    forums: list[str] = Field(default_factory=list)  # forum lists (/f?kw=…) read besides the searches
    max_pages: int = Field(5, ge=1)  # search result pages per keyword
    max_forum_pages: int = Field(3, ge=1)  # list pages per forum
    max_thread_pages: int = Field(5, ge=1)  # pages of one thread per run
    max_sub_reply_pages: int = Field(2, ge=1)  # /p/comment pages of one floor's nested replies per run
    # keyword search through the result page ("page", /f/search/res), the signed client JSON API
    # ("client_api", crawler.parsing.tieba_api), or the page falling back to the API for a keyword
    # whose page is not a results page (a script-rendered shell: "auto"); threads are read from
    # their pages either way
    search_via: Literal["page", "client_api", "auto"] = "page"
    api_url: str = Field("http://c.tieba.baidu.com/c/s/searchpost", pattern=r"^https?://")
    client_version: str = Field("12.23.1.0", pattern=r"^\d+(\.\d+)+$")  # `_client_version` sent (and signed)
    api_page_size: int = Field(20, ge=1, le=100)  # `rn`: results per API page
    only_thread: bool = False  # API: match opening posts only, not replies


class DiscuzOptions(CrawlOptions):
    fids: list[int | str] = Field(default_factory=list)
    max_pages: int = Field(3, ge=1)  # list pages per forum
    max_thread_pages: int = Field(5, ge=1)


class ReleasesOptions(CrawlOptions):
    max_pages: int = Field(3, ge=1)
    # another bureau's template (CSS selectors; None keeps stats.gov.cn's, crawler.parsing.release_list)
    list_container: str | None = None
    row: str | None = None
    title: str | None = None
    date: str | None = None
    body: str | None = None  # alternatives separated by commas, the first that matches wins
    # the release time assumed when the list gives only a date
    default_time: str = Field("09:30", pattern=r"^\d{1,2}:\d{2}$")


# the kinds the `news` helper adds (news comments, WeChat articles), typed here so that their
# options validate once both branches meet
class NewsCommentsOptions(CrawlOptions):
    thread_pattern: str | None = None  # regex: its first group, on an article URL, is the thread id
    article_days: float = Field(3.0, gt=0)  # articles collected this recently get their comments read
    max_articles: int = Field(200, ge=1)
    limit: int = Field(30, ge=1)  # comments per page
    max_pages: int = Field(5, ge=1)
    publisher: str | None = None


class WechatOptions(CrawlOptions):
    item_selector: str | None = None  # CSS of result links to articles on the search page
    max_pages: int = Field(1, ge=1)


OPTIONS_BY_KIND: dict[str, type[CrawlOptions]] = {
    SourceKind.NEWS_RSS: NewsRssOptions,
    SourceKind.NEWS_SITE: NewsSiteOptions,
    SourceKind.WEIBO_SEARCH: WeiboSearchOptions,
    SourceKind.TIEBA: TiebaOptions,
    SourceKind.DISCUZ: DiscuzOptions,
    SourceKind.RELEASES: ReleasesOptions,
    SourceKind.NEWS_COMMENTS: NewsCommentsOptions,
    SourceKind.WECHAT: WechatOptions,
}

# Default caps per kind (bytes): list pages and JSON are small; an article page may carry inline images.
DEFAULT_MAX_BYTES: dict[str, int] = {
    SourceKind.NEWS_RSS: 10 * MB,
    SourceKind.NEWS_SITE: 10 * MB,
    SourceKind.WEIBO_SEARCH: 5 * MB,
    SourceKind.TIEBA: 8 * MB,
    SourceKind.DISCUZ: 8 * MB,
    SourceKind.RELEASES: 10 * MB,
    SourceKind.NEWS_COMMENTS: 5 * MB,
    SourceKind.WECHAT: 10 * MB,
}

_ERRORS = {
    "extra_forbidden": "不是此类来源的选项（拼写错误？）",
    "missing": "缺少此项",
    "int_parsing": "应为整数",
    "float_parsing": "应为数字",
    "bool_parsing": "应为 true 或 false",
    "string_type": "应为文字",
    "list_type": "应为列表",
    "greater_than_equal": "数值过小",
    "greater_than": "数值过小",
    "string_pattern_mismatch": "格式不对",
    "literal_error": "不是可选的取值",
    "less_than_equal": "数值过大",
}


def parse_options(source: str, kind: str, raw: Any) -> CrawlOptions:
    """The typed options of source `source`; ValueError in Chinese naming the source and field."""
    model = OPTIONS_BY_KIND.get(kind, CrawlOptions)
    if isinstance(raw, CrawlOptions):
        raw = raw.model_dump(exclude_unset=True)
    try:
        return model.model_validate(raw or {})
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            field = ".".join(str(p) for p in err["loc"]) or "options"
            problems.append(f"{field}：{_ERRORS.get(err['type'], '取值无效')}（{err.get('input')!r}）")
        raise ValueError(f"来源 {source!r}（{kind}）的选项有误：" + "；".join(problems)) from None
