"""Project-written labelled sentences (our own text) for what the public corpora lack.

The public sets are Weibo chatter and shopping reviews: they have no news reporting a
figure (which must come out neutral) and few statistics-specific accusations (数据造假,
被平均, 统计局注水 …, which must come out negative). These templates cover both; the model
card says they are used.
"""

from __future__ import annotations

from itertools import product

_INDICATORS = (
    "居民消费价格指数", "CPI", "工业生产者出厂价格", "国内生产总值", "城镇调查失业率", "规模以上工业增加值",
    "社会消费品零售总额", "固定资产投资", "制造业PMI", "居民人均可支配收入", "房价", "青年失业率",
)
_PERIODS = ("10月份", "前三季度", "1—10月份", "三季度", "9月份", "上半年")
_NEUTRAL = (
    "国家统计局今日发布数据，{p}{i}同比上涨0.2%，环比持平。",
    "据国家统计局{p}数据，{i}同比增长5.1%，增速比上月回落0.3个百分点。",
    "{p}{i}公布：同比下降0.4%，统计局新闻发言人就此答记者问。",
    "统计局发布{p}{i}，其中城市上涨0.3%，农村上涨0.1%。",
    "【数据】{p}{i}同比增长4.8%，详见国家统计局网站。",
    "国家统计局城市司首席统计师解读{p}{i}数据。",
    "{p}，{i}为5.0%，与上月持平。",
    "记者从统计局获悉，{p}{i}较去年同期提高0.5个百分点。",
    "今天上午10时，国家统计局发布{p}{i}等主要经济数据。",
    "{p}{i}数据出炉，分地区看东部地区增长较快。",
    # News that reports on accusations or answers them is still neutral reporting (model 1.1.0).
    "针对网上对{p}{i}的质疑，国家统计局有关负责人接受记者采访时作了说明。",
    "记者走访多家超市和农贸市场，了解{p}{i}背后的价格变化。",
    "统计局回应“{i}注水”说法：数据按统一方法和口径调查汇总。",
    "学者表示，个人体感与{i}存在差异属正常现象，不能据此认为数据失真。",
    "国家统计局介绍{i}的调查方法、权重构成和数据质量控制。",
    "专家解读：如何看待{p}{i}与居民感受之间的差距。",
)
_NEGATIVE = (
    "{i}数据造假，统计局又在注水，谁信啊",
    "{p}{i}纯属编的，数据失真，我们被平均了",
    "统计局公布的{i}根本不可信，拍脑袋出来的数字",
    "又被增长了？{i}和我们的真实感受完全不符，假数据",
    "{p}{i}明显造假，菜价涨成这样还说只涨0.2%，骗谁呢",
    "统计造假害人，{i}这种数据就是糊弄老百姓",
    "强烈质疑{p}{i}的真实性，统计局必须给个说法",
    "{i}注水严重，工资没涨物价天天涨，被平均的又是我",
    "别再拿{i}糊弄人了，菜价肉价都翻倍了，数据全是假的",
    "{p}{i}谁编的？和老百姓的日子一点关系都没有，呵呵",
)
_POSITIVE = (
    "{p}{i}超预期，经济回升向好，点赞！",
    "{i}稳中向好，信心满满，为中国经济加油",
    "{p}{i}表现亮眼，市场预期明显改善，太好了",
)
# Model 1.2.0: what the general corpora read backwards in this domain (analysis/sentiment/cues.py).
# Mockery and doubt about a figure are negative, whatever laughter or praise words they wear.
_IRONY = (
    "{i}才涨这么点？笑死，我家菜钱都翻倍了",
    "{p}{i}这个数谁信谁傻，呵呵",
    "统计局这{i}是不是又注水了，反正我不信[doge]",
    "厉害了统计局，{i}说涨就涨说跌就跌[doge]",
    "{p}{i}看完我笑出声，又被平均了[笑cry]",
    "{i}：数字游戏罢了，听听就好",
    "不愧是统计局，{i}编得真圆[微笑]",
    "好家伙，{p}{i}又是“稳中向好”，我怎么一点感觉都没有",
    "{i}这数字真敢写，信你个鬼",
    "就这{i}？离谱，骗鬼呢",
    "{p}{i}跟我的体感完全是两个世界，呵呵",
    "统计局真行啊，菜价翻倍{i}才涨0.2%[二哈]",
    "我信了，{i}真是太准了呢[微笑]",
    "{i}又创新低？怕不是拍脑袋算出来的",
    "真的假的？{p}{i}这数怎么算出来的，我不信",
    "恭喜统计局，{i}魔术又成功了[doge]",
)
# Praise of the bureau's openness, explanations and answers is positive, though it names the doubts.
_PRAISE_OPEN = (
    "谢谢统计局把{i}的计算方法讲清楚了，之前的疑问都打消了",
    "统计局这次对{i}质疑的回应很及时，公开透明，点赞",
    "{p}{i}发布会答疑很详细，有理有据，值得肯定",
    "感谢国家统计局发言人耐心解答网友关于{i}的疑问",
    "统计局主动公布{i}的权重和口径，态度诚恳，支持",
    "看了统计局对{i}的解读，明白了为什么体感和数据不一样，讲得好",
    "这次统计局回应{i}质疑很负责任，说清楚了，放心了",
    "为统计局公开{i}调查方法点个赞，透明才有公信力",
)
# Reposts and questions that take no side, and plain questions about how a figure is made: neutral.
_NEUTRAL_MORE = (
    "转发微博",
    "转发：{p}{i}数据发布",
    "{i}是怎么统计的？有没有懂的朋友科普一下",
    "请问{p}{i}什么时候公布？",
    "{p}{i}今天10点发布，关注一下",
    "马克一下{p}{i}，回头看看详细数据",
    "{i}同比和环比有什么区别？",
    "统计局网站上能查到历年的{i}吗",
)


def project_rows() -> list[tuple[str, str]]:
    """(text, label) pairs, every template filled with every indicator and period."""
    rows: list[tuple[str, str]] = []
    seen: set[str] = set()
    for label, templates in (("neutral", _NEUTRAL), ("negative", _NEGATIVE), ("positive", _POSITIVE),
                             ("negative", _IRONY), ("positive", _PRAISE_OPEN), ("neutral", _NEUTRAL_MORE)):
        for tpl, ind, period in product(templates, _INDICATORS, _PERIODS):
            text = tpl.format(i=ind, p=period)
            if text not in seen:  # templates without {i}/{p} give one row, not 72
                seen.add(text)
                rows.append((text, label))
    return rows
