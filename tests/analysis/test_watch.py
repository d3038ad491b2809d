import pytest

from yuqing.analysis.watch import And, Near, Not, Or, Term, WatchSet, WatchSyntaxError, matches, parse


def test_parses_precedence_into_a_tree() -> None:
    tree = parse('(CPI OR 物价) AND "数据造假" NOT 广告')
    assert tree == And((Or((Term("cpi"), Term("物价"))), Term("数据造假"), Not(Term("广告"))))
    assert parse("a OR b c") == Or((Term("a"), And((Term("b"), Term("c")))))


def test_matching_with_not_phrases_and_near() -> None:
    tree = parse('(CPI OR 物价) AND ("造假" OR 被平均) NOT 广告')
    assert matches(tree, "cpi数据造假")
    assert not matches(tree, "cpi数据造假广告")
    assert not matches(tree, "物价上涨")
    near = parse("统计局 NEAR/3 注水")
    assert isinstance(near, Near)
    assert matches(near, "统计局又注水了") and matches(near, "注水的统计局")
    assert not matches(near, "统计局今天发布数据说没有注水")


def test_watch_set_matches_normalised_text_case_insensitively() -> None:
    ws = WatchSet({"物价": "CPI OR 居民消费价格", "失业": "失业率", "假": "造假 NOT 辟谣"})
    assert ws.match("10月cpi数据造假") == ["物价", "假"]


@pytest.mark.parametrize(("expression", "position", "fragment"), [
    ("CPI AND", 7, "缺少关键词"),
    ("(CPI OR 物价", 0, "缺少右括号"),
    ("CPI)", 3, "多余的右括号"),
    ('"数据造假', 0, "引号没有闭合"),
    ("统计局 NEAR/ 注水", 4, "NEAR/"),
    ("统计局 NEAR 注水", 4, "NEAR/n"),
    ("", 0, "为空"),
    ("OR 物价", 0, "运算符 OR"),
    ("CPI AND ()", 9, "括号内为空"),
])
def test_bad_expressions_report_position(expression: str, position: int, fragment: str) -> None:
    with pytest.raises(WatchSyntaxError) as err:
        parse(expression)
    assert err.value.position == position
    assert fragment in str(err.value) and f"第 {position + 1} 个字符" in str(err.value)
    assert isinstance(err.value, ValueError)
