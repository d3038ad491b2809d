"""A report as a flat list of blocks (headings, paragraphs, tables, charts): one layout, written once,
that the HTML, DOCX and PDF renderers all draw."""

from __future__ import annotations

from dataclasses import dataclass, field

from .assessment import MISREADING_LINE
from .charts import NO_DATA, hourly_chart_png
from .queries import StoryItem
from .sentences import fmt_count
from .timefmt import fmt_dt, fmt_short


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 1  # 1: 一、… (黑体)  2: （一）… (楷体)


@dataclass(frozen=True)
class Paragraph:
    text: str
    emphasis: bool = False
    meta: bool = False  # a small line under the title (period, generation time), not body text


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


@dataclass(frozen=True)
class Report:
    """What every renderer draws: a title, the lines under it, the body, and the page furniture."""

    title: str
    meta: list[str]
    blocks: list[Block]
    bureau: str
    classification: str
    kind_label: str  # 舆情日报 / 舆情专报 / 发布研判: printed in the page header

    @property
    def footer(self) -> str:
        return self.title


def chart_or_empty(hours: list[dict[str, object]], *, title: str, caption: str, charts: bool = True,
                   compare: list[float] | None = None, compare_label: str = "") -> Block:
    """The hourly chart, or the words 本期无数据 when there is nothing to draw."""
    png = None
    if charts:
        png = hourly_chart_png(hours, title=title, compare=compare, compare_label=compare_label)
    if png is None:
        return Paragraph(NO_DATA if charts else "（图表略）")
    return Chart(png, caption)


def stories_table(stories: list[StoryItem]) -> Block:
    if not stories:
        return Paragraph("本期无。")
    return Table(
        ["序号", "内容", "首发/平台", "条数（负面）", "风险", "研判"],
        [
            [
                str(i),
                s.title + (f"（{'、'.join(s.sensitive)}）" if s.sensitive else "")
                + ("【已立案】" if s.has_incident else ""),
                f"{s.publisher}\n{s.platforms}",
                f"{s.mentions}（{s.negative}）",
                f"{s.risk:.0f}",
                s.reason or "—",
            ]
            for i, s in enumerate(stories, 1)
        ],
        [0.6, 3.6, 1.6, 1.1, 0.7, 3.6],
    )


def incidents_table(incidents: list) -> Block:  # list[IncidentItem]
    if not incidents:
        return Paragraph("无。")
    rows = []
    for i in incidents:
        windows = []
        for d in i.deadlines:
            line = f"{d.kind_label}：{fmt_short(d.due_at)} 前，{d.timeliness}"
            if d.response:
                line += f"；{d.response}"
            windows.append(line)
        note = i.period_note if i.period_note not in ("", "处置中") else ""
        status = i.status_label + (f"（{note}）" if note else "")
        rows.append(
            [
                str(i.id),
                i.title,
                i.grade_label,
                status,
                i.owner or "未指定",
                fmt_short(i.opened_at),
                "\n".join(windows) or "—",
            ]
        )
    return Table(
        ["编号", "事件", "等级", "状态", "责任人", "发现时间", "回应时限及落实"],
        rows,
        [0.6, 2.6, 1.4, 1.4, 0.9, 1.3, 3.8],
    )


def daily_report(b, *, charts: bool = True, classification: str = "") -> Report:  # b: DailyBriefing
    t = b.timeliness
    blocks: list[Block] = [
        Heading("舆情概况"),
        Paragraph(b.overview, emphasis=True),
        Heading("一、舆情事件"),
        Paragraph(
            f"本期到期的回应时限：按时 {t.on_time} 项，超时完成 {t.late} 项，超时未回应 {t.missed} 项，"
            f"待回应 {t.pending} 项，豁免 {t.waived} 项。"
        ),
        incidents_table(b.incidents),
        Heading("二、热点舆情"),
        stories_table(b.top_stories),
        Heading("三、数据发布"),
    ]
    if b.releases:
        blocks.append(Bullets([r.past_tense() for r in b.releases]))
    else:
        blocks.append(Paragraph("本期无数据发布。"))
    if b.upcoming_releases:
        blocks.append(
            Paragraph(
                "即将发布："
                + "；".join(
                    f"{fmt_short(r.published_at)} {r.indicator_name}（{r.period_label}）"
                    for r in b.upcoming_releases
                )
                + "。"
            )
        )
    blocks += [
        Heading("四、舆情走势"),
        chart_or_empty(b.hours, title="分时信息量（北京时间）", caption="图1 分时信息量", charts=charts),
        Heading("五、平台分布"),
    ]
    if b.total:
        blocks.append(
            Table(
                ["平台", "负面", "中性", "正面", "合计"],
                [
                    [str(p["label"]), str(p["negative"]), str(p["neutral"]), str(p["positive"]),
                     str(p["total"])]
                    for p in b.platforms
                ],
            )
        )
    else:
        blocks.append(Paragraph(NO_DATA))
    blocks.append(Heading("六、重点账号"))
    if b.accounts:
        blocks.append(
            Table(
                ["账号", "平台", "粉丝", "发布条数", "其中负面"],
                [
                    [a.author, a.platform_label, fmt_count(a.followers) if a.followers is not None else "—",
                     str(a.mentions), str(a.negative)]
                    for a in b.accounts
                ],
                [3, 1.2, 1.2, 1, 1],
            )
        )
    else:
        blocks.append(Paragraph("本期无。"))
    blocks.append(Heading("七、到期工单"))
    if b.cases_due:
        blocks.append(
            Table(
                ["编号", "事项", "类别", "收到时间", "答复期限", "状态"],
                [
                    [str(c.case_id), c.title, c.kind_label, fmt_short(c.received_at), fmt_short(c.due_at),
                     c.remaining]
                    for c in b.cases_due
                ],
                [0.6, 3.6, 1.2, 1.3, 1.3, 1.4],
            )
        )
    else:
        blocks.append(Paragraph("近 3 日无到期的意见建议、咨询投诉。"))
    blocks += [
        Heading("八、工作建议"),
        Bullets(b.recommendations, numbered=True),
        Heading("九、监测源运行情况"),
    ]
    if b.source_warnings:
        blocks.append(
            Table(
                ["信息源", "类型", "状态", "说明"],
                [[w.name, w.kind_label, w.status_label, w.message] for w in b.source_warnings],
                [1.5, 1.3, 1, 5],
            )
        )
    else:
        blocks.append(Paragraph("各信息源运行正常。"))
    return Report(
        title=b.title,
        meta=[b.period_text, f"生成时间：{fmt_dt(b.generated_at)}"],
        blocks=blocks,
        bureau=b.bureau,
        classification=classification,
        kind_label="舆情日报",
    )


def _plan_blocks(a) -> list[Block]:  # a: ReleaseAssessment
    plan = a.plan
    out: list[Block] = []
    if a.interpretation is not None:
        out.append(Paragraph(f"解读发布情况：{a.interpretation.text}。"))
    if plan is None:
        out.append(Paragraph("尚未制定预案。建议按下列要点制定并报领导审批："))
        out.append(Bullets(a.prerelease.recommendations, numbered=True))
        return out
    approval = (
        f"已于 {fmt_short(plan.approved_at)} 由 {plan.approved_by} 审批"
        if plan.approved_at is not None
        else "待领导审批"
    )
    owners = "；".join(f"{k}：{v}" for k, v in (plan.owners or {}).items()) or "未指定"
    out += [
        Paragraph(
            f"预案第 {plan.version} 版（{plan.created_by} 于 {fmt_short(plan.created_at)} 修订），"
            f"{approval}。"
        ),
        Table(
            ["事项", "内容"],
            [
                ["责任单位及责任人", f"{plan.owner_unit or '—'}；{owners}"],
                ["回应口径", plan.lines or "—"],
                ["解读材料", (plan.interpretation or "—")
                 + f"\n须于 {fmt_short(plan.interpretation_due_at)} 随发布同步推出"],
                ["发布渠道", "、".join(plan.channels or []) or "—"],
            ],
            [1.2, 5],
        ),
    ]
    if plan.qa:
        out.append(Heading("答问准备", 2))
        qa = [f"问：{x.get('q', '')}　答：{x.get('a', '')}" for x in plan.qa if isinstance(x, dict)]
        out.append(Bullets(qa))
    return out


def assessment_report(a, *, charts: bool = True, classification: str = "") -> Report:  # a: ReleaseAssessment
    """The release 研判: conclusion first, then the reaction, earlier releases, the 预案 and advice."""
    blocks: list[Block] = [
        Heading("一、研判结论"),
        Paragraph(f"舆情风险等级：{a.level_label}。" + "；".join(a.reasons) + "。", emphasis=True),
        Heading("二、发布后舆情反应"),
    ]
    if a.published:
        blocks += [
            Paragraph(f"相关信息 {a.total} 条，负面 {a.negative} 条，负面占比 {a.negative_share}。"),
            Table(
                ["时段", "信息量", "负面", "负面占比", "平均负面概率"],
                [
                    [p.label, str(p.total), str(p.negative), p.negative_share, f"{p.mean_p_negative:.2f}"]
                    for p in a.phases
                ],
            ),
            chart_or_empty(a.hours, title="发布前后分时信息量（北京时间）",
                           caption="图1 发布前后分时信息量与往期对比",
                           charts=charts, compare=a.compare, compare_label="往期同类发布均值"),
            Heading("（一）主要关切", 2),
            Paragraph("；".join(f"{name} {n} 条" for name, n in a.sensitive) + "。" if a.sensitive
                      else "未发现敏感话题。"),
            stories_table(a.top_negative),
            Heading("（二）误读及建议解读口径", 2),
        ]
        if a.misreadings:
            line = (a.plan.lines if a.plan is not None and a.plan.lines else None) or MISREADING_LINE
            blocks += [
                Table(
                    ["序号", "误读内容", "来源", "时间"],
                    [[str(i), m.excerpt, f"{m.platform_label}「{m.author}」", fmt_short(m.at)]
                     for i, m in enumerate(a.misreadings, 1)],
                    [0.5, 5, 1.6, 1.2],
                ),
                Paragraph(f"建议解读口径：{line}。"),
            ]
        else:
            blocks.append(Paragraph("未发现误读。"))
        blocks += [Heading("（三）相关舆情事件及回应效果", 2), incidents_table(a.incidents)]
        if a.effects:
            blocks.append(Bullets(a.effects))
    else:
        blocks.append(Paragraph(f"该数据计划于 {fmt_short(a.published_at)} 发布，尚未发布。"))
    pre = a.prerelease
    blocks += [
        Heading("三、指标敏感性及往期同类数据发布反应"),
        Paragraph(f"{pre.sensitivity}{pre.mood}{pre.indicator_name}本次发布预计风险：{pre.expected_label}。"),
    ]
    if pre.previous:
        blocks.append(
            Table(
                ["发布", "时期", "发布时间", "相关信息", "负面占比", "最高风险", "事件", "敏感话题", "风险"],
                [
                    [p.title, p.period_label, fmt_short(p.published_at), str(p.mentions), p.negative_share,
                     f"{p.max_risk:.0f}", str(p.incidents), "、".join(p.sensitive) or "—", p.level_label]
                    for p in pre.previous
                ],
                [3, 1.2, 1.4, 0.9, 0.9, 0.9, 0.7, 2, 0.7],
            )
        )
    else:
        blocks.append(Paragraph("暂无往期同类发布记录。"))
    blocks += [Heading("四、舆情应对预案"), *_plan_blocks(a), Heading("五、工作建议")]
    advice = a.after_recommendations if a.published else pre.recommendations
    blocks.append(Bullets(advice, numbered=True))
    return Report(
        title=a.report_title,
        meta=[f"发布：{a.title}　发布时间：{fmt_dt(a.published_at)}　主要数据：{a.headline}",
              f"生成时间：{fmt_dt(a.generated_at)}（北京时间）"],
        blocks=blocks,
        bureau=a.bureau,
        classification=classification,
        kind_label="发布研判",
    )
