"""A report as a flat list of blocks (headings, paragraphs, tables, charts): one layout,
written once, that the DOCX and PDF renderers both draw. The HTML has its own templates.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .assessment import ReleaseAssessment
from .briefing import DailyBriefing, IncidentItem
from .charts import hourly_chart_png
from .queries import StoryItem
from .timefmt import fmt_dt, fmt_short


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 1


@dataclass(frozen=True)
class Paragraph:
    text: str
    emphasis: bool = False


@dataclass(frozen=True)
class Bullets:
    items: list[str]
    numbered: bool = False


@dataclass(frozen=True)
class Table:
    header: list[str]
    rows: list[list[str]]
    widths: list[float] = field(default_factory=list)  # relative column widths


@dataclass(frozen=True)
class Chart:
    png: bytes
    caption: str


Block = Heading | Paragraph | Bullets | Table | Chart

ATTENTION_MARK = {"urgent": "【紧急】", "important": "【重要】", "info": "【提示】"}


def _stories(stories: list[StoryItem]) -> Block:
    if not stories:
        return Paragraph("无")
    return Table(
        ["#", "内容", "来源", "平台", "条数(负面)", "风险", "风险因素"],
        [
            [
                str(i),
                s.title + (f"（{'、'.join(s.sensitive)}）" if s.sensitive else ""),
                s.publisher,
                s.platforms,
                f"{s.mentions}({s.negative})",
                f"{s.risk:.0f}",
                "；".join(s.factors) or "—",
            ]
            for i, s in enumerate(stories, 1)
        ],
        [0.5, 4, 1.5, 1.3, 1.2, 0.8, 2.6],
    )


def _incidents(incidents: list[IncidentItem]) -> Block:
    if not incidents:
        return Paragraph("无")
    rows = []
    for i in incidents:
        windows = (
            "\n".join(f"{d.kind_label} {fmt_short(d.due_at)} {d.timeliness}" for d in i.deadlines) or "—"
        )
        rows.append(
            [
                str(i.id),
                i.title,
                i.grade_label,
                i.status_label,
                i.owner or "未指定",
                fmt_short(i.opened_at),
                windows,
            ]
        )
    return Table(
        ["编号", "事件", "等级", "状态", "责任人", "发现时间", "回应时限"],
        rows,
        [0.6, 3, 1.6, 1, 1, 1.4, 3.4],
    )


def daily_blocks(b: DailyBriefing, *, charts: bool = True) -> list[Block]:
    out: list[Block] = [
        Heading(b.title, 0),
        Paragraph(
            f"统计时段：{fmt_dt(b.start)} 至 {fmt_dt(b.end)}（北京时间）　生成时间：{fmt_dt(b.generated_at)}"
        ),
        Heading("一、今日需关注"),
        Bullets([ATTENTION_MARK.get(a.level, "") + a.text for a in b.attention], numbered=True)
        if b.attention
        else Paragraph("暂无需领导关注的事项。"),
        Heading("二、总体态势"),
        Paragraph(
            f"本期监测到相关信息 {b.total} 条（{b.story_count} 个话题），其中负面 {b.negative} 条，"
            f"负面占比 {b.negative_share}；{b.change_text}（前一日 {b.previous_total} 条，"
            f"负面 {b.previous_negative} 条）。"
        ),
        Table(
            ["平台", "负面", "中性", "正面", "合计"],
            [
                [str(p["label"]), str(p["negative"]), str(p["neutral"]), str(p["positive"]), str(p["total"])]
                for p in b.platforms
            ],
        ),
    ]
    png = hourly_chart_png(b.hours, title="分时信息量（北京时间）") if charts else None
    if png:
        out.append(Chart(png, "图1 分时信息量"))
    t = b.timeliness
    out += [
        Heading("三、重点舆情（按风险排序）"),
        _stories(b.top_stories),
        Heading("四、舆情事件处置"),
        Paragraph(
            f"本期到期的回应时限：按时 {t.on_time} 项，超时完成 {t.late} 项，超时未回应 {t.missed} 项，"
            f"待回应 {t.pending} 项，豁免 {t.waived} 项。"
        ),
        Heading("本期新发现", 2),
        _incidents(b.incidents_opened),
        Heading("处置中", 2),
        _incidents(b.incidents_open),
        Heading("本期关闭", 2),
        _incidents(b.incidents_closed),
        Heading("五、数据发布及反应"),
    ]
    if b.releases:
        out.append(
            Table(
                ["发布", "时期", "发布时间", "主要数据", "相关信息", "负面占比", "最高风险"],
                [
                    [
                        r.title,
                        r.period_label,
                        fmt_short(r.published_at),
                        r.headline,
                        str(r.mentions),
                        r.negative_share,
                        f"{r.max_risk:.0f}",
                    ]
                    for r in b.releases
                ],
                [3.5, 1.3, 1.5, 1.5, 1, 1, 1],
            )
        )
    else:
        out.append(Paragraph("本期无数据发布。"))
    if b.upcoming_releases:
        out.append(
            Paragraph(
                "今日计划发布："
                + "；".join(
                    f"{fmt_short(r.published_at)} {r.indicator_name}（{r.period_label}）"
                    for r in b.upcoming_releases
                )
            )
        )
    out.append(Heading("六、监测源运行情况"))
    if b.source_warnings:
        out.append(
            Table(
                ["信息源", "类型", "状态", "说明"],
                [[w.name, w.kind_label, w.status_label, w.message] for w in b.source_warnings],
                [1.5, 1.3, 1, 5],
            )
        )
    else:
        out.append(Paragraph("各信息源运行正常。"))
    return out


def assessment_blocks(a: ReleaseAssessment, *, charts: bool = True) -> list[Block]:
    out: list[Block] = [
        Heading(a.report_title, 0),
        Paragraph(
            f"{a.bureau}　发布：{a.title}　发布时间：{fmt_dt(a.published_at)}　主要数据：{a.headline}　"
            f"生成时间：{fmt_dt(a.generated_at)}（北京时间）"
        ),
        Heading("一、研判结论"),
        Paragraph(f"舆情风险等级：{a.level_label}", emphasis=True),
        Bullets(a.reasons),
        Heading("二、发布后舆情反应"),
    ]
    if a.published:
        out += [
            Paragraph(f"相关信息 {a.total} 条，负面 {a.negative} 条，负面占比 {a.negative_share}。"),
            Table(
                ["时段", "信息量", "负面", "负面占比", "平均负面概率"],
                [
                    [p.label, str(p.total), str(p.negative), p.negative_share, f"{p.mean_p_negative:.2f}"]
                    for p in a.phases
                ],
            ),
        ]
        png = hourly_chart_png(a.hours, title="发布前后分时信息量（北京时间）") if charts else None
        if png:
            out.append(Chart(png, "图1 发布前后分时信息量"))
        out += [
            Heading("敏感话题", 2),
            Paragraph("；".join(f"{name} {n} 条" for name, n in a.sensitive) or "未发现敏感话题。"),
            Heading("主要负面信息", 2),
            _stories(a.top_negative),
            Heading("相关舆情事件", 2),
            _incidents(a.incidents),
        ]
    else:
        out.append(Paragraph("该数据尚未发布。"))
    pre = a.prerelease
    out += [
        Heading("三、往期同类数据发布反应与预案建议"),
        Paragraph(f"{pre.indicator_name}往期发布预计风险：{pre.expected_label}", emphasis=True),
    ]
    if pre.previous:
        out.append(
            Table(
                ["发布", "时期", "发布时间", "相关信息", "负面占比", "最高风险", "事件", "敏感话题", "风险"],
                [
                    [
                        p.title,
                        p.period_label,
                        fmt_short(p.published_at),
                        str(p.mentions),
                        p.negative_share,
                        f"{p.max_risk:.0f}",
                        str(p.incidents),
                        "、".join(p.sensitive) or "—",
                        p.level_label,
                    ]
                    for p in pre.previous
                ],
                [3, 1.2, 1.4, 0.9, 0.9, 0.9, 0.7, 2, 0.7],
            )
        )
    else:
        out.append(Paragraph("暂无往期同类发布记录。"))
    out.append(Bullets(pre.recommendations, numbered=True))
    return out
