"""The typed configuration of hopsync: one YAML file, validated by these pydantic models.

Every model forbids unknown keys so that a misspelt setting is an error, not a silent default.
Carrot filters and field sources are compiled during validation, so a bad one is reported by path.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from shared.carrot import compile_filter, compile_source
from shared.errors import CarrotError
from shared.okta.budget import DEFAULT_MAX_IN_FLIGHT, DEFAULT_SHARE, InFlight, Policy, Share

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PERCENT_OR_COUNT = re.compile(r"^\d+(\.\d+)?%$|^\d+$")


class StrictModel(BaseModel):
    """A model that rejects unknown keys and is immutable once loaded."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def _http_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"must be an http:// or https:// URL, got {value!r}")
    return value.rstrip("/")


HttpUrl = Annotated[str, AfterValidator(_http_url)]


def _carrot_filter(text: str) -> str:
    try:
        compile_filter(text)
    except CarrotError as error:
        raise ValueError(str(error)) from None
    return text


def _carrot_source(text: str) -> str:
    try:
        compile_source(text)
    except CarrotError as error:
        raise ValueError(str(error)) from None
    return text


CarrotFilter = Annotated[str, AfterValidator(_carrot_filter)]
CarrotSource = Annotated[str, AfterValidator(_carrot_source)]


class ChartHopConfig(StrictModel):
    """Where ChartHop is and which org to read."""

    org: str = Field(min_length=1)
    base_url: HttpUrl = "https://api.charthop.com"
    page_size: int = Field(default=200, ge=1, le=1000)


class OktaConfig(StrictModel):
    """Where Okta is and how much of its rate limit hopsync may use."""

    domain: str = Field(min_length=1)
    base_url: HttpUrl | None = None
    auth_scheme: Literal["SSWS", "Bearer"] = "SSWS"
    rate_limit_share: Share = DEFAULT_SHARE
    max_in_flight: InFlight = DEFAULT_MAX_IN_FLIGHT
    max_retries: int = Field(default=5, ge=0, le=20)
    # Okta's own default page for group members. Its docs suggest 200 for response time, but each
    # page spends one request of the bucket membership writes (ours and other tools') share: at
    # 50,000 people in 20 groups, pages of 200 cost more than a whole minute's budget to read.
    members_page_size: int = Field(default=1000, ge=1, le=1000)

    @property
    def url(self) -> str:
        """The base URL: base_url when set, else https://{domain}."""
        return self.base_url or f"https://{self.domain}"

    @property
    def rate_limit(self) -> Policy:
        """The rate-limit settings the client and the fleet's limiter share."""
        return Policy(share=self.rate_limit_share, max_in_flight=self.max_in_flight)


class MatchConfig(StrictModel):
    """How a ChartHop person finds their Okta user (compared case-insensitively)."""

    okta_attribute: str = "login"
    charthop: str = "contact.workEmail"


class GroupConfig(StrictModel):
    """A managed Okta group: its name and the Carrot filter that selects its members."""

    name: str = Field(min_length=1)
    query: CarrotFilter
    description: str = ""


class SmtpConfig(StrictModel):
    """The SMTP server notifications are sent through; the password comes from SMTP_PASSWORD."""

    host: str = Field(min_length=1)
    port: int = Field(default=587, ge=1, le=65535)
    user: str | None = None
    starttls: bool = True
    use_tls: bool = False
    from_address: str = "hopsync@localhost"
    timeout_s: float = Field(default=30, gt=0)


class SafetyConfig(StrictModel):
    """Limits past which a run writes nothing and waits for approval ("20%" or a count).

    On by default; ``settings.safety: null`` turns them off. The bases: shared/core/safety.py.
    """

    max_group_removals: str = "20%"  # of one managed group's members, group by group
    max_blanked: str = "20%"  # of the people in the run, attribute by attribute
    max_updates: str = "50%"  # Okta profiles changed, of the people in the run
    max_creates: str = "200"  # Okta users created
    min_people: int = Field(default=5, ge=0)  # a share trips only past this many people too
    # Suspensions and deactivations of leavers; None: 5 people or 2% of the managed users,
    # whichever is larger (shared.core.safety.DEFAULT_MAX_DEACTIVATIONS).
    max_deactivations: str | None = None

    @field_validator(
        "max_group_removals",
        "max_blanked",
        "max_updates",
        "max_creates",
        "max_deactivations",
        mode="before",
    )
    @classmethod
    def _percent_or_count(cls, value: object) -> str | None:
        if value is None:
            return None
        text = str(value).strip()
        if not _PERCENT_OR_COUNT.match(text):
            raise ValueError(f"must be a count like 200 or a share like 10%, got {value!r}")
        return text


def _clock_time(value: str) -> str:
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", value)
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        raise ValueError(f"must be a 24-hour time HH:MM, got {value!r}")
    return value


def _yaml_sexagesimal(value: object) -> object:
    """An unquoted 18:00 reaches us as 1080 (YAML 1.1 reads it in base 60): read it back."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 24 * 60:
        return f"{value // 60:02d}:{value % 60:02d}"
    return value


ClockTime = Annotated[str, BeforeValidator(_yaml_sexagesimal), AfterValidator(_clock_time)]


class LeaversConfig(StrictModel):
    """What hopsync does to the Okta user of a person who has left (off unless action is set).

    A leaver is acted on from ``time_of_day`` (settings.timezone) on the day ``after_days`` days
    after the day following their end date: with the defaults, from midnight once it has passed.
    """

    action: Literal["none", "suspend", "deactivate"] = "none"
    after_days: int = Field(default=0, ge=0, le=365)
    time_of_day: ClockTime = "00:00"
    rehire_send_email: bool = False

    @property
    def enabled(self) -> bool:
        """Whether leavers are suspended or deactivated at all."""
        return self.action != "none"


class SettingsConfig(StrictModel):
    """The product settings, as the seed's settings page shows them."""

    live_sync: bool = True
    resync_daily: bool = True
    daily_at: str = "03:00"
    timezone: str = "UTC"
    create_profiles: bool = True
    remote_location_default: bool = True
    sync_new_hires: bool = False
    notify_emails: list[str] = Field(default_factory=list)
    chat_webhook_url: HttpUrl | None = None
    notify_when_unchanged: bool = False
    live_coalesce_seconds: float = Field(default=1.0, ge=0, le=300)
    live_summary_minutes: int = Field(default=15, ge=1, le=1440)
    safety: SafetyConfig | None = SafetyConfig()  # null turns the limits off
    leavers: LeaversConfig = LeaversConfig()

    @field_validator("daily_at")
    @classmethod
    def _daily_at(cls, value: str) -> str:
        return _clock_time(value)

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}; use an IANA name") from None
        return value

    @field_validator("notify_emails")
    @classmethod
    def _emails(cls, value: list[str]) -> list[str]:
        bad = [address for address in value if not _EMAIL.match(address)]
        if bad:
            raise ValueError(f"not email addresses: {', '.join(map(repr, bad))}")
        return value


class WorkerConfig(StrictModel):
    """How the Dramatiq workers run and retry."""

    processes: int = Field(default=2, ge=1, le=64)
    threads: int = Field(default=8, ge=1, le=256)
    max_retries: int = Field(default=5, ge=0, le=50)
    min_backoff_ms: int = Field(default=1000, ge=1)
    max_backoff_ms: int = Field(default=60_000, ge=1)
    heartbeat_timeout_ms: int = Field(default=15_000, ge=1000)
    time_limit_ms: int = Field(default=300_000, ge=1000)


class HopsyncConfig(StrictModel):
    """The whole configuration file."""

    charthop: ChartHopConfig
    okta: OktaConfig
    match: MatchConfig = MatchConfig()
    profile_fields: dict[str, CarrotSource] = Field(default_factory=dict)
    groups: list[GroupConfig] = Field(default_factory=list)
    settings: SettingsConfig = SettingsConfig()
    smtp: SmtpConfig | None = None
    worker: WorkerConfig = WorkerConfig()
    runs_ttl_days: int = Field(default=30, ge=1, le=3650)
