"""The product's one vocabulary (词表): every closed set of codes, each beside its Chinese label.

The database stores the codes (a member IS its string, so no migration follows from using these);
people read the labels. Store, analysis, alerts, api, reports, the crawler and the CLI all take their
codes and labels from here, so the board, a briefing and a WeCom notice can never name one state two
ways. This module sits at the bottom layer: it imports nothing of the project.

`Code.label_of(code)` answers a stored string (possibly one a newer version wrote) with its label, or a
neutral 未知… label, never the raw code: a code must not reach a person.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Self


class Code(StrEnum):
    """A stored code with its Chinese label: `Grade.I.label == "特别重大（I级）"`."""

    label: str

    def __new__(cls, value: str, label: str) -> Self:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member

    @classmethod
    def labels(cls) -> dict[str, str]:
        """Code → label, in declaration order (for select boxes and legends)."""
        return {m.value: m.label for m in cls}

    @classmethod
    def label_of(cls, code: str | None, *, empty: str = "—") -> str:
        """The label of a stored code; `empty` for None; an unknown code is shown as 未知, not echoed."""
        if code is None or code == "":
            return empty
        try:
            return cls(code).label
        except ValueError:
            return f"未知（{cls.title()}）"

    @classmethod
    def title(cls) -> str:
        """The vocabulary's Chinese name: the first word of its docstring (each one starts with it)."""
        return (cls.__doc__ or "代码").split(" ", 1)[0]

    @classmethod
    def values(cls) -> tuple[str, ...]:
        return tuple(m.value for m in cls)


# ---- incidents -------------------------------------------------------------------------------------------

class Grade(Code):
    """事件级别 (grade), I the most serious."""

    I = "I", "特别重大（I级）"  # noqa: E741 - the grade's own name
    II = "II", "重大（II级）"
    III = "III", "较大（III级）"
    IV = "IV", "一般（IV级）"

    @property
    def rank(self) -> int:
        """0 for I … 3 for IV: lower is more serious."""
        return list(Grade).index(self)


# Grades whose incidents open the 5 h / 24 h windows and notify leadership.
SERIOUS_GRADES = frozenset({Grade.I, Grade.II})


def grade_rank(grade: str | None) -> int:
    """Rank of a stored grade (0 = I); an unknown or missing grade ranks below IV."""
    try:
        return Grade(grade).rank
    except ValueError:
        return len(Grade)


class IncidentStatus(Code):
    """事件状态 (incident status), in the order an incident moves through them."""

    DETECTED = "detected", "已发现"
    ACKNOWLEDGED = "acknowledged", "已确认"
    ASSESSING = "assessing", "研判中"
    RESPONDING = "responding", "回应中"
    MONITORING = "monitoring", "持续监测"
    CLOSED = "closed", "已关闭"


OPEN_INCIDENT_STATUSES = frozenset(IncidentStatus) - {IncidentStatus.CLOSED}


class Category(Code):
    """事件类别 (incident category): the kinds of matter the response rules distinguish."""

    VITAL_INTERESTS = "vital_interests", "群众切身利益"
    MARKET_EXPECTATIONS = "market_expectations", "市场预期"
    PUBLIC_EMERGENCY = "public_emergency", "突发公共事件"
    DATA_CREDIBILITY = "data_credibility", "数据质量/造假质疑"
    MISREADING = "misreading", "误读"
    OTHER = "other", "其他"


# Key matters (重大关切) get the key-matter response window whatever their grade.
KEY_MATTERS = frozenset({Category.VITAL_INTERESTS, Category.MARKET_EXPECTATIONS, Category.PUBLIC_EMERGENCY})


class TimelineKind(Code):
    """时间线记录类型 (incident timeline entry kind)."""

    OPENED = "opened", "事件建立"
    STATUS_CHANGED = "status_changed", "状态变更"
    GRADE_UPGRADED = "grade_upgraded", "级别上调"
    GRADE_DOWNGRADED = "grade_downgraded", "级别下调"
    ASSIGNED = "assigned", "指定负责人"
    NOTE = "note", "备注"
    ACTION = "action", "回应措施"
    DEADLINE_WAIVED = "deadline_waived", "时限豁免"
    CASE_CREATED = "case_created", "事项登记"
    MERGED = "merged", "事件合并"
    MENTIONS_ATTACHED = "mentions_attached", "新增相关信息"
    CATEGORY_CHANGED = "category_changed", "类别变更"
    SUMMARY_CHANGED = "summary_changed", "摘要更新"
    AUDIT_FINDING = "audit_finding", "核查发现"
    NOTIFICATIONS_INHIBITED = "notifications_inhibited", "提醒暂缓"
    NOTIFICATIONS_RELEASED = "notifications_released", "补发提醒"
    NOTIFICATIONS_SUPERSEDED = "notifications_superseded", "提醒已失效"
    NOTIFICATION_DEAD = "notification_dead", "提醒未能送达"
    NOTIFICATION_RECOVERED = "notification_recovered", "提醒恢复送达"
    DEADLINE_RECOMPUTED = "deadline_recomputed", "时限重算"
    EVALUATED = "evaluated", "处置评估"
    PROMOTED_FROM_WARNING = "promoted_from_warning", "由预警转为事件"


class RuleActor(Code):
    """自动规则 (an automatic actor): who the timeline names when no person acted."""

    GRADE_THRESHOLD = "rule:grade-threshold", "自动研判规则"
    AUDIT = "rule:audit", "时限核查"
    INHIBITION = "rule:inhibition", "提醒抑制规则"
    RELINK = "rule:relink", "发布关联更新"
    OUTBOX = "rule:outbox", "通知发送规则"
    CALENDAR = "rule:calendar", "节假日安排更新"


def actor_label(actor: str | None) -> str:
    """A person's name as stored, or the Chinese name of an automatic rule."""
    if actor and actor.startswith("rule:"):
        return RuleActor.label_of(actor)
    return actor or "—"


# ---- deadlines and actions ------------------------------------------------------------------------------

class DeadlineKind(Code):
    """时限类型 (response window kind)."""

    AUTHORITATIVE_INFO = "authoritative_info", "发布权威信息"
    PRESS_CONFERENCE = "press_conference", "召开新闻发布会"
    UPDATE = "update", "权威信息更新"
    TIMELY_RESPONSE = "timely_response", "及时回应"
    SUGGESTION_REPLY = "suggestion_reply", "意见建议答复"
    COMPLAINT_REPLY = "complaint_reply", "咨询投诉答复"
    REPOST = "repost", "上级政策转载"


class DeadlineState(Code):
    """时限状态 (deadline state)."""

    PENDING = "pending", "进行中"
    DUE_SOON = "due_soon", "即将到期"
    MET = "met", "已完成"
    BREACHED = "breached", "已超时"
    WAIVED = "waived", "已豁免"


# A deadline in one of these still runs: it can be met, reminded of, escalated.
OPEN_DEADLINE_STATES = frozenset({DeadlineState.PENDING, DeadlineState.DUE_SOON, DeadlineState.BREACHED})
# Not yet due: what closing an incident waives.
UNDUE_DEADLINE_STATES = frozenset({DeadlineState.PENDING, DeadlineState.DUE_SOON})


class ActionKind(Code):
    """回应措施 (a response action a user records)."""

    AUTHORITATIVE_INFO = "authoritative_info", "发布权威信息"
    PRESS_CONFERENCE = "press_conference", "召开新闻发布会"
    UPDATE = "update", "权威信息更新"
    STATEMENT = "statement", "发布回应声明"
    TIMELY_RESPONSE = "timely_response", "及时回应"
    REPLY = "reply", "答复"
    SUGGESTION_REPLY = "suggestion_reply", "意见建议答复"
    COMPLAINT_REPLY = "complaint_reply", "咨询投诉答复"
    REPOST = "repost", "转载上级政策"


# The actions the board's form offers (case replies are recorded from the cases page as REPLY).
OFFERED_ACTIONS = (
    ActionKind.AUTHORITATIVE_INFO, ActionKind.PRESS_CONFERENCE, ActionKind.UPDATE, ActionKind.STATEMENT,
    ActionKind.TIMELY_RESPONSE, ActionKind.REPLY, ActionKind.REPOST,
)

# What can answer an incident's clocks: replies and re-posts belong to cases (工单) only.
CASE_ONLY_ACTIONS = frozenset({ActionKind.REPLY, ActionKind.REPOST})
INCIDENT_ACTIONS = tuple(a for a in OFFERED_ACTIONS if a not in CASE_ONLY_ACTIONS)

# Actions that publish something and so must carry the link to it.
PUBLISHING_ACTIONS = frozenset({ActionKind.AUTHORITATIVE_INFO, ActionKind.UPDATE, ActionKind.STATEMENT})


class Outcome(Code):
    """考核结果 (how a deadline ended, for compliance)."""

    ON_TIME = "on_time", "按时"
    LATE = "late", "逾期完成"
    MISSED = "missed", "未回应"
    WAIVED = "waived", "豁免"
    OPEN = "open", "未到期"



class ClaimsAddressed(Code):
    """针对性 (an evaluation's judgement: did the responses answer the main claims)."""

    YES = "yes", "已针对主要关切"
    NO = "no", "未针对主要关切"
    UNJUDGED = "unjudged", "未判断"

    @classmethod
    def of(cls, addressed: bool | None) -> ClaimsAddressed:
        """The code for the stored yes/no/None judgement."""
        return cls.UNJUDGED if addressed is None else (cls.YES if addressed else cls.NO)


class EvaluationStatus(Code):
    """评估状态 (whether a grade I/II incident closed in an assessment period carries its 处置评估)."""

    EVALUATED = "evaluated", "已评估"
    DUE = "due", "应评估"
    MISSING = "missing", "未评估"

# ---- cases (依申请事项) --------------------------------------------------------------------------------

class CaseKind(Code):
    """事项类型 (case kind)."""

    SUGGESTION = "suggestion", "意见建议"
    CONSULTATION = "consultation", "咨询"
    COMPLAINT = "complaint", "投诉"
    REPOST = "repost", "转载"


class CaseStatus(Code):
    """事项状态 (case status)."""

    OPEN = "open", "办理中"
    ANSWERED = "answered", "已答复"


# ---- notifications (outbox) ----------------------------------------------------------------------------

class NoticeStatus(Code):
    """通知状态 (outbox row state)."""

    PENDING = "pending", "待发送"
    SENDING = "sending", "发送中"
    SENT = "sent", "已发送"
    DEAD = "dead", "发送失败（死信，仍在重试）"
    SILENCED = "silenced", "已静默"
    INHIBITED = "inhibited", "已抑制（更高级别事件进行中）"
    SUPERSEDED = "superseded", "已失效（不再发送）"


# Rows the delivery worker still has to send (or re-send after a lease ran out).
UNSENT_NOTICE_STATUSES = frozenset({NoticeStatus.PENDING, NoticeStatus.SENDING})
# What the delivery worker takes when due: those, and dead letters (still retried while they matter).
DELIVERABLE_NOTICE_STATUSES = UNSENT_NOTICE_STATUSES | {NoticeStatus.DEAD}


class NoticeKind(Code):
    """通知类型 (what a notification is about)."""

    INCIDENT = "incident", "事件通知"
    DEADLINE = "deadline", "时限提醒"
    DEAD_LETTER = "dead_letter", "送达失败告警"
    WARNING = "warning", "预警通知"
    DEADLINE_RECOMPUTED = "deadline_recomputed", "时限重算通知"
    CALENDAR = "calendar", "节假日安排提醒"
    REPORT = "report", "报告推送"


class Audience(Code):
    """通知对象 (who a channel serves)."""

    PRESS = "press", "新闻宣传部门"
    LEADERSHIP = "leadership", "局领导"
    ALL = "all", "全部"


class SilenceField(Code):
    """静默条件字段 (what a silence matches on)."""

    INCIDENT_ID = "incident_id", "事件编号"
    CASE_ID = "case_id", "事项编号"
    DEADLINE_ID = "deadline_id", "时限编号"
    KIND = "kind", "通知类型"
    STEP = "step", "提醒环节"
    GRADE = "grade", "事件级别"
    CATEGORY = "category", "事件类别"
    DEADLINE_KIND = "deadline_kind", "时限类型"
    CHANNEL = "channel", "通知渠道"
    AUDIENCE = "audience", "通知对象"
    RULE = "rule", "触发规则"


def step_label(step: str | None) -> str:
    """提醒环节: a notice's step (alerts.escalation and the outbox) as people read it, never the code.

    lead-60 (minutes before due), lead-3d (working days before the last day), escalate, breach,
    repeat-2, recomputed, schedule_missing, opened, upgraded-II.
    """
    step = step or ""
    if step.startswith("lead-") and step[5:-1].isdigit() and step.endswith("d"):
        days = int(step[5:-1])
        return "最后一个工作日提醒" if days == 0 else f"到期前 {days} 个工作日提醒"
    if step.startswith("lead-") and step[5:].isdigit():
        return f"到期前 {step[5:]} 分钟提醒"
    if step.startswith("repeat-") and step[7:].isdigit():
        return f"超时后第 {step[7:]} 次重复提醒"
    if step.startswith("upgraded-"):
        return f"事件升级为{Grade.label_of(step[9:])}"
    return _STEPS.get(step, "提醒")


_STEPS = {
    "escalate": "升级提醒（局领导）", "breach": "超时提醒", "recomputed": "时限重算",
    "schedule_missing": "缺少节假日安排", "opened": "新开事件",
}


def silence_value_label(field: str, value: object) -> str:
    """What a silence matches, as a person reads it: a code's label, an id or a name as stored."""
    if field == SilenceField.STEP and isinstance(value, str):
        return step_label(value)
    vocab = _SILENCE_VALUES.get(field)
    if vocab is not None and isinstance(value, str):
        return vocab.label_of(value)
    return str(value)


class WarningLevel(Code):
    """预警级别 (an early warning's level), red the most urgent."""

    RED = "red", "红色预警"
    ORANGE = "orange", "橙色预警"
    YELLOW = "yellow", "黄色预警"


class WarningStatus(Code):
    """预警状态 (an early warning's state)."""

    OPEN = "open", "待处理"
    ACKNOWLEDGED = "acknowledged", "已确认"
    PROMOTED = "promoted", "已升级为事件"
    DISMISSED = "dismissed", "已排除"


# ---- people ---------------------------------------------------------------------------------------------

class Role(Code):
    """用户角色 (role)."""

    PRESS = "press", "新闻宣传"
    LEADER = "leader", "局领导"
    ANALYST = "analyst", "分析研判"
    ADMIN = "admin", "管理员"


class TokenScope(Code):
    """令牌权限 (what an API token may do), narrowest first; the owner's role still decides."""

    READ = "read", "只读"
    ACT = "act", "处置"
    ADMIN = "admin", "管理"


class TokenState(Code):
    """令牌状态 (an API token's state, derived from its expiry and revocation)."""

    ACTIVE = "active", "有效"
    EXPIRED = "expired", "已过期"
    REVOKED = "revoked", "已吊销"


class AuditAction(Code):
    """审计操作 (what an audit row records: store/audit.py), shown by name in every export."""

    AUTH_LOGIN = "auth.login", "登录"
    AUTH_LOGOUT = "auth.logout", "退出登录"
    AUTH_LOCKOUT = "auth.lockout", "登录锁定"
    USER_CREATE = "user.create", "新建用户"
    USER_PASSWORD = "user.password", "修改密码"
    USER_ACTIVE = "user.active", "启用或停用用户"
    USER_LOGOUT_EVERYWHERE = "user.logout_everywhere", "强制下线"
    TOKEN_CREATE = "token.create", "签发令牌"
    TOKEN_REVOKE = "token.revoke", "吊销令牌"
    INCIDENT_OPEN = "incident.open", "手动立案"
    INCIDENT_ACKNOWLEDGE = "incident.acknowledge", "确认接警"
    INCIDENT_STATUS = "incident.status", "变更事件状态"
    INCIDENT_GRADE = "incident.grade", "调整事件等级"
    INCIDENT_ASSIGN = "incident.assign", "指定负责人"
    INCIDENT_NOTE = "incident.note", "添加会商记录"
    INCIDENT_EVALUATE = "incident.evaluate", "处置评估"
    ACTION_RECORD = "action.record", "登记回应"
    DEADLINE_WAIVE = "deadline.waive", "豁免时限"
    CASE_CREATE = "case.create", "登记事项"
    CASE_IMPORT = "case.import", "导入事项"
    MENTION_RELABEL = "mention.relabel", "更正倾向"
    SILENCE_CREATE = "silence.create", "新建静默"
    SILENCE_EXPIRE = "silence.expire", "结束静默"
    NOTIFICATION_RETRY = "notification.retry", "重发通知"
    HOLIDAY_SET = "holiday.set", "设置调休"
    HOLIDAY_REMOVE = "holiday.remove", "删除调休"
    HOLIDAYS_IMPORT = "holidays.import", "导入节假日安排"
    REPORT_GENERATE = "report.generate", "生成报告"
    REPORT_REGENERATE = "report.regenerate", "生成报告新版本"
    PLAN_EDIT = "plan.edit", "修订预案"
    PLAN_APPROVE = "plan.approve", "审批预案"
    INTERPRETATION_RECORD = "interpretation.record", "登记解读发布"
    QUARANTINE_RELEASE = "quarantine.release", "放行隔离条目"
    WATCH_TOPIC_CREATE = "watch_topic.create", "新建监测专题"
    WARNING_ACKNOWLEDGE = "warning.acknowledge", "确认预警"
    WARNING_DISMISS = "warning.dismiss", "排除预警"
    WARNING_PROMOTE = "warning.promote", "预警升级为事件"


class AuditActor(Code):
    """操作来源 (an audit row's actor that is not a user name)."""

    ANONYMOUS = "anonymous", "匿名"
    SYSTEM = "system", "系统"
    CLI = "cli", "命令行"
    SCHEDULER = "scheduler", "定时任务"


# ---- sources and analysis -------------------------------------------------------------------------------

class DocumentStatus(Code):
    """文档分析状态 (a crawled document's analysis bookkeeping): new → analysed | failed | irrelevant."""

    NEW = "new", "待分析"
    ANALYSED = "analysed", "已分析"
    FAILED = "failed", "分析失败"
    IRRELEVANT = "irrelevant", "与统计无关"


class QuarantineStage(Code):
    """隔离环节 (where bad input was set aside)."""

    CRAWL = "crawl", "采集"
    ANALYSIS = "analysis", "分析"


class SourceKind(Code):
    """来源类型 (which spider crawls a source)."""

    NEWS_RSS = "news_rss", "新闻订阅源"
    NEWS_SITE = "news_site", "新闻网站"
    WEIBO_SEARCH = "weibo_search", "微博搜索"
    TIEBA = "tieba", "百度贴吧"
    DISCUZ = "discuz", "论坛"
    RELEASES = "releases", "数据发布列表"
    NEWS_COMMENTS = "news_comments", "新闻跟帖"
    WECHAT = "wechat", "微信公众号"


class SourceStatus(Code):
    """来源状态 (health of a crawled source after its last run)."""

    OK = "ok", "正常"
    WARNING = "warning", "告警"
    BLOCKED = "blocked", "被封禁"
    ERROR = "error", "错误"
    UNKNOWN = "unknown", "未运行"


# States a briefing lists as needing attention.
UNHEALTHY_SOURCE_STATUSES = frozenset({SourceStatus.WARNING, SourceStatus.BLOCKED, SourceStatus.ERROR})


class MediaTier(Code):
    """媒体级别 (how far a source's voice carries)."""

    CENTRAL = "central", "中央媒体"
    PROVINCIAL = "provincial", "省级媒体"
    LOCAL = "local", "地方媒体"
    SELF = "self", "自媒体"


class Sentiment(Code):
    """情感倾向 (sentiment label)."""

    NEGATIVE = "negative", "负面"
    NEUTRAL = "neutral", "中性"
    POSITIVE = "positive", "正面"


class Platform(Code):
    """平台 (where a mention was published)."""

    NEWS = "news", "新闻"
    WEIBO = "weibo", "微博"
    WEIBO_HOT = "weibo_hot", "微博热搜"
    TIEBA = "tieba", "贴吧"
    DISCUZ = "discuz", "论坛"
    RELEASE = "release", "数据发布"
    NEWS_COMMENT = "news_comment", "新闻跟帖"
    WECHAT = "wechat", "微信公众号"


class SensitiveTopic(Code):
    """敏感话题 (a sensitive topic a mention touches), as a subject."""

    DATA_CREDIBILITY = "data_credibility", "数据质量/造假质疑"
    LIVELIHOOD = "livelihood", "群众切身利益"
    MARKET_EXPECTATIONS = "market_expectations", "市场预期"
    EMERGENCY = "emergency", "突发公共事件"
    MISREADING = "misreading", "误读"


# Which incident category a sensitive topic makes an event.
TOPIC_CATEGORY: dict[SensitiveTopic, Category] = {
    SensitiveTopic.EMERGENCY: Category.PUBLIC_EMERGENCY,
    SensitiveTopic.DATA_CREDIBILITY: Category.DATA_CREDIBILITY,
    SensitiveTopic.LIVELIHOOD: Category.VITAL_INTERESTS,
    SensitiveTopic.MARKET_EXPECTATIONS: Category.MARKET_EXPECTATIONS,
    SensitiveTopic.MISREADING: Category.MISREADING,
}


class AuthorityKind(Code):
    """权威来源 (a mention that may be the bureau's own response: analysis/authority.py)."""

    BUREAU_SITE = "bureau_site", "统计局官网"
    BUREAU_ACCOUNT = "bureau_account", "统计局认证账号"
    OFFICIAL_MEDIA = "official_media", "官方媒体"


class ReportKind(Code):
    """报告类型 (an archived report's kind)."""

    DAILY = "daily", "舆情日报"
    SPECIAL = "special", "舆情专报"
    ASSESSMENT = "assessment", "发布研判"


class ReportTrigger(Code):
    """生成原因 (why a report version was made); also `action:N` and `t+Nh`, see `trigger_label`."""

    SCHEDULED = "scheduled", "定时生成"
    MANUAL = "manual", "手动生成"
    OPENED = "opened", "事件立案"
    CLOSED = "closed", "事件关闭"
    PRE = "pre", "发布前研判"


def trigger_label(trigger: str) -> str:
    """Why a report version was made: a ReportTrigger, a response (`action:N`) or T+N h (`t+2h`)."""
    if trigger.startswith("action:"):
        return "回应后更新"
    if trigger.startswith("t+") and trigger.endswith("h"):
        return f"发布后 {trigger[2:-1]} 小时"
    return ReportTrigger.label_of(trigger)


class RiskLevel(Code):
    """风险等级 (a release assessment's level)."""

    HIGH = "high", "高"
    MEDIUM = "medium", "中"
    LOW = "low", "低"


# A release whose title names no known indicator (综合, 解读…) is stored with this indicator code.
OTHER_INDICATOR = "OTHER"
OTHER_INDICATOR_LABEL = "综合/其他"


def indicator_label(indicator: str | None, name: str | None = None) -> str:
    """What to show for a release's indicator: its Chinese name, or 综合/其他, never the code OTHER."""
    if name:
        return name
    if indicator is None or indicator == OTHER_INDICATOR:
        return OTHER_INDICATOR_LABEL
    return indicator  # CPI, GDP… are the names statisticians use


# Every vocabulary, for tests and for anyone listing the codes.
ALL: tuple[type[Code], ...] = (
    Grade, IncidentStatus, Category, TimelineKind, RuleActor, DeadlineKind, DeadlineState, ActionKind,
    Outcome, ClaimsAddressed, EvaluationStatus, CaseKind, CaseStatus, NoticeStatus, NoticeKind, Audience,
    SilenceField, WarningLevel, WarningStatus, Role, TokenScope, TokenState, AuditAction, AuditActor,
    SourceStatus, DocumentStatus, QuarantineStage, SourceKind, MediaTier, Sentiment, Platform, SensitiveTopic,
    AuthorityKind, RiskLevel, ReportKind, ReportTrigger,
)

# Which vocabulary names the values of a silence's field (ids, steps, channels and rules are shown as stored).
_SILENCE_VALUES: dict[str, type[Code]] = {
    SilenceField.KIND: NoticeKind, SilenceField.GRADE: Grade, SilenceField.CATEGORY: Category,
    SilenceField.DEADLINE_KIND: DeadlineKind, SilenceField.AUDIENCE: Audience,
}
