"""Article extraction on real saved pages (../shared/real/news/, origins in its SOURCES.tsv).

Per page: the title, publisher (来源), author where the page names one, and publication time it must
yield; the body must hold what trafilatura's defaults and GeneralNewsExtractor find on the same page
(computed here, clause by clause, by bench/extract.py's rule: boilerplate aside, and only text the
page shows, not a <textarea>'s or a script's) and what the gold files say (readability's expected
output, trafilatura's with/without snippets), and must not hold the sidebars, disclaimers and credits
around it.
"""

from __future__ import annotations

import csv
import json
import re
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import pytest
import trafilatura
from gne import GeneralNewsExtractor
from lxml import etree
from lxml import html as lxml_html

from yuqing.clock import to_local
from yuqing.crawler.parsing.article import METHODS, Article, extract_article, publication_date, unmarkup
from yuqing.crawler.parsing.boilerplate import clean, is_boilerplate, is_prose
from yuqing.crawler.parsing.charset import decode_html
from yuqing.crawler.parsing.density import parse_tree

REAL = Path(__file__).parents[2].parent / "shared" / "real" / "news"
NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
ARTICLES = [
    r["local_file"]
    for r in csv.DictReader((REAL / "SOURCES.tsv").open(encoding="utf-8"), delimiter="\t")
    if r["kind"] == "article"
]
_CLAUSE = re.compile(r"[。！？!?；;，,、：:\n]+")


def page(name: str) -> str:
    return decode_html((REAL / name).read_bytes(), None).text


@cache
def extracted(name: str) -> Article:
    return extract_article(page(name), f"https://news.example.invalid/{name}", now=NOW)


def squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


def shown(html: str) -> str:
    """The page's text a browser shows: no scripts, styles, templates or <textarea> contents."""
    root = parse_tree(html)
    assert root is not None
    etree.strip_elements(root, "script", "style", "template", "textarea", with_tail=False)
    return squeezed(root.text_content())


def coverage(ours: str, reference: str, page_text: str | None = None) -> float:
    """Share of the reference's prose clauses (by characters) found in `ours`; with `page_text`,
    only clauses the page shows count."""
    have = squeezed(ours)
    prose = "\n".join(line for line in clean(unmarkup(reference)).text.splitlines() if is_prose(line))
    clauses = [c for c in (squeezed(c) for c in _CLAUSE.split(prose)) if len(c) >= 4]
    if page_text is not None:
        clauses = [c for c in clauses if c in page_text]
    total = sum(map(len, clauses))
    return sum(len(c) for c in clauses if c in have) / total if total else 1.0


# title, publisher, author (None: the page names no author, or only an editor), Beijing time
FIELDS: dict[str, tuple[str, str | None, str | None, str]] = {
    "chinanews_1.html": (
        "【中国稳健前行】坚定实施扩大内需战略",
        "求是网",
        "方敏",  # "(作者：方敏北京大学经济学院教授)": the name without the post
        "2020-07-04 12:10",
    ),
    "ifeng_1.html": (
        "故宫，你低调点！故宫：不，实力已不允许我继续低调",
        "中国新闻网",
        "上官云 宋宇晟",
        "2019-02-20 02:26",
    ),
    "163_1.html": ("美国新冠肺炎确诊病例超278万例 死亡129227例", "央视新闻客户端", None, "2020-07-04 01:55"),
    "gmw_1.html": ("宇航员在太空中喝酒会怎么样？后果很严重", "网易科学人", None, "2017-03-10 09:58"),
    "youth_1.html": (
        "海外留学生看两会：出国前后关注点大不同",
        "人民日报海外版",
        None,  # the author meta says "青网校园崔宁宁": the desk and the 责任编辑 printed below
        "2017-03-10 08:42",
    ),
    "xinhuanet_1.html": ("武汉的声音：有英勇的你，才有英雄的城！", "半月谈", None, "2020-02-19 20:29"),
    "banyuetan_1.html": ("益阳：“数字”是优长", "半月谈网", None, "2020-01-02 17:11"),
    "xinhuanet_2.html": ("话剧《约定无期限》河北各市巡演结束", "河北日报", None, "2012-06-04 09:20"),
    "sohu_1.html": (
        "视频丨李克强同志遗体在京火化 习近平等到八宝山革命公墓送别",
        "搜狐政务",
        None,
        "2023-11-02 20:13",
    ),
    # 新浪台灣 carries 北京新浪網's story (JSON-LD credits that outlet as author); （羅森） closes it
    "sinatw_1.html": (
        "9年來第1次戰勝詹姆斯!NBA歷史第二差紀錄終結",
        "北京新浪網",
        "羅森",
        "2020-01-21 11:12",
    ),
    "upmedia_1.html": (
        "稱「憂鬱症是不知足」挨轟 吳宗憲：鼓勵患者別只往負面想",
        "上報",
        "范姜佳鈺",  # "上報快訊／范姜佳鈺": the desk, then the reporter
        "2020-03-12 20:19",
    ),
    "ltn_1.html": ("是你嗎？ 1-2月期發票千萬獎開出18張", "自由時報", "巫其倫", "2020-04-01 10:29"),
    # the site is 經濟日報; the story is 聯合報's: "2020-10-04 15:05聯合報 記者林宸誼／即時報導"
    "udn_1.html": ("索尼、鎧俠業績遭波及 已向美申請供貨華為", "聯合報", "林宸誼", "2020-10-04 15:05"),
    "chinadaily_1.html": ("外国专家：中美合作共赢符合国际社会利益", "中国日报网", None, "2023-11-17 15:13"),
    "xinhuanet_3.html": ("短缺药品保供稳价 全力保障临床用药需求", "新华社", None, "2023-11-17 20:52"),
    "cna_1.html": ("鄭文燦：多元方案解決蛋荒 預估3月初緩解", "中央通訊社", None, "2023-02-21 21:20"),
    "people_1.html": (
        "安徽司法行政系训诫预警：“揪揪耳朵”防腐败",
        "人民网-人民日报",
        "钱伟",
        "2009-11-09 00:00",
    ),
    "sohu_2.html": ("BOBO组合连赶通告 T台走秀擂台比舞", "搜狐娱乐", None, "2009-11-09 11:58"),
    "itreview_1.html": ("Sun股价持续回落 与甲骨文交易前景堪忧", "新浪科技", None, "2009-11-01 00:00"),
    "163_4.html": (
        "八部委如何玩转互联网+：打造万物互联新生态",
        "21世纪经济报道",
        "何苗 张梦洁",
        "2015-05-21 05:03",
    ),
    # columns (亦观察) with no 来源: the site's name, from the <title> ("…_网易财经")
    "163_5.html": ("埃洛普离职：微软卧底成弃儿？", "网易财经", "maomaobear", "2015-06-19 11:20"),
    "163_6.html": ("任正非有哪四把榔头？", "网易财经", "冀勇庆", "2015-06-25 08:46"),
    "163_7.html": ("三星失意 路在何方？", "网易财经", "李光斗", "2015-07-03 11:31"),
    "ce_1.html": (
        "我国创新型国家建设基础夯实 研究与发展经费投入强度创新高",
        "经济日报",
        "林火灿",
        "2018-10-10 06:40",
    ),
    "ce_2.html": (
        "9月份物流业景气指数升至53.1% 扭转3个月来连续回落走势",
        "经济日报",
        "冯其予",
        "2018-10-09 07:21",
    ),
    "chinanews_2.html": (
        "印尼地震海啸已致2045人死亡 部分灾民将搬迁安置",
        "中国新闻网",
        "林永传",
        "2018-10-10 19:59",
    ),
    "chinadaily_2.html": (
        "【中国那些事儿】育儿更轻松！美媒：人工智能悄然改变中国人的“养娃”方式",
        "中国日报网",
        None,
        "2018-10-10 17:10",
    ),
    # "作者：中国人民大学重阳金融研究院执行院长王文、中国人民大学重阳金融研究院副研究员 王鹏"
    "gmw_2.html": ("美国走下坡路的大趋势没变", "光明网-时评频道", "王文 王鹏", "2018-10-10 11:17"),
    "huanqiu_1.html": ("第三次夺冠！这个西方对华封锁的技术被上海科学家突破", None, None, "2018-10-10 17:02"),
    # the outlet printed after the time: "2018-10-10 09:08" then "观察者网"
    "youth_2.html": ("微博：下月起暂停对不满14周岁未成年人开放注册", "观察者网", None, "2018-10-10 09:08"),
    "qq_3.html": ("曹方新碟发布会创意无限 特制入场门票体现心意", "腾讯音乐", None, "2009-11-09 11:30"),
    "sina_1.html": ("爱戴掀起红盖头 庆东南劲爆音乐颁奖七周年(图)", "新浪娱乐", None, "2009-11-09 13:48"),
    # the source sits in a camelCase-marked element (sourceTitleText-…) beside a 关注 box
    "ifeng_2.html": (
        "故宫，你低调点！故宫：不，实力已不允许我继续低调",
        "中国新闻网",
        "上官云 宋宇晟",
        "2019-02-20 02:26",
    ),
    "cctv_1.html": (
        "习近平主持召开中央财经委员会第三次会议强调：大力提高我国自然灾害防治能力 全面启动川藏铁路规划建设",
        "央视网",
        None,
        "2018-10-10 19:50",
    ),
    # a blog: the time is printed in English ("Dec 28 Sat 2013 00:28")
    "pixnet_1.html": ("新竹尖石_美樹營地賞楓 (2)", "史蒂文的家_藍天", None, "2013-12-28 00:28"),
    "qq_2.html": ("DeepMind新电脑已可利用记忆自学 人工智能迈上新台阶", "TNW中文站", None, "2016-10-14 07:17"),
    "bbczhongwen_1.html": ("港特首梁振英就住宅违建事件道歉", "BBC", None, "2012-12-10 00:00"),
}
# authors the pages print but as editors (责任编辑) or comment-form labels: never the author
NOT_AUTHORS = {
    "163_1.html": "化成雨_NBJ11143",
    "gmw_1.html": "肖春芳",
    "ce_1.html": "冯虎",
    "163_4.html": "账号",
    "chinanews_1.html": "chinanews",
    "youth_1.html": "青网校园崔宁宁",
}


def test_the_corpus_is_there() -> None:
    assert len(ARTICLES) >= 38 and set(FIELDS) <= set(ARTICLES)


@pytest.mark.parametrize("name", sorted(FIELDS))
def test_fields_of_each_real_page(name: str) -> None:
    title, publisher, author, when = FIELDS[name]
    art = extracted(name)
    assert art.title == title
    assert art.publisher == publisher
    if author is not None or name in NOT_AUTHORS:
        assert art.author == author
    assert art.published_at is not None
    assert to_local(art.published_at).strftime("%Y-%m-%d %H:%M") == when


@pytest.mark.parametrize("name", ARTICLES)
def test_body_holds_what_trafilatura_finds(name: str) -> None:
    html = page(name)
    art = extracted(name)
    assert art.method in METHODS and art.scores[art.method] > 0
    reference = trafilatura.extract(html, url=f"https://news.example.invalid/{name}") or ""
    assert coverage(art.text, reference) >= 0.98
    # and not by hoarding: never more than twice the reference's prose plus the density node's
    assert len(squeezed(art.text)) <= 2 * len(squeezed(reference)) + 500


@pytest.mark.parametrize("name", ARTICLES)
def test_body_holds_what_gne_finds_on_the_page(name: str) -> None:
    html = page(name)
    try:
        reference = GeneralNewsExtractor().extract(html)["content"] or ""
    except Exception:  # gne fails on some pages (math domain error): it found nothing
        reference = ""
    assert coverage(extracted(name).text, reference, shown(html)) >= 0.98


def _gold_paragraphs(name: str) -> list[str]:
    root = lxml_html.fromstring((REAL / "gold" / name).read_text(encoding="utf-8"))
    paras = [p.text_content() for p in root.iter("p", "h2", "h3", "li")]
    # the gold keeps a rights notice and an editor credit on some pages: boilerplate, not the article
    return [squeezed(p) for p in paras if len(squeezed(p)) >= 10 and not is_boilerplate(p)]


@pytest.mark.parametrize("gold", ["gmw_1", "pixnet_1", "qq_2", "youth_1"])
def test_body_holds_readabilitys_expected_article(gold: str) -> None:
    body = squeezed(extracted(f"{gold}.html").text)
    paras = _gold_paragraphs(f"{gold}.expected.html")
    held = sum(len(p) for p in paras if p in body)
    assert held >= 0.95 * sum(map(len, paras))


@pytest.mark.parametrize("gold", ["banyuetan_1", "xinhuanet_1", "xinhuanet_2"])
def test_body_matches_trafilaturas_snippets(gold: str) -> None:
    snippets = json.loads((REAL / "gold" / f"{gold}.snippets.json").read_text(encoding="utf-8"))
    body = extracted(f"{gold}.html").text
    assert all(s in body for s in snippets["with"])
    assert not any(s in body for s in snippets["without"])


@pytest.mark.parametrize(
    ("name", "inside", "outside"),
    [
        # 163: the sidebar (为您推荐…热点新闻…跟贴排行) is not the article
        (
            "163_1.html",
            "美国至少有19个州已经下令",
            ["为您推荐", "跟贴排行", "热点新闻", "责任编辑", "网友评论仅供"],
        ),
        ("163_4.html", "为互联网+鸣锣开道的还有各部委", ["跟贴", "本文来源"]),
        ("sohu_1.html", "八宝山革命公墓礼堂庄严肃穆", ["返回搜狐", "平台声明", "责任编辑"]),
        ("chinadaily_1.html", "中美合作共赢符合国际社会利益", ["版权说明", "违者必究", "责任编辑"]),
        ("chinanews_1.html", "坚定实施扩大内需战略", ["理论新闻精选", "【编辑:陈海峰】"]),
        ("pixnet_1.html", "美樹營地", ["留言列表", "歡迎回訪"]),
        ("youth_2.html", "暂停对不满14周岁的未成年人开放注册", ["红包", "领取"]),
        # a ranking sidebar of headlines credited to their outlet, and the prev/next links
        ("sinatw_1.html", "凱爾特人用一場酣暢淋漓的大勝", ["李澤楷", "【北京新浪網】", "上一則", "騎馬"]),
        # 163 columns embed a photo set (商业传奇, its own story and address) whose captions sit in a
        # hidden <textarea>: not this article
        ("163_6.html", "这就是任正非在手机上使出的四把榔头", ["人们将1984年称为中国现代公司的元年", "跟贴"]),
        ("163_7.html", "转变营销观念、发动粉丝的力量", ["本期商业传奇我们一同来问诊三星", "跟贴"]),
    ],
)
def test_body_leaves_out_the_boilerplate_around_it(name: str, inside: str, outside: list[str]) -> None:
    body = extracted(name).text
    assert inside in body
    assert not [o for o in outside if o in body]


def test_a_body_shipped_as_escaped_html_is_read_as_text() -> None:
    art = extracted("peopleapp_1.html")  # the article sits in the page as markup inside a script
    assert "中国发展给世界带来了什么" in art.text and "<p" not in art.text
    assert len(squeezed(art.text)) > 4000


# -- pages the corpus lacks, shaped like the sites the issue names ---------------------------------

DISCLAIMER_PAGE = """<html><head><title>A股三大指数集体收涨_证券时报网</title></head><body>
<div class="nav"><a href="/">首页</a> | <a href="/gs">公司</a> | <a href="/kx">快讯</a></div>
<h1>A股三大指数集体收涨</h1><div class="info">来源：证券时报网　作者：张三　2026-11-20 15:05</div>
<div class="detail-content">
<p>11月20日，A股三大指数集体收涨，沪指涨0.8%，深证成指涨1.1%，创业板指涨1.5%，两市成交额超过1.2万亿元。</p>
<p>盘面上，半导体、券商板块领涨，煤炭、银行板块小幅调整。北向资金全天净买入逾50亿元，市场情绪回暖。</p>
<p>分析人士表示，随着稳增长政策持续发力，经济数据边际改善，市场风险偏好有望进一步提升，但仍需关注外部扰动。</p>
<p>免责声明：本文所载内容仅供参考，不构成投资建议，投资者据此操作，风险自担。本网站所有内容均由作者提供，版权归原作者所有，
如有侵权请联系删除，未经授权不得转载，本网站对其真实性、准确性、完整性不作任何保证，读者请自行核实相关内容。</p>
<p>责任编辑：李四</p>
</div>
<div class="hot"><h3>热门推荐</h3><ul><li><a href="/1">券商板块午后拉升</a></li>
<li><a href="/2">北向资金净买入</a></li></ul></div>
</body></html>"""

WECHAT_PAGE = """<html><head><title>10月份CPI数据解读</title>
<meta property="og:title" content="10月份CPI数据解读"/></head><body>
<div id="js_article"><h1 class="rich_media_title" id="activity-name">10月份CPI数据解读</h1>
<div class="rich_media_meta_list"><span id="js_name">统计微讯</span>
<em id="publish_time">2026-11-15 10:00</em></div>
<div class="rich_media_content" id="js_content">
<p>国家统计局今天发布数据，10月份全国居民消费价格同比上涨0.2%，环比下降0.1%。</p>
<p>食品价格下降2.9%，其中猪肉价格下降较多；非食品价格上涨0.9%，服务价格温和上涨。</p>
<p>扣除食品和能源价格的核心CPI同比上涨0.5%，涨幅保持稳定，物价总体平稳运行。</p>
</div>
<div class="qr_code_pc"><p>微信扫一扫</p><p>关注该公众号</p></div>
<div class="share"><p>分享到朋友圈</p><p>长按识别二维码</p></div>
</div></body></html>"""


def test_a_disclaimer_and_the_editor_credit_are_not_the_body() -> None:
    art = extract_article(DISCLAIMER_PAGE, "https://www.stcn.example.invalid/article/1.html", now=NOW)
    assert "两市成交额超过1.2万亿元" in art.text and "仍需关注外部扰动" in art.text
    assert "免责声明" not in art.text and "责任编辑" not in art.text and "热门推荐" not in art.text
    assert (art.publisher, art.author) == ("证券时报网", "张三")
    assert to_local(art.published_at).strftime("%Y-%m-%d %H:%M") == "2026-11-20 15:05"


def test_a_wechat_article_keeps_its_text_not_the_follow_prompt() -> None:
    art = extract_article(WECHAT_PAGE, "https://mp.weixin.qq.com/s/abc", now=NOW)
    assert "核心CPI同比上涨0.5%" in art.text and "食品价格下降2.9%" in art.text
    assert "微信扫一扫" not in art.text and "关注该公众号" not in art.text and "二维码" not in art.text
    assert art.title == "10月份CPI数据解读"


def test_publishers_that_are_no_names_are_refused() -> None:
    from yuqing.crawler.parsing.byline import as_name

    assert as_name("梨视频）") == "梨视频"
    assert as_name("摄图网") is None and as_name("图片来源：视觉中国") is None
    assert as_name("本站原创") is None and as_name("责任编辑：王五") is None
    assert as_name("Name; Email") is None and as_name("http://www.sina.com.cn") is None
    assert as_name("新华网 2023-11-17", one_word=True) == "新华网"
    text_page = (
        "<html><head><title>标题示例的文章</title></head><body><h1>标题示例的文章</h1>"
        "<div>来源：<span><a href='/'>参考消息</a></span>&nbsp;&nbsp;作者：<b>王五</b></div>"
        "<p>正文第一段，内容足够长，说明了事情的来龙去脉，也有评论。</p>"
        "<p>正文第二段，继续说明事情的经过，并引用了专家的看法。</p></body></html>"
    )
    art = extract_article(text_page, "https://news.sina.example.invalid/a.html", now=NOW)
    assert (art.publisher, art.author) == ("参考消息", "王五")
    marked = text_page.replace(
        "来源：<span><a href='/'>参考消息</a></span>",
        "<div class='date-source'><span class='date'>2026年11月20日 10:05</span>"
        "<a href='https://china.example.invalid/' class='source ent-source'>参考消息</a></div>",
    )
    art = extract_article(marked, "https://news.sina.example.invalid/a.html", now=NOW)
    assert art.publisher == "参考消息"


@pytest.mark.parametrize(
    ("raw", "beijing"),
    [
        ("18-03-08", "2018-03-08 00:00"),
        ("18/3/8 09:30", "2018-03-08 09:30"),
        ("2007-08-20-23:59:59", "2007-08-20 23:59"),
        ("2026-11-20T10:05:00+08:00", "2026-11-20 10:05"),
        ("2026-11-20T02:05:00Z", "2026-11-20 10:05"),
        ("2026年11月20日10时05分", "2026-11-20 10:05"),
    ],
)
def test_news_time_forms(raw: str, beijing: str) -> None:
    from yuqing.crawler.parsing.times import parse_time

    assert to_local(parse_time(raw, NOW)).strftime("%Y-%m-%d %H:%M") == beijing


def _dated(meta: str, line: str) -> str:
    return (
        f"<html><head><title>某市统计局发布数据</title>{meta}</head><body><h1>某市统计局发布数据</h1>"
        f"<div class='info'>{line}</div>"
        "<p>某市统计局今天发布前三季度经济运行情况，地区生产总值同比增长5.1%。</p>"
        "</body></html>"
    )


@pytest.mark.parametrize(
    ("meta", "line", "expected"),
    [
        ("", "发布时间：18-03-08", "2018-03-08 00:00:00"),
        ("", "发布时间：18-03-08 09:30", "2018-03-08 09:30:00"),
        ('<meta name="firstpublishedtime" content="2007-08-20-23:59:59">', "", "2007-08-20 23:59:59"),
        ('<meta name="PubDate" content="2026-11-20 10:05">', "2030-01-01", "2026-11-20 10:05:00"),
        (
            '<meta property="article:published_time" content="2026-11-20T02:05:00Z">',
            "",
            "2026-11-20 10:05:00",
        ),
        ("", "2026年11月20日 10:05 来源：某市统计局", "2026-11-20 10:05:00"),
        ('<meta name="publishdate" content="2031-05-01">', "发布日期：2026-11-19", "2026-11-19 00:00:00"),
        ("", "Dec 28 Sat 2013 00:28", "2013-12-28 00:28:00"),
        ("", "Posted on November 20th, 2026", "2026-11-20 00:00:00"),
    ],
)
def test_publication_dates_as_news_pages_print_them(meta: str, line: str, expected: str) -> None:
    from yuqing.crawler.parsing.density import node_text, parse_tree

    html = _dated(meta, line)
    root = parse_tree(html)
    assert (
        publication_date(html, "https://tjj.example.invalid/a.html", NOW, root, node_text(root)) == expected
    )


_NEXT_DATA = {
    "props": {
        "pageProps": {
            "detailData": {
                "contentDetail": {
                    "name": "前三季度GDP同比增长5.2%",
                    "author": "赵六",
                    "content": "<p>国家统计局今天发布前三季度国民经济运行数据，"
                    "初步核算，前三季度国内生产总值同比增长5.2%。</p>"
                    "<p>分产业看，第一产业增加值同比增长4.0%，第二产业增加值增长4.4%，"
                    "第三产业增加值增长6.0%。</p><p>国家统计局新闻发言人表示，国民经济持续恢复向好，"
                    "高质量发展稳步推进，但外部环境依然复杂严峻。</p>",
                },
                "relatedList": [{"name": "别的文章", "summary": "不是正文"}],
            }
        }
    }
}
# shaped like a Next.js article page (thepaper.cn renders its body in the browser from this data)
NEXT_PAGE = (
    "<html><head><title>前三季度GDP同比增长5.2%_澎湃新闻-The Paper</title></head><body>"
    "<div id='__next'><h1>前三季度GDP同比增长5.2%</h1><div class='header'>澎湃新闻记者 赵六</div>"
    "<p>国家统计局今天发布前三季度国民经济运行数据。</p></div>"
    "<script id='__NEXT_DATA__' type='application/json'>"
    f"{json.dumps(_NEXT_DATA, ensure_ascii=False)}</script>"
    "</body></html>"
)


def test_a_body_rendered_in_the_browser_is_read_from_the_page_data() -> None:
    art = extract_article(NEXT_PAGE, "https://www.thepaper.example.invalid/newsDetail_forward_1", now=NOW)
    assert art.method == "embedded"
    assert "第三产业增加值增长6.0%" in art.text and "外部环境依然复杂严峻" in art.text
    assert "不是正文" not in art.text and "<p" not in art.text


def test_prev_next_links_and_outlet_credited_headlines_are_not_article_text() -> None:
    body = "\n".join(
        [
            "凯尔特人在主场以139-107大胜湖人，沃克职业生涯第一次战胜詹姆斯的球队。",
            "全场比赛，沃克出场30分钟，得到20分、7次助攻和4个篮板。",
            "关键字：",
            "李泽楷梁洛施分手9年罕见合体 为儿子比赛加油【北京新浪网】",
            "天呐，这居然是李宁！简直有毒！【北京新浪网】",
            "上一则：",
            "骑马这么久……其实你的鞍子可能都放错位置了",
        ]
    )
    text = clean(body).text
    assert text.endswith("得到20分、7次助攻和4个篮板。") and "李宁" not in text and "骑马" not in text
    assert is_boilerplate("上一篇：某市统计局发布前三季度数据") and is_boilerplate("下一條：無")
    # prose that merely begins with those words stays
    assert not is_boilerplate("上一篇文章中，我们介绍了居民消费价格指数的编制方法。")
    assert is_prose("新华社北京11月20日电 国家统计局今天发布数据【新华社】，显示物价平稳运行。")


def _bylined(head: str, byline_html: str, tail: str = "") -> Article:
    page_html = (
        f"<html><head><title>某市统计局发布前三季度数据_某某网</title>{head}</head><body>"
        f"<h1>某市统计局发布前三季度数据</h1><div class='info'>{byline_html}</div>"
        "<div class='content'><p>某市统计局今天发布前三季度经济运行情况，地区生产总值同比增长5.1%，"
        "规模以上工业增加值增长4.8%。</p><p>居民人均可支配收入实际增长5.0%，消费品市场平稳恢复，"
        f"物价总体稳定。</p>{tail}</div></body></html>"
    )
    return extract_article(page_html, "https://news.example.invalid/a.html", now=NOW)


def test_bylines_the_way_portals_print_them() -> None:
    org = json.dumps(
        {
            "@type": "NewsArticle",
            "author": {"@type": "Organization", "name": "北京新浪网"},
            "publisher": {"@type": "Organization", "name": "新浪台湾"},
        },
        ensure_ascii=False,
    )
    art = _bylined(
        f'<script type="application/ld+json">{org}</script>', "2026-11-20 10:05", "<p>（罗森）</p>"
    )
    assert (art.publisher, art.author) == ("北京新浪网", "罗森")  # an outlet credited as author is the 来源
    art = _bylined("", "2026-11-20 10:05 观察者网 &nbsp; 上报快讯／范姜佳钰")
    assert art.publisher == "观察者网"
    art = _bylined("", "2026年11月20日 10:05:00 来自北京")
    assert art.publisher == "某某网"  # an IP location is no outlet: the site's name from the <title>
    art = _bylined("", "2026-11-20 10:05联合报 记者林宸谊／即时报导")
    assert (art.publisher, art.author) == ("联合报", "林宸谊")
    art = _bylined("", "2026-11-20 10:05", "<p>（完）</p>")
    assert art.author is None


def test_what_follows_the_time_or_closes_the_article_is_no_name_when_it_is_a_control() -> None:
    art = _bylined("", "2026-11-20 10:05 星期五 &nbsp; 打印", "<p>（待续）</p>")
    assert (art.publisher, art.author) == ("某某网", None)
