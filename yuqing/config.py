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

from pydantic import BaseModel, Field, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from .vocab import Audience, MediaTier, SourceKind

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
    options: dict[str, Any] = Field(default_factory=dict)


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
        }
    )
    concurrency_per_domain: int = 2
    download_delay: float = 0.5
    autothrottle: bool = True
    timeout_seconds: float = 20.0
    retry_times: int = 3
    backoff_minutes: float = 15.0  # after a block (418/432/403, captcha)
    weibo_cookie: str | None = None  # never committed: set YUQING_CRAWL__WEIBO_COOKIE
    weibo_page_cap: int = 50
    user_agent: str = "yuqing/0.1 (+public-opinion monitoring of a statistics bureau)"


class AnalysisConfig(BaseModel):
    model_dir: Path | None = None  # None: the model shipped in analysis/model/
    batch_size: int = 500
    user_dict: Path | None = None  # extra jieba words, one per line


class RiskConfig(BaseModel):
    """Risk (0-100) thresholds at which an incident of each grade opens."""

    grade_thresholds: dict[str, float] = Field(
        default_factory=lambda: {"I": 80.0, "II": 65.0, "III": 50.0, "IV": 35.0}
    )
    min_mentions: dict[str, int] = Field(
        default_factory=lambda: {"I": 5, "II": 3, "III": 2, "IV": 1}
    )


class PolicyConfig(BaseModel):
    """Response windows. Defaults are the rules' (see shared/docs/domain.md)."""

    authoritative_hours: float = 5
    press_conference_hours: float = 24
    update_every_hours: float = 24
    key_matter_hours: float = 24
    suggestion_working_days: int = 7
    suggestion_complex_working_days: int = 15
    complaint_working_days: int = 15
    repost_working_days: int = 1
    office_close: str | None = None  # "17:30": working-day periods end then instead of 24:00
    clock_starts: Literal["opened", "first_mention", "graded"] = "opened"  # see alerts.service.clock_anchor
    reminder_lead_minutes: list[int] = Field(default_factory=lambda: [60, 15])
    breach_repeat_minutes: int = 60
    due_soon_minutes: int = 60


class ChannelConfig(BaseModel):
    """A notification channel. kind: webhook | wecom | dingtalk | email."""

    name: str
    kind: Literal["webhook", "wecom", "dingtalk", "email"]
    url: str | None = None
    secret: str | None = None
    recipients: list[str] = Field(default_factory=list)
    audience: Audience = Audience.PRESS


class NotifyConfig(BaseModel):
    channels: list[ChannelConfig] = Field(default_factory=list)
    max_attempts: int = 8
    backoff_base_seconds: float = 30.0
    backoff_max_seconds: float = 1800.0
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_from: str = "yuqing@localhost"
    escalate_to_leadership_minutes: int = 60  # due within this and no response yet


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
    notify: NotifyConfig = Field(default_factory=NotifyConfig)

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
        if self.env == "production" and self.secret_key == DEV_SECRET:
            raise ValueError("YUQING_SECRET_KEY must be set in production")
        return self

    def source(self, name: str) -> SourceConfig:
        for s in self.sources:
            if s.name == name:
                return s
        raise KeyError(f"no source named {name!r} in the configuration")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings, read once. Tests build `Settings(...)` directly instead."""
    return Settings()
