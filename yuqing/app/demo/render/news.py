"""News media: RSS 2.0 feeds and article pages (a central site's layout and a local paper's)."""

from __future__ import annotations

from datetime import datetime
from html import escape

from ..items import NewsArticle
from .common import chinese_minute, day, iso, rfc822

FEED_SIZE = 50


def rss_xml(outlet: dict, articles: list[NewsArticle], base_url: str, vnow: datetime) -> str:
    """The outlet's feed: its visible articles, newest first."""
    items = []
    for a in articles[:FEED_SIZE]:
        link = escape(base_url + a.path)
        items.append(
            f"<item>\n<title>{escape(a.title)}</title>\n<link>{link}</link>\n"
            f"<description>{escape(a.summary)}</description>\n<pubDate>{rfc822(a.at)}</pubDate>\n"
            f'<guid isPermaLink="true">{link}</guid>\n<category>财经</category>\n'
            f"<source url=\"{escape(base_url + outlet['home'])}rss.xml\">"
            f"{escape(outlet['title'])}</source>\n</item>"
        )
    built = articles[0].at if articles else vnow
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0">
<channel>
<title>{escape(outlet['title'])}</title>
<link>{escape(base_url + outlet['home'])}</link>
<description>{escape(outlet['description'])}</description>
<language>zh-cn</language>
<copyright>{escape(outlet['site'])}版权所有</copyright>
<lastBuildDate>{rfc822(built)}</lastBuildDate>
<ttl>5</ttl>
{chr(10).join(items)}
</channel>
</rss>
"""


def _meta(a: NewsArticle, site: str) -> str:
    return f"""<meta charset="utf-8">
<title>{escape(a.title)}--财经--{escape(site)}</title>
<meta name="keywords" content="CPI,居民消费价格,物价">
<meta name="description" content="{escape(a.summary)}">
<meta property="og:type" content="article">
<meta property="og:title" content="{escape(a.title)}">
<meta property="article:published_time" content="{iso(a.at)}">
<meta name="publishdate" content="{day(a.at)}">
<meta name="author" content="{escape(a.author)}">
<meta name="source" content="来源：{escape(a.source)}">"""


def _body(a: NewsArticle) -> str:
    paragraphs = "\n".join(f"<p>{escape(p)}</p>" for p in a.paragraphs)
    author = f'<p class="author">（{escape(a.author)}）</p>' if a.author else ""
    return f"{paragraphs}\n{author}"


def _related(others: list[NewsArticle], a: NewsArticle) -> str:
    links = [f'<li><a href="{escape(o.path)}">{escape(o.title)}</a></li>'
             for o in others if o.path != a.path][:6]
    return "\n".join(links)


def central_article_html(a: NewsArticle, others: list[NewsArticle], outlet: dict) -> str:
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
{_meta(a, outlet['site'])}
</head>
<body>
<div class="header"><div class="w1000"><a class="logo" href="/">{escape(outlet['site'])}</a>
<ul class="nav"><li><a href="/">首页</a></li><li><a href="/news/">财经</a></li><li><a href="#">时政</a></li>
<li><a href="#">社会</a></li><li><a href="#">评论</a></li><li><a href="#">地方</a></li></ul></div></div>
<div class="main"><div class="layout rm_txt cf">
<div class="col col-1 fl">
<div class="path"><a href="/">{escape(outlet['site'])}</a>&gt;&gt;<a href="/news/">财经</a>&gt;&gt;正文</div>
<h1>{escape(a.title)}</h1>
<div class="col-1-1 fl"><time datetime="{iso(a.at)}">{chinese_minute(a.at)}</time>
 | 来源：<a href="#" target="_blank">{escape(a.source)}</a></div>
<article>
<div class="article rm_txt_con cf">
{_body(a)}
<div class="edit cf">({escape(a.editor)})</div>
</div>
</article>
<div class="share">分享让更多人看到</div>
</div>
<div class="col col-2 fr"><div class="ph">热点排行</div><ul class="ranking">
{_related(others, a)}
</ul></div>
</div></div>
<div class="footer"><p>{escape(outlet['site'])}版权所有，未经书面授权禁止使用</p>
<p>Copyright &copy; 1997-2026 （演示环境）</p></div>
</body>
</html>
"""


def local_article_html(a: NewsArticle, others: list[NewsArticle], outlet: dict) -> str:
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
{_meta(a, outlet['site'])}
</head>
<body>
<div id="top"><a href="/local/">{escape(outlet['site'])}</a> | <a href="#">江州新闻</a> |
<a href="#">财经</a> |
<a href="#">民生</a> | <a href="#">评论</a> | <a href="#">数字报</a></div>
<div class="content">
<div class="crumbs">当前位置：<a href="/local/">首页</a> &gt; <a href="/local/">财经</a></div>
<div class="title"><h1>{escape(a.title)}</h1></div>
<div class="info"><time class="time" datetime="{iso(a.at)}">{chinese_minute(a.at)}</time>
<span class="source">来源：{escape(a.source)}</span>
<span class="author">作者：{escape(a.author or '本报')}</span></div>
<div class="article" id="article">
{_body(a)}
<p class="editor">{escape(a.editor)}</p>
</div>
<div class="related"><h3>相关阅读</h3><ul>
{_related(others, a)}
</ul></div>
</div>
<div id="footer">{escape(outlet['site'])} 版权所有 江州市新闻网络中心 （演示环境）</div>
</body>
</html>
"""
