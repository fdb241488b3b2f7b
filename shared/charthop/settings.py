"""How to reach ChartHop: base URL, org, API token, paging and retry bounds."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, SecretStr


class ChartHopSettings(BaseModel):
    """Settings of the ChartHop client; the token stays a SecretStr so reprs never show it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    base_url: str = Field(default="https://api.charthop.com", min_length=1)
    org: str = Field(min_length=1, description="The org's slug or id, as in /v2/org/{org}/...")
    token: SecretStr
    page_size: int = Field(default=200, ge=1, le=1000)
    max_retries: int = Field(default=6, ge=0, le=50)
    timeout_s: float = Field(default=30, gt=0)
    backoff_base_s: float = Field(default=0.5, ge=0, description="First retry pause, doubled after")
    backoff_max_s: float = Field(default=30, ge=0, description="Longest pause between two tries")
    building_pause_s: float = Field(default=2, ge=0, description="Least pause after a 202")

    @property
    def root(self) -> str:
        """The base URL without a trailing slash."""
        return self.base_url.rstrip("/")
