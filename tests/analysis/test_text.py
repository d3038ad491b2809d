from analysis.normalise import emoticons, normalise, strip_emoticons
from analysis.tokenise import tokenise


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
