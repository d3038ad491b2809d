"""What surrounds an article on Chinese news pages and is not part of it, recognised line by line.

Recommendation and comment sections end the article (everything after their heading goes);
disclaimers, share prompts, comment-form labels and editor lines are dropped where they stand.
Site-agnostic: the phrases are the ones portals print, not any site's markup.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# a heading that opens a section after the article: recommendations, rankings, comments
_SECTION = re.compile(
    r"^[\s【\[\-—=>·|•#]*(?:为您推荐|为你推荐|相关新闻|相关阅读|相关文章|相关报道|相关推荐|推荐阅读|热点新闻|热门推荐|"
    r"热门新闻|热门文章|热门评论|最新评论|精彩评论|网友评论|评论列表|留言列表|发表评论|我要评论|我来说两句|"
    r"跟贴排行|跟贴热词|热门跟贴|网友跟贴|跟帖|点击排行|热门排行|排行榜|猜你喜欢|大家都在看|你可能还喜欢|更多精彩|往期回顾|精彩推荐|"
    r"今日推荐|编辑推荐|延伸阅读推荐|更多新闻|更多阅读|全部评论|热点推荐|相关专题|相关链接|新闻排行|"
    r"更多編輯台推薦新聞|相關新聞|延伸閱讀|熱門新聞|留言列表|熱門文章|你可能會喜歡|熱門點閱|推薦閱讀|相關文章|"
    r"更多新聞|看更多|您?可能會有興趣的文章|您?可能感兴趣的(?:文章|内容|新闻)?|你可能感兴趣的(?:文章|内容|新闻)?)"
    r"[\s】\]：:>»（(\d)）]*$"
)
# links to the previous and next story ("上一篇：…", "下一則："): navigation after the article
_PREV_NEXT = re.compile(r"^[\s【\[]*[上下]一(?:篇|则|則|条|條)(?:文章|新闻|新聞)?\s*(?:[：:】\]]|$)")
# lines that are never article text wherever they stand (short lines only)
_NOISE = re.compile(
    r"微信扫一扫|扫一扫|转播到|扫描二维码|长按识别|长按二维码|分享到|分享至|关注该公众号|点击右上角|用微信扫|"
    r"打开微信|点击关注|一键分享|我要分享|返回搜狐|查看更多|加载更多|点击加载|展开全文|阅读全文|打开APP|打开App|下载客户端|"
    r"网友评论仅供|目前没有跟贴|欢迎你发表观点|查看全部|发表评论|我要评论|文明上网|理性发言|请登录|"
    r"登录后|用户名|验证码|匿名发表|隱私權|隐私权|隱私條款|隐私条款|隐私政策|隱私政策|[Cc]ookie|[领領]取|下[载載]APP|用APP看|红包|紅包|^(?:登录|注册|提交|发表|回复|举报|收藏|点赞|复制链接|打印|关闭窗口|"
    r"返回顶部|上一篇|下一篇|字号|大|中|小|Name|Email|Website|Comment|Submit)\W*$",
    re.I,
)
# disclaimers and rights notices (paragraph-long, so matched on any line up to 300 characters)
_DISCLAIMER = re.compile(
    r"^[\s【\[（(]*(?:免责声明|郑重声明|特别声明|版权声明|风险提示|声明)\s*[：:】\]]|不构成投资建议|据此操作[，,]?风险自担|"
    r"不代表本(?:网|站|平台)(?:立场|观点)|不代表(?:网易|新浪|搜狐|腾讯|凤凰网)?(?:立场|观点|意见)|仅代表作者(?:本人)?观点|"
    r"与本(?:网|站)无关|转载请注明|未经(?:授权|许可)(?:不得|禁止|，)|版权(?:所有|归)|"
    r"All Rights Reserved|Copyright|"
    r"©|违者必究|如有侵权|侵权请联系|联系删除",
    re.I,
)
# editor and proofreader credits (责任编辑：… ; 【编辑:…】 ; (编辑：… …))
_EDITOR = re.compile(
    r"^[\s【\[（(]*(?:责任编辑|责编|实习编辑|编辑|校对|审核|审校|监制|策划|值班编辑|编审|責任編輯|編輯)\s*[：:丨|]"
)
_MENU = re.compile(r"^\|?(?:\s*[^|。！？，]{1,8}\s*\|){3,}")
_BREADCRUMB = re.compile(r"^(?:[^>»\n。，]{1,16}\s*[>»]\s*){2,}[^>»\n。，]{0,16}$")
_SENTENCE = re.compile(r"[。！？!?；;，,…]")


@dataclass(frozen=True)
class Cleaned:
    text: str
    dropped: int  # lines removed as boilerplate
    cut: str | None  # the section heading the article was cut at


def is_boilerplate(line: str) -> bool:
    """A single line that is never article text (disclaimer, share prompt, editor credit, label)."""
    s = line.strip().lstrip("-*• ").strip()
    if not s:
        return True
    if len(s) <= 40 and (_NOISE.search(s) or _EDITOR.search(s)):
        return True
    if len(s) <= 80 and _PREV_NEXT.match(s):
        return True
    if len(s) <= 300 and _DISCLAIMER.search(s):
        return True
    return bool(_MENU.match(s) or _BREADCRUMB.match(s))


# prompts glued to the end of the last paragraph ("…也前往送别。返回搜狐，查看更多")
_TRAILING_PROMPT = re.compile(r"(?:返回\S{1,6}[，,]?\s*查看更多|展开全文|阅读全文|点击查看更多|查看原文)\W*$")


def is_section_heading(line: str) -> bool:
    """A heading after which nothing is the article: recommendations, comments, prev/next links."""
    s = line.strip().lstrip("-*• ").strip()
    return bool(_SECTION.match(s) or ((m := _PREV_NEXT.match(s)) and not s[m.end() :].strip()))


def clean(text: str) -> Cleaned:
    """`text` without boilerplate lines, cut at the first heading of a section after the article."""
    kept: list[str] = []
    dropped = 0
    cut = None
    for raw in text.splitlines():
        line = _TRAILING_PROMPT.sub("", raw.strip()).strip()
        if not line:
            continue
        if is_section_heading(line):
            cut = line
            break
        if is_boilerplate(line):
            dropped += 1
            continue
        kept.append(line)
    # what stands before the first sentence or after the last one is a dateline, a list of other
    # headlines or a footer of links, never the article
    prose = [k for k, line in enumerate(kept) if is_prose(line)]
    if prose:
        dropped += len(kept) - (prose[-1] + 1 - prose[0])
        kept = kept[prose[0] : prose[-1] + 1]
    return Cleaned("\n".join(kept), dropped, cut)


_MARKUP = re.compile(r"</?[a-z][a-z0-9]*[\s>/]|&lt;/?[a-z]", re.I)


def has_markup(text: str) -> bool:
    return bool(_MARKUP.search(text))


_STAMPED = re.compile(r"\d{1,2}:\d{2}(?::\d{2})?\)?$|\d{4}[-/.]\d{1,2}[-/.]\d{1,2}\)?$")
# a headline credited to its outlet, as rankings and related lists print them ("…【北京新浪網】")
_SOURCED = re.compile(r"[【\[][^【】\[\]\s]{2,12}[】\]]$")


def is_prose(line: str) -> bool:
    """A line that reads as article text: a sentence, or a long line; never a list stub, markup,
    or a headline stamped with its time or outlet (an entry of a news list: "… 2020-03-12 20:00",
    "…【北京新浪網】")."""
    s = "".join(line.split())
    if not s or _MARKUP.search(line) or (len(s) <= 80 and _STAMPED.search(s)):
        return False
    if len(s) <= 60 and _SOURCED.search(s):
        return False
    listed = line.lstrip().startswith(("- ", "* ", "• "))
    return bool(_SENTENCE.search(s)) or (len(s) >= 25 and not listed)


def prose_chars(text: str) -> int:
    """Characters in lines that read as prose; headings and captions count half, list stubs nothing."""
    total = 0
    for line in text.splitlines():
        s = "".join(line.split())
        if is_prose(line):
            total += len(s)
        elif len(s) >= 8 and not line.lstrip().startswith(("- ", "* ", "• ")) and not _MARKUP.search(line):
            total += len(s) // 2
    return total
