"""Settings in one place.

Ranked layers, lowest first: defaults here < the config file (`yuqing.toml`, or the
path in `YUQING_CONFIG`) < `.env` < environment variables `YUQING_*` (nested with `__`,
e.g. `YUQING_POLICY__AUTHORITATIVE_HOURS=4`) < explicit arguments (CLI flags).
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    Field,
    NonNegativeFloat,
    NonNegativeInt,
    PositiveFloat,
    PositiveInt,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from yuqing.source_options import CrawlOptions, parse_options

from .vocab import Audience, DeadlineKind, Grade, MediaTier, SourceKind

DEV_SECRET = "dev-insecure-secret-change-me"


class SourceConfig(BaseModel):
    """One crawled source. `options` holds what only its spider understands."""

    name: str
    kind: SourceKind
    url: str
    enabled: bool = True
    interval_seconds: int | None = None  # None: the kind's default (CrawlConfig.default_intervals)
    media_tier: MediaTier = MediaTier.SELF
    obey_robots: bool = True
    keywords: list[str] = Field(default_factory=list)  # search sources: what to ask for
    # typed per kind (yuqing/source_options.py), checked here so a typo fails at load time
    options: CrawlOptions = Field(default_factory=CrawlOptions)

    @model_validator(mode="before")
    @classmethod
    def _typed_options(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("kind"), str):
            name = data.get("name", "?")
            data = {**data, "options": parse_options(str(name), data["kind"], data.get("options"))}
        return data


class WatchTopicConfig(BaseModel):
    """A watch topic: a boolean keyword expression (AND, OR, NOT, (), "phrase", NEAR/n)."""

    name: str
    expression: str
    keywords: list[str] = Field(default_factory=list)  # fed to search sources


class CrawlConfig(BaseModel):
    default_intervals: dict[str, int] = Field(
        default_factory=lambda: {
            "weibo_search": 60,
            "news_rss": 300,
            "news_site": 300,
            "tieba": 600,
            "discuz": 600,
            "releases": 900,
            "news_comments": 900,
            "wechat": 1800,
        }
    )
    concurrency_per_domain: int = 2
    download_delay: float = 0.5
    autothrottle: bool = True
    timeout_seconds: float = 20.0
    retry_times: int = 3
    backoff_minutes: float = 15.0  # after a block (418/432/403, captcha)
    # a transiently failed item (5xx, timeout) is fetched again by a later crawl after
    # refetch_after_minutes · 2^(attempt−1) (capped at a day), at most refetch_attempts times
    refetch_after_minutes: float = 10.0
    refetch_attempts: int = 5
    in_process: bool = False  # scheduled crawls in the service's own reactor thread, not child processes
    weibo_cookie: str | None = None  # never committed: set YUQING_CRAWL__WEIBO_COOKIE
    weibo_page_cap: int = 50
    user_agent: str = "yuqing/0.1 (+public-opinion monitoring of a statistics bureau)"
    redis_prefix: str = "yuqing:crawl"  # keys of the shared frontier (with redis_url; crawler.frontier)

    def interval_of(self, kind: str, configured: int | None = None) -> int:
        """Seconds between crawls of a source: its own interval, else its kind's default (a config
        file that replaces `default_intervals` without naming every kind gets 300 s for the rest)."""
        return int(configured or self.default_intervals.get(kind, 300))


class AnalysisConfig(BaseModel):
    model_dir: Path | None = None  # None: the model shipped in analysis/model/
    batch_size: int = 500
    user_dict: Path | None = None  # extra jieba words, one per line
    # Authoritative publications (analysis/authority.py): offered as the response to an incident.
    bureau_domains: list[str] = Field(default_factory=lambda: ["stats.gov.cn"])
    bureau_accounts: list[str] = Field(default_factory=lambda: ["国家统计局", "统计微讯"])
    official_media: list[str] = Field(default_factory=lambda: [
        "新华社", "新华网", "新华视点", "人民日报", "人民网", "央视新闻", "央视网", "中国新闻网", "中新网",
        "光明日报", "经济日报", "中国政府网", "中国日报"])


class RiskConfig(BaseModel):
    """Risk (0-100) thresholds at which an incident of each grade opens."""

    grade_thresholds: dict[str, float] = Field(
        default_factory=lambda: {"I": 80.0, "II": 65.0, "III": 50.0, "IV": 35.0}
    )
    min_mentions: dict[str, int] = Field(
        default_factory=lambda: {"I": 5, "II": 3, "III": 2, "IV": 1}
    )


# vocab.Grade's values and the incident deadline kinds, as Literals so a config file's strings stay
# strings (tests/test_config.py checks they are the vocabulary's codes).
GradeCode = Literal["I", "II", "III", "IV"]
IncidentWindowKind = Literal["authoritative_info", "press_conference", "update", "timely_response"]


def _hh_mm(value: str | None, field: str) -> str | None:
    """Accept "HH:MM" (00:00-23:59); refuse anything else with the field named."""
    if value is None:
        return None
    try:
        hour, minute = (int(part) for part in value.split(":"))
    except ValueError as exc:
        raise ValueError(f"{field} 应为 HH:MM，收到 {value!r}") from exc
    if not (0 <= hour < 24 and 0 <= minute < 60):
        raise ValueError(f"{field} 应为 HH:MM，收到 {value!r}")
    return f"{hour:02d}:{minute:02d}"


class HourReminderConfig(BaseModel):
    """Reminders of hour clocks (5 h, 24 h, updates): minute-scale, day and night (an emergency does
    not wait for the morning)."""

    lead_minutes: list[PositiveInt] = Field(default_factory=lambda: [60, 15])  # before due, press office
    escalate_minutes: NonNegativeInt = 60  # leadership when due within this and nothing recorded; 0: never
    breach_repeat_minutes: NonNegativeInt = 60  # repeat while breached; 0: never
    due_soon_minutes: NonNegativeInt = 60  # the board shows 即将到期 from then


class WorkingDayReminderConfig(BaseModel):
    """Reminders of working-day clocks (7/15 working days…): counted in working days, sent only in
    office hours of a working day, never at night.

    `lead_working_days` [3, 1, 0]: at `notify_at` on the working day 3 and 1 working days before the
    last day, and on the morning of the last day (0). Leadership is told on the morning
    `escalate_working_days` before the last day if nothing was recorded (None: never). A breach is
    announced at the first office hour at or after the due time, then once per working morning.
    """

    lead_working_days: list[NonNegativeInt] = Field(default_factory=lambda: [3, 1, 0])
    escalate_working_days: NonNegativeInt | None = 0
    notify_at: str = "09:00"
    office_start: str = "08:30"
    office_end: str = "17:30"
    breach_repeat_daily: bool = True
    due_soon_working_days: NonNegativeInt = 1  # the board shows 即将到期 from that morning

    @field_validator("notify_at", "office_start", "office_end")
    @classmethod
    def _time_of_day(cls, value: str, info: ValidationInfo) -> str:
        return _hh_mm(value, str(info.field_name)) or value

    @model_validator(mode="after")
    def _office_hours(self) -> WorkingDayReminderConfig:
        if not self.office_start <= self.notify_at < self.office_end:
            raise ValueError("notify_at 必须在办公时间（office_start 至 office_end）之内")
        return self


def _default_grade_windows() -> dict[str, list[str]]:
    # The rules' default (Anhui 二(二); why, in alerts/policy.py's docstring): 5 h authoritative
    # information, a 24 h press conference and continued updates for 特别重大 (I); a timely response
    # (key_matter_hours) for 重大 (II); III and IV get only what their category asks.
    return {Grade.I: [DeadlineKind.AUTHORITATIVE_INFO, DeadlineKind.PRESS_CONFERENCE, DeadlineKind.UPDATE],
            Grade.II: [DeadlineKind.TIMELY_RESPONSE], Grade.III: [], Grade.IV: []}


class PolicyConfig(BaseModel):
    """Response windows and their reminders. Defaults are the rules' (see shared/docs/domain.md).

    The one set of defaults: `alerts.policy` freezes these into each incident and deadline, and loads
    rows frozen by older versions with them.
    """

    authoritative_hours: PositiveFloat = 5
    press_conference_hours: PositiveFloat = 24
    update_every_hours: NonNegativeFloat = 24  # 0: no update windows
    key_matter_hours: PositiveFloat = 24
    suggestion_working_days: PositiveInt = 7
    suggestion_complex_working_days: PositiveInt = 15
    complaint_working_days: PositiveInt = 15
    repost_working_days: PositiveInt = 1
    office_close: str | None = None  # "17:30": working-day periods end then instead of 24:00
    clock_starts: Literal["opened", "first_mention", "graded"] = "opened"  # see alerts.service.clock_anchor
    # Keys are `vocab.Grade` codes, typed as a Literal so a config file's strings stay strings.
    grade_windows: dict[GradeCode, list[IncidentWindowKind]] = Field(default_factory=_default_grade_windows)
    hour_reminders: HourReminderConfig = Field(default_factory=HourReminderConfig)
    working_day_reminders: WorkingDayReminderConfig = Field(default_factory=WorkingDayReminderConfig)

    @field_validator("office_close")
    @classmethod
    def _office_close(cls, value: str | None) -> str | None:
        return _hh_mm(value or None, "office_close")

    @field_validator("grade_windows")
    @classmethod
    def _every_grade(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        # A grade the configuration does not name keeps the rules' default: a bureau that writes only
        # `II = [...]` must not silently take grade I's 5 h / 24 h clocks away. `III = []` says "none".
        default = _default_grade_windows()
        return {grade: list(dict.fromkeys(value.get(grade, default[grade])))
                for grade in Grade.values()}


class CalendarConfig(BaseModel):
    """The working-day calendar's provisional rule for years without a published schedule."""

    # Besides the statutory days, count the customary long holidays (春节 8 days from 除夕, 劳动节
    # 5 from 1 May, 国庆节 7 from 1 October) as rest days, and the weekend days within
    # makeup_window_days of them as possible make-up working days (so a deadline is never late).
    customary_blocks: bool = True
    makeup_window_days: int = Field(default=7, ge=0, le=14)
    warn_from_month: int = Field(default=11, ge=1, le=12)  # ask for next year's schedule from then


class ChannelConfig(BaseModel):
    """A notification channel. kind: webhook | wecom | dingtalk | email."""

    name: str
    kind: Literal["webhook", "wecom", "dingtalk", "email"]
    url: str | None = None
    secret: str | None = None
    recipients: list[str] = Field(default_factory=list)
    audience: Audience = Audience.PRESS
    timeout_seconds: float = Field(10.0, gt=0, le=120)  # one send; a slow channel never holds up others


class NotifyConfig(BaseModel):
    channels: list[ChannelConfig] = Field(default_factory=list)
    max_attempts: int = 8  # then a dead letter: alarmed elsewhere, still retried while it matters
    backoff_base_seconds: float = 30.0
    backoff_max_seconds: float = 1800.0
    lease_seconds: float = 300.0  # a claimed notice not recorded by then (crash) is claimed again
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_from: str = "yuqing@localhost"
    inbox_url: str | None = None  # where people can read what was sent (the demo's local inbox): a nav link

    @model_validator(mode="after")
    def _lease_outlasts_a_send(self) -> NotifyConfig:
        slowest = max((c.timeout_seconds for c in self.channels), default=0.0)
        if self.lease_seconds <= slowest:
            raise ValueError(f"notify.lease_seconds（{self.lease_seconds:g}）必须大于最长的通道超时"
                             f"（{slowest:g} 秒），否则仍在发送的通知会被再次领取")
        return self


class ReportsConfig(BaseModel):
    """Reports (reports/): the documents' header lines and when release assessments are made."""

    classification: str = "内部资料　注意保存"  # the classification line printed in every document's header
    assessment_lead_working_days: int = 1  # pre-release assessment: this many working days before
    assessment_hour: int = 9  # …at this hour, Beijing time
    post_release_hours: list[float] = Field(default_factory=lambda: [2.0, 24.0, 72.0])  # T+2h, T+24h, T+72h
    special_grades: list[str] = Field(default_factory=lambda: ["I", "II"])  # incidents that get a 专报
    units: dict[str, str] = Field(default_factory=dict)  # person → unit for 考核 (张三 = "新闻处")


class AuthConfig(BaseModel):
    """Logins, sessions and tokens (see api/sessions.py, api/throttle.py, api/auth.py)."""

    session_idle_minutes: int = 240  # a board left alone this long asks for the password again
    session_absolute_hours: int = 24  # whatever the activity: longer than any duty shift
    account_free_failures: int = 5  # wrong passwords for one account before it is locked
    address_free_failures: int = 20  # from one address (an office shares one NAT address)
    lockout_base_seconds: int = 30  # doubles with every further failure
    lockout_max_seconds: int = 900
    failure_window_minutes: int = 60  # failures older than this are forgotten
    min_password_length: int = 10
    # token lifetimes are asked per token, within api/auth.py's DEFAULT_TOKEN_DAYS and MAX_TOKEN_DAYS


MIN_SECRET_LENGTH = 32


def weak_secret(secret: str) -> bool:
    """Too short, the development default, or a few characters repeated (e.g. "a" * 40)."""
    return secret == DEV_SECRET or len(secret) < MIN_SECRET_LENGTH or len(set(secret)) < 8


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="YUQING_",
        env_nested_delimiter="__",
        env_file=".env",
        extra="ignore",
    )

    env: Literal["development", "test", "production"] = "development"
    database_url: str = "sqlite:///var/yuqing.db"
    redis_url: str | None = None
    secret_key: str = DEV_SECRET
    base_url: str = "http://127.0.0.1:8000"
    bureau_name: str = "统计局"

    sources: list[SourceConfig] = Field(default_factory=list)
    watch: list[WatchTopicConfig] = Field(default_factory=list)
    sensitive_terms: dict[str, list[str]] = Field(default_factory=dict)  # extra lexicon per topic
    crawl: CrawlConfig = Field(default_factory=CrawlConfig)
    analysis: AnalysisConfig = Field(default_factory=AnalysisConfig)
    risk: RiskConfig = Field(default_factory=RiskConfig)
    policy: PolicyConfig = Field(default_factory=PolicyConfig)
    calendar: CalendarConfig = Field(default_factory=CalendarConfig)
    notify: NotifyConfig = Field(default_factory=NotifyConfig)
    reports: ReportsConfig = Field(default_factory=ReportsConfig)
    auth: AuthConfig = Field(default_factory=AuthConfig)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml_path = Path(os.environ.get("YUQING_CONFIG", "yuqing.toml"))
        toml = TomlConfigSettingsSource(settings_cls, toml_file=toml_path)
        return (init_settings, env_settings, dotenv_settings, toml, file_secret_settings)

    @model_validator(mode="after")
    def _refuse_default_secret(self) -> Settings:
        if self.env == "production" and weak_secret(self.secret_key):
            raise ValueError(
                f"生产环境必须设置足够强的 YUQING_SECRET_KEY（至少 {MIN_SECRET_LENGTH} 个字符、"
                "不少于 8 种字符，不能用开发默认值）；"
                "可用 python -c \"import secrets; print(secrets.token_urlsafe(48))\" 生成"
            )
        return self

    @property
    def production(self) -> bool:
        return self.env == "production"

    def source(self, name: str) -> SourceConfig:
        for s in self.sources:
            if s.name == name:
                return s
        raise KeyError(f"配置中没有名为 {name!r} 的来源")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings, read once. Tests build `Settings(...)` directly instead."""
    return Settings()
