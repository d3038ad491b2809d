from pathlib import Path

from yuqing.analysis.normalise import emoticons, normalise, strip_emoticons
from yuqing.analysis.tokenise import tokenise


def test_normalise_strips_markup_keeps_emoticons_folds_width_and_script() -> None:
    raw = ('<a href="https://m.weibo.cn/x">#CPI#</a> 數據造假！<span class="url-icon">'
           '<img alt="[怒]" src="//h5.sinaimg.cn/x.png"></span><br />'
           '//@某网友:真的 https://t.cn/abc ＣＰＩ　１２')
    out = normalise(raw)
    assert "<" not in out and "http" not in out and "@某网友" not in out
    assert "数据造假!" in out and "[怒]" in out and "CPI 12" in out
    assert emoticons(out) == ["[怒]"]
    assert "[怒]" not in strip_emoticons(out)


def test_normalise_unescapes_entities_and_drops_scripts() -> None:
    assert normalise("<script>alert(1)</script>涨&amp;跌") == "涨&跌"
    assert normalise(None) == "" and normalise("   ") == ""


def test_statistical_terms_stay_single_tokens() -> None:
    tokens = tokenise("10月城镇调查失业率和规模以上工业增加值公布，数据造假[怒]")
    assert "城镇调查失业率" in tokens and "规模以上工业增加值" in tokens
    assert "数据造假" in tokens and "[怒]" in tokens


def test_fast_segmenter_gives_jieba_tokens() -> None:
    """The shipped segmenter (jieba-rs over jieba's dictionary) agrees with the pure-Python jieba."""
    from yuqing.analysis.tokenise import python_jieba_tokens

    texts = [
        "国家统计局今日发布数据，10月份居民消费价格指数同比上涨0.2%，环比持平。",
        "统计局又注水了，CPI数据造假，谁信啊，我们又被平均了[怒][怒]",
        "今天去超市买菜，猪肉价格比上个月便宜了不少，开心[哈哈]",
        "前三季度国内生产总值同比增长5.2%，规模以上工业增加值增长5.8%。",
        "青年失业率这么高，工资也不涨，房租年年涨，日子怎么过？",
        "Weibo上有人说GDP是拍脑袋编的，新闻发言人回应称统计数据真实可靠。",
        "外卖送得很快，味道也不错，下次还会再点",
        "这家店的服务态度太差了，等了一个多小时才上菜，再也不来了！",
    ]
    for text in texts:
        assert tokenise(text) == python_jieba_tokens(text), text


def test_fast_segmenter_agrees_on_real_posts() -> None:
    """rjieba's built-in dictionary is jieba's dict.txt: the same tokens on real Weibo posts and reviews."""
    import csv

    from yuqing.analysis.tokenise import python_jieba_tokens

    data = Path("/work/shared/data")
    texts = []
    for name, column in (("weibo_senti_100k.csv", "review"), ("smp2020_ewect_usual_train.csv", "text"),
                         ("waimai_10k.csv", "review")):
        with (data / name).open(encoding="utf-8") as fh:
            texts += [row[column] for _, row in zip(range(150), csv.DictReader(fh), strict=False)]
    for text in texts:
        clean = normalise(text)
        assert tokenise(clean) == python_jieba_tokens(clean), clean
