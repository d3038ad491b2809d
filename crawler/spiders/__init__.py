"""One spider per source kind; the spider's name is the kind (interfaces.md).

Imported lazily by name, so a Weibo crawl never pays for the article extractor's import.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from yuqing.crawler.spiders.base import SourceSpider

_CLASSES = {
    "news_rss": "yuqing.crawler.spiders.news_rss:NewsRssSpider",
    "news_site": "yuqing.crawler.spiders.news_site:NewsSiteSpider",
    "weibo_search": "yuqing.crawler.spiders.weibo_search:WeiboSearchSpider",
    "tieba": "yuqing.crawler.spiders.tieba:TiebaSpider",
    "discuz": "yuqing.crawler.spiders.discuz:DiscuzSpider",
    "releases": "yuqing.crawler.spiders.releases:ReleasesSpider",
    "news_comments": "yuqing.crawler.spiders.news_comments:NewsCommentsSpider",
    "wechat": "yuqing.crawler.spiders.wechat:WechatSpider",
}
SPIDER_NAMES = tuple(_CLASSES)


def spider_class(name: str) -> type[SourceSpider]:
    """The spider class for a source kind. Raises KeyError for an unknown name."""
    module, _, cls = _CLASSES[name].partition(":")
    return getattr(importlib.import_module(module), cls)
