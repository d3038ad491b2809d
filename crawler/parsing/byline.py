"""Publisher (来源) and author of an article page: structured metadata first, then visible text.

Order: meta tags (`source`, `article:source`…), elements marked as the source (`<a class="source">`,
`<span id="source_baidu">`…), JSON-LD, then the 来源：/作者： lines of the visible text near the title
(tags and &nbsp; gone), then the site name. Every candidate must read as a name: image credits,
comment-form labels, editor credits and stray punctuation are refused.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator

from lxml import html

from yuqing.crawler.parsing.density import node_text

_SPACES = re.compile(r"[\s\u00a0\u3000\u2002\u2003\u200b]+")
_SOURCE_LABEL = re.compile(r"(?:来源|來源|稿源|出处|出處)\s*[：:]\s*")
_AUTHOR_LABEL = re.compile(r"(?:(?:作者|記者|记者|撰文)\s*[：:丨|/]|(?<![中英原正全本图圖推])文\s*[：:/])\s*")
_LEADING_LABEL = re.compile(
    r"^(?:(?:来源|來源|稿源|出处|出處|作者|記者|记者|撰文|通讯员|通訊員)\s*[：:]?\s*|文\s*[：:/]\s*)+"
)
# Taiwan's byline: "聯合報 記者林宸誼／即時報導"
_REPORTER_DESK = re.compile(r"(?:記者|记者)[ \t]*([\u4e00-\u9fff]{2,4})[ \t]*[／/]")
_REPORTER = re.compile(r"[（(][^（()）\n]{0,20}?(?:记者|記者)\s*([^（()）\n]{2,16}?)\s*[)）]")
# where a name printed after a label ends: the next label, a date, a separator
_NAME_END = re.compile(
    r"\s{2,}|[|｜丨/]|(?:作者|记者|記者|编辑|編輯|责任编辑|时间|發布|发布|日期|字号|阅读|來源|来源|原标题|"
    r"\d{4}[-/年.]|\d{1,2}:\d{2})"
)
_NOT_NAME = re.compile(
    r"摄图网|视觉中国|图虫|东方IC|CFP|IC photo|图片来源|图片|图源|供图|网络|本站原创|本网原创|原创|"
    r"责任编辑|编辑|校对|Name|E-?mail|Website|评论|登录|注册|用户名|密码|验证码|网友|匿名|转载|未知|"
    r"文章|阅读|閱讀|粉丝|关注|浏览|人气|人氣|账号|帳號|跟贴|跟帖|^来自|^來自|[${}<>=]|"
    r"\d{1,2}日[电電讯訊]|\d{1,4}\s*[年月日]|\d{1,2}:\d{2}|^https?:|www\.|[a-z0-9]\.[a-z]{2,}|^(?:作者|记者|記者|来源|來源|文|图|圖|本报|本网|本站|通讯员)$",
    re.I,
)
# a desk or a place in a byline "上報快訊／范姜佳鈺", "記者王小明／台北報導": not the writer
_DESK = re.compile(r"(?:報導|报道|快訊|快讯|綜合|综合|編譯|编译|外電|外电|中心|新聞|新闻|社|網|网)$")
_TRAILING = "）)】]」』>》:：,，。.、;；!！?？\"'“”‘’ -—_·|"
_LEADING = "（(【[「『<《:：,，。.、;；\"'“”‘’ -—_·|"
_META_SOURCE = ("source", "article:source", "og:article:source", "mediaid", "media", "sourcename", "origin")
_META_AUTHOR = ("author", "article:author", "og:article:author", "byline", "dc.creator", "sailthru.author")
# "source", "p_origin", also camelCase compounds ("sourceTitleText-3cWSuiol" on ifeng)
_SOURCE_MARK = re.compile(
    r"(?:^|[-_])(?i:source|media_span|p_origin|come[-_]?from|laiyuan)(?:[A-Z][a-z]+)*(?:$|[-_])"
)
_AUTHOR_MARK = re.compile(r"(?:^|[-_])(?:author|byline|writer|reporter|zuozhe)(?:$|[-_])", re.I)
_EDITOR_NAME = re.compile(r"(?:责任编辑|编辑|責任編輯|編輯|责编)\s*[：:]\s*([^\s】\]）)]{2,20})")
_SKIP_MARK = re.compile(
    r"recommend|related|comment|footer|list|rank|hot|share|editor|login|form|tag|card", re.I
)


def squash(text: str | None) -> str:
    return _SPACES.sub(" ", text or "").strip()


def as_name(raw: str | None, *, max_len: int = 30, one_word: bool = False) -> str | None:
    """`raw` trimmed to a plausible publisher/author name, or None when it is none.

    `one_word`: a space ends the name (a publisher: "新华网 2023-11-17"); authors may be several.
    """
    text = squash((raw or "").strip().split("\n", 1)[0])
    text = _LEADING_LABEL.sub("", text)  # meta content "来源：新华社", "记者 王海清"
    if not text or re.match(r"(?:https?:)?//", text):
        return None
    if not one_word and "／" in text:
        parts = [p.strip() for p in text.split("／") if p.strip()]
        text = next((p for p in parts if not _DESK.search(p.split()[0])), parts[0] if parts else "")
    m = _NAME_END.search(text)
    if m and m.start() > 0:
        text = text[: m.start()]
    if one_word and re.match(r"\S*[\u4e00-\u9fff]\S*\s", text):
        text = text.split()[0]
    text = text.strip(_TRAILING).lstrip(_LEADING).strip()
    # an unmatched closing bracket left from the line around it ("梨视频）")
    for opener, closer in ("（）", "()", "【】", "《》"):
        if text.count(closer) > text.count(opener):
            text = text.replace(closer, "")
        if text.count(opener) > text.count(closer):
            text = text.replace(opener, "")
    text = text.strip()
    if not 2 <= len(text) <= max_len or _NOT_NAME.search(text):
        return None
    if re.search(r"[。！？!?]", text) or re.fullmatch(r"[\d\W_]+", text):
        return None
    return text


def _first(
    candidates: Iterable[str | None],
    *,
    max_len: int = 30,
    one_word: bool = False,
    reject: Callable[[str], bool] | None = None,
) -> str | None:
    for c in candidates:
        name = as_name(c, max_len=max_len, one_word=one_word)
        if name and not (reject and reject(name)):
            return name
    return None


def _metas(root: html.HtmlElement, names: tuple[str, ...]) -> Iterator[str]:
    for meta in root.iter("meta"):
        key = (meta.get("name") or meta.get("property") or meta.get("itemprop") or "").strip().lower()
        if key in names:
            yield meta.get("content") or ""


_ORGANIZATION = ("Organization", "NewsMediaOrganization", "Corporation")


def _json_ld(root: html.HtmlElement, field: str, *, kind: str = "any") -> Iterator[str]:
    """Names under `field` of the page's JSON-LD; `kind`: "person" skips organisations, "organization"
    takes only them (an outlet credited as author is the story's 来源, not its writer)."""
    for script in root.iter("script"):
        if (script.get("type") or "").lower() != "application/ld+json" or not script.text:
            continue
        try:
            data = json.loads(script.text)
        except ValueError:
            continue
        stack = [data]
        while stack:
            node = stack.pop()
            if isinstance(node, list):
                stack.extend(node)
            elif isinstance(node, dict):
                value = node.get(field)
                for v in value if isinstance(value, list) else [value]:
                    org = isinstance(v, dict) and v.get("@type") in _ORGANIZATION
                    if (kind == "person" and org) or (kind == "organization" and not org):
                        continue
                    if isinstance(v, dict) and isinstance(v.get("name"), str):
                        yield v["name"]
                    elif isinstance(v, str):
                        yield v
                stack.extend(v for k, v in node.items() if k == "@graph")


def _marked(root: html.HtmlElement, mark: re.Pattern[str], label: re.Pattern[str]) -> Iterator[str]:
    """Text of elements whose id or class says they hold the source (or author), label removed."""
    for el in root.iter():
        if not isinstance(el.tag, str) or el.tag in ("script", "style", "meta", "link", "source"):
            continue
        tokens = [el.get("id") or "", *(el.get("class") or "").split()]
        if not any(mark.search(t) and not _SKIP_MARK.search(t) for t in tokens if t):
            continue
        # items of a list (related articles) or links to recommendations carry their own sources
        if _SKIP_MARK.search(el.get("href") or "") or el.xpath("ancestor::li"):
            continue
        text = node_text(el)  # a line per block: "中国新闻网" apart from a "关注" box beside it
        if not text or len(squash(text)) > 80:
            continue
        m = label.search(text)
        yield text[m.end() :] if m else text


def _labelled(text: str, label: re.Pattern[str]) -> Iterator[str]:
    for m in label.finditer(text):
        yield text[m.end() : m.end() + 40]


# an outlet printed right before the time under the headline: "TNW中文站2016年10月14日07:17"
_NAME_THEN_DATE = re.compile(
    r"^((?=[^\n]*[\u4e00-\u9fff])[^\d\s：:，。|()（）]{2,16}?)[ \t\u3000]*[(（]?"
    r"(?:19|20)\d{2}[-/年.]\d{1,2}[-/月.]\d{1,2}日?[ \t\u3000]*\d{1,2}:\d{2}",
    re.M,
)
# or right after it: "2009年11月09日13:48 新浪娱乐", "2018-10-10 09:08" then "观察者网" on its own line
_DATE_THEN_NAME = re.compile(
    r"(?:19|20)\d{2}[-/年.]\d{1,2}[-/月.]\d{1,2}日?[ \t\u3000]*\d{1,2}:\d{2}(?::\d{2})?"
    r"[ \t\u3000]*\n?[ \t\u3000]*([\u4e00-\u9fff]{2,12})(?=[ \t\u3000]|$)",
    re.M,
)


def publisher(
    root: html.HtmlElement, near_title: str, site_name: str | None, title_suffixes: Iterable[str] = ()
) -> str | None:
    """The 来源 of the article (the outlet that published it first), else the site's own name
    (metadata, else the last name its <title> ends with: "…_网易财经")."""
    return _first(
        [
            *_metas(root, _META_SOURCE),
            *_marked(root, _SOURCE_MARK, _SOURCE_LABEL),
            *_json_ld(root, "author", kind="organization"),
            *_json_ld(root, "publisher"),
            *_labelled(near_title, _SOURCE_LABEL),
            *(m.group(1) for m in _NAME_THEN_DATE.finditer(near_title[:600])),
            # not a label repeated down a news list ("… 2020-03-12 20:19" then "最新消息", nine times)
            *(
                n
                for m in _DATE_THEN_NAME.finditer(near_title[:600])
                if near_title.count(n := m.group(1)) < 3 and not _NOT_OUTLET.match(n)
            ),
            *_metas(root, ("og:site_name", "application-name", "sitename", "site_name")),
            site_name,
            *reversed(title_suffixes),
        ],
        one_word=True,
    )


# what follows a time under a headline and is no outlet: a weekday, a page control, a time of day
_NOT_OUTLET = re.compile(
    r"星期|周[一二三四五六日天]|礼拜|禮拜|打印|关闭|關閉|收藏|分享|评论|評論|字号|字體|字体|浏览|瀏覽|点击|點擊|"
    r"发布|發布|更新|原创|转载|轉載|举报|我要|上午|下午|凌晨|晚间|早上|中午|今天|昨天|北京时间|北京時間"
)
# the writer in brackets on the article's last line: "（羅森）"; not "（完）", an outlet or a credit
_NOT_CREDIT = re.compile(
    r"待续|待續|未完|续|續|全文|本报|本報|本网|本網|本刊|摘编|编译|編譯|综合|綜合|整理|原文|下同|同上|"
    r"删节|刪節|节选|節選|资料|資料|图|圖|视频|視頻"
)
_TAIL_CREDIT = re.compile(r"^[（(]([\u4e00-\u9fff]{2,4})(?<![社网網报報台完图圖文稿])[)）]$", re.M)


def author(
    root: html.HtmlElement, near_title: str, body: str, fallback: str | None, *, not_names: Iterable[str] = ()
) -> str | None:
    """The writer: meta/JSON-LD/marked elements, then 作者：/记者 lines.

    Never an editor (a name printed after 责任编辑/编辑), a label, or the outlet itself (`not_names`:
    the publisher, the site's names, the host), which portals put in their author meta tag.
    """
    page = squash(root.text_content())  # 责任编辑 is often printed far below the article
    printed = _EDITOR_NAME.finditer(near_title + "\n" + body + "\n" + page)
    editors = {e for m in printed if (e := as_name(m.group(1)))}
    sites = [s.lower() for s in not_names if s]

    def refused(name: str) -> bool:
        low = name.lower()
        # "青网校园崔宁宁" in the author meta, "责任编辑：崔宁宁" below: the editor, under a desk's name
        return any(e in name for e in editors) or any(low in s or s in low for s in sites)

    head = body[:300]
    tail = body[-600:]
    found = _first(
        [
            *_metas(root, _META_AUTHOR),
            *_json_ld(root, "author", kind="person"),
            *_marked(root, _AUTHOR_MARK, _AUTHOR_LABEL),
            *_labelled(near_title, _AUTHOR_LABEL),
            *(m.group(1) for m in _REPORTER_DESK.finditer(near_title)),
            *(m.group(1) for m in _REPORTER.finditer(head + "\n" + tail)),
            *_labelled(head + "\n" + tail, _AUTHOR_LABEL),
            *(m.group(1) for m in _TAIL_CREDIT.finditer(tail) if not _NOT_CREDIT.search(m.group(1))),
            fallback,
        ],
        max_len=40,
        reject=refused,
    )
    return _people(found) if found else None


_AFFILIATION = re.compile(
    r"大学|大學|学院|學院|研究院|研究所|研究员|研究員|研究中心|教授|院长|院長|主任|博士|学者"
)


def _people(byline: str) -> str:
    """The persons' names in a byline that also gives their posts ("中国人民大学重阳金融研究院执行院长王文、
    …副研究员 王鹏" -> "王文 王鹏"); a byline without posts as it is. jieba tags the names (nr)."""
    if not _AFFILIATION.search(byline):
        return byline
    import logging

    import jieba
    import jieba.posseg  # loaded only for such bylines: its dictionary takes a second or two

    jieba.setLogLevel(logging.WARNING)
    names = [w.word for w in jieba.posseg.cut(byline) if w.flag == "nr" and 2 <= len(w.word) <= 4]
    return " ".join(dict.fromkeys(names)) or byline
