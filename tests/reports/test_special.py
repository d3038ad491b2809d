"""舆情专报 content against the store; `yuqing special`, `yuqing releases`, `yuqing briefing` from the CLI."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import func, select
from typer.testing import CliRunner

from yuqing.app.cli import app
from yuqing.config import get_settings
from yuqing.reports.blocks import Bullets, Paragraph, Table
from yuqing.reports.record import incident_record
from yuqing.reports.special import build_special, effect_lines, evaluation_lines
from yuqing.store.models import Action, Deadline, IncidentMention, Mention, Story

from .conftest import add_mention, t


def _texts(report) -> str:  # type: ignore[no-untyped-def]
    out = []
    for b in report.blocks:
        if isinstance(b, Paragraph):
            out.append(b.text)
        elif isinstance(b, Bullets):
            out += b.items
        elif isinstance(b, Table):
            out += ["｜".join(r) for r in b.rows]
    return "\n".join(out)


def test_special_report_figures_equal_the_store(session, world, settings):
    fraud = session.get(Story, world.story_fraud)
    for h, who in ((4.2, "大V甲"), (4.4, "网友乙")):
        m = add_mention(
            session,
            at=t(h),
            sentiment="negative",
            risk=80,
            story=fraud,
            author=who,
            text="统计局CPI数据明显是假的，菜价涨了这么多",
        )
        session.add(IncidentMention(incident_id=world.incident_serious, mention_id=m.id))
    action = Action(
        incident_id=world.incident_serious,
        kind="authoritative_info",
        at=t(7),
        actor="张三",
        evidence_url="https://tjj.example.gov.cn/jd/2.html",
        created_at=t(7),
    )
    session.add(action)
    session.flush()
    d = session.scalar(
        select(Deadline).where(
            Deadline.incident_id == world.incident_serious, Deadline.kind == "authoritative_info"
        )
    )
    d.met_by_action_id = action.id
    session.commit()

    linked = select(IncidentMention.mention_id).where(IncidentMention.incident_id == world.incident_serious)
    total = session.scalar(select(func.count()).select_from(Mention).where(Mention.id.in_(linked)))
    negative = session.scalar(
        select(func.count())
        .select_from(Mention)
        .where(Mention.id.in_(linked), Mention.sentiment == "negative")
    )
    r = build_special(session, settings, incident_id=world.incident_serious, now=world.now)
    text = _texts(r)
    assert r.title == "舆情专报：网传CPI数据造假" and r.kind_label == "舆情专报"
    assert f"共监测到相关信息 {total} 条，其中负面 {negative} 条" in text
    assert "定为重大（II级）" in text and "责任人：张三" in text
    assert "网传CPI数据造假（3 条，负面 3 条）" in text  # the story is one claim
    assert "微博「大V甲」11月9日 12:12：统计局CPI数据明显是假的，菜价涨了这么多" in text
    assert (
        "发布权威信息｜11月9日 16:12｜11月9日 15:00 发布权威信息（https://tjj.example.gov.cn/jd/2.html）｜按时"
        in text
    )
    # 17.5 of the 24 hours after the response: partial figures, no comparison yet (issue 13)
    assert ("发布权威信息：前 24 小时相关信息 3 条；回应后观察中，已过 17.5小时，目前 0 条（部分数据），"
            "24 小时窗口走完后再比较。") in text
    later = _texts(build_special(session, settings, incident_id=world.incident_serious,
                                 now=world.now + timedelta(hours=7)))
    assert "发布权威信息：前 24 小时相关信息 3 条，后 0 条。" in later and "观察中" not in later
    assert "须于 11月10日 11:12 前召开新闻发布会" in text


def test_a_partial_after_window_is_shown_as_partial_never_as_a_drop():
    """"147 → 0 −147" next to "已过 0.0 小时" was a false drop: no comparison until the window ends."""
    row = {"action_id": 1, "kind": "authoritative_info", "window_hours": 24,
           "before": {"mentions": 147, "negative_share": 0.9},
           "after": {"mentions": 2, "negative_share": 0.5},
           "change": {}, "partial": True,
           "after_window": {"elapsed_hours": 0.5, "observing": True}}
    [line] = effect_lines([row], {})
    assert "目前 2 条（部分数据，负面占比 50.0%）" in line and "已过 30分钟" in line
    assert "下降" not in line and "上升" not in line and "后 2 条" not in line
    done = {**row, "partial": False, "change": {"mentions": -145, "negative_share": -0.4},
            "after_window": {"elapsed_hours": 24.0, "observing": False}}
    assert effect_lines([done], {}) == [
        " 发布权威信息：前 24 小时相关信息 147 条，后 2 条，负面占比下降 40.0 个百分点。"]


def test_special_report_of_an_incident_without_mentions_or_responses(session, world, settings):
    r = build_special(session, settings, incident_id=world.incident_new, now=world.now)
    text = _texts(r)
    assert "暂未关联到相关信息。" in text and "尚未回应，暂无法评估效果。" in text
    assert "立即确认事件并指定责任人" in text
    with pytest.raises(LookupError):
        build_special(session, settings, incident_id=999999, now=world.now)


def test_special_report_carries_the_evaluation(session, world, settings):
    from yuqing.alerts.evaluation import evaluate

    evaluate(session, incident_id=world.incident_new, actor="测试", now=world.now, addressed_claims=True,
             lessons="解读材料应随数据同步发布")
    session.commit()
    text = _texts(build_special(session, settings, incident_id=world.incident_new, now=world.now))
    assert "处置评估" in text and "针对性：已针对主要关切" in text and "解读材料应随数据同步发布" in text
    # the incident's record (处置档案) carries the same evaluation
    record = _texts(incident_record(session, settings, incident_id=world.incident_new, now=world.now))
    assert "针对性：已针对主要关切" in record and "经验教训：解读材料应随数据同步发布" in record


def test_evaluation_lines_give_timeliness_targeting_measured_effect_and_lessons():
    ev = {"on_time": 1, "judged": 2, "addressed_claims": False, "lessons": "早发声",
          "timeliness": [{"kind_label": "发布权威信息", "outcome_label": "按时"},
                         {"kind_label": "召开新闻发布会", "outcome_label": "超时未回应"}],
          "effects": [{"kind": "authoritative_info", "before": {"mentions": 147, "negative_share": 0.9},
                       "after": {"mentions": 40, "negative_share": 0.5}}],
          "observing_responses": 1}
    assert evaluation_lines(ev) == [
        "时效：按时 1 / 2：发布权威信息按时，召开新闻发布会超时未回应", "针对性：未针对主要关切",
        "效果：发布权威信息前后相关信息 147 → 40 条，负面占比 90.0% → 50.0%",
        "效果：另有 1 次回应的观察窗口尚未走完，未计入", "经验教训：早发声"]


@pytest.fixture
def cli(monkeypatch, database_url, session_maker, world):
    monkeypatch.setenv("YUQING_DATABASE_URL", database_url)
    monkeypatch.setenv("YUQING_BUREAU_NAME", "某市统计局")
    get_settings.cache_clear()
    with time_machine.travel(world.now, tick=False):
        yield CliRunner()
    get_settings.cache_clear()


def test_cli_releases_special_and_briefing(cli, world, tmp_path):
    listed = cli.invoke(app, ["releases"])
    assert listed.exit_code == 0, listed.output
    lines = listed.stdout.splitlines()
    assert lines[0].split() == ["编号", "状态", "发布时间", "指标（时期）", "反应", "研判"]
    assert (
        lines[1].split()[:2] == [str(world.ppi), "待发布"]
        and "工业生产者出厂价格指数（2026年11月）" in lines[1]
    )
    assert lines[2].split()[:2] == [str(world.cpi), "已发布"] and "5 条，负面 60.0%" in lines[2]

    out = tmp_path / "zb.pdf"
    made = cli.invoke(app, ["special", str(world.incident_serious), "--out", str(out), "--store"])
    assert made.exit_code == 0, made.output
    assert out.read_bytes().startswith(b"%PDF-") and "已存档" in made.stdout
    missing = cli.invoke(app, ["special", "999999"])
    assert missing.exit_code == 2 and "舆情事件 999999 不存在" in missing.output

    html = tmp_path / "rb.html"
    assert cli.invoke(app, ["briefing", "--out", str(html)]).exit_code == 0
    assert "按需生成，统计至生成时刻" in html.read_text()
    assert cli.invoke(app, ["briefing", "--format", "xls"]).exit_code == 2
