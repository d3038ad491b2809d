"""The statistics bureau's release list (/sj/zxfb/) and release pages, as stats.gov.cn lays them out."""

from __future__ import annotations

from datetime import datetime
from html import escape

from ..items import StatRelease
from .common import day, minute

PAGE_SIZE = 15


def visible(releases: tuple[StatRelease, ...], vnow: datetime) -> list[StatRelease]:
    return [r for r in releases if r.at <= vnow]


def page_count(rows: list[StatRelease]) -> int:
    return max(1, (len(rows) + PAGE_SIZE - 1) // PAGE_SIZE)


def _shell(title: str, body: str) -> str:
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta http-equiv="X-UA-Compatible" content="IE=edge">
<title>{escape(title)}</title>
<meta name="SiteName" content="国家统计局">
</head>
<body>
<div class="header"><div class="logo"><a href="/">国家统计局</a></div>
<ul class="nav"><li><a href="/">首页</a></li><li><a href="/sj/">数据</a></li>
<li><a href="/sj/zxfb/">最新发布</a></li><li><a href="/sj/sjjd/">数据解读</a></li>
<li><a href="/xw/">新闻</a></li><li><a href="/zs/">知识</a></li></ul></div>
<div class="wrapper-position"><a href="/">首页</a> &gt;
<a href="/sj/">数据</a> &gt; <a href="/sj/zxfb/">最新发布</a></div>
{body}
<div class="footer"><p>版权所有：国家统计局（演示环境）</p>
<p>地址：北京市西城区月坛南街57号（100826）</p></div>
</body>
</html>
"""


def list_html(releases: tuple[StatRelease, ...], vnow: datetime, page: int) -> str | None:
    """Page `page` (0 for index.html) of the list; None past the last page."""
    rows = visible(releases, vnow)
    count = page_count(rows)
    if page < 0 or page >= count:
        return None
    items = []
    for r in rows[page * PAGE_SIZE: (page + 1) * PAGE_SIZE]:
        href = "./" + r.path.removeprefix("/sj/zxfb/")
        short = r.title if len(r.title) <= 20 else r.title[:19] + "..."
        items.append(
            f'<li><a class="pc_1600" href="{escape(href)}" target="_blank" title="{escape(r.title)}">'
            f'{escape(r.title)}</a><a class="pchide" href="{escape(href)}" target="_blank" '
            f'title="{escape(r.title)}">{escape(short)}</a><span>{day(r.at)}</span></li>'
        )
    body = f"""<div class="list-title"><h1>最新发布</h1></div>
<div class="list-content">
<ul>
{chr(10).join(items)}
</ul>
</div>
<div class="page"><div class="fenye">
<script type="text/javascript">
//分页
createPageHTML({count}, {page}, "index", "html");
</script>
</div></div>"""
    return _shell("最新发布 - 国家统计局", body)


def detail_html(release: StatRelease) -> str:
    paragraphs = "\n".join(f'<p style="text-indent: 2em;">{escape(p)}</p>' for p in release.paragraphs)
    body = f"""<div class="detail">
<div class="detail-title"><h1>{escape(release.title)}</h1></div>
<div class="detail-title-des"><h2><p>{minute(release.at)}</p></h2>
<div class="detail-source">来源：国家统计局</div></div>
<div class="detail-content"><div class="txt-content"><div class="TRS_Editor">
{paragraphs}
</div></div></div>
<div class="detail-attach">附件：<a href="#">{escape(release.title)}.pdf</a></div>
</div>"""
    return _shell(f"{release.title} - 国家统计局", body)
