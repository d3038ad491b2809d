from yuqing.analysis.indicators import BY_CODE, dictionary_terms, find_indicators


def test_finds_official_names_and_abbreviations_case_insensitively() -> None:
    found = {i.code: alias for i, alias in find_indicators("10月份居民消费价格同比上涨0.2%，cpi 低于预期")}
    assert found == {"CPI": "居民消费价格"}
    assert [i.code for i, _ in find_indicators("一季度gdp增速5.4%")] == ["GDP"]


def test_text_without_indicators_finds_none() -> None:
    assert find_indicators("今天天气不错，出去走走") == []


def test_dictionary_keeps_long_terms_whole() -> None:
    terms = dictionary_terms()
    assert "城镇调查失业率" in terms and "规模以上工业增加值" in terms
    assert "CPI" in terms and BY_CODE["CPI"].name in terms
