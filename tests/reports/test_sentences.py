"""Risk factors read as Chinese sentences, not as scoring labels."""

from __future__ import annotations

from yuqing.reports.sentences import factors_sentence, fmt_count


def test_counts_as_people_say_them():
    assert [fmt_count(n) for n in (4630, 13000, 1_000_000, 210_000_000)] == [
        "4630",
        "1.3万",
        "100万",
        "2.1亿",
    ]


def test_the_issue_example_reads_as_a_sentence():
    factors = [
        {"key": "negativity", "label": "负面 0.97", "value": 0.97},
        {"key": "engagement", "label": "转发 13,000 · 评论 4,630", "value": 17630},
        {"key": "velocity", "label": "1小时转发 3,269", "value": 3269},
        {"key": "followers", "label": "粉丝 100万", "value": 1_000_000},
        {"key": "sensitive:data_credibility", "label": "涉及数据真实性", "value": 1},
    ]
    assert factors_sentence(factors, limit=5) == (
        "情绪强烈负面（负面概率 97%）；已被转发 1.3万 次、评论 4630 次；传播较快，每小时转发约 3269 次；"
        "发布账号拥有粉丝 100万；涉及数据质量/造假质疑。"
    )
    assert factors_sentence([]) == ""
