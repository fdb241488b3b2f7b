"""How the fake Okta behaves: its token, rate-limit windows and limits, concurrency, page sizes."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from sim.okta.buckets import BUCKET_LIMITS, OTHER


def _default_limits() -> dict[str, int]:
    return dict(BUCKET_LIMITS)


class FakeOktaSettings(BaseModel):
    """Settings of one fake Okta org; windows may be compressed (window_s=1) for fast tests."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    token: str = Field(default="fake-okta-token", min_length=1)
    window_s: float = Field(
        default=60.0, gt=0, description="Rate-limit window; windows start at multiples of it"
    )
    limits: dict[str, int] = Field(
        default_factory=_default_limits, description="Requests per window, by bucket"
    )
    concurrency_limit: int = Field(default=75, ge=1, description="Requests in flight per org")
    concurrency_reset_s: float = Field(
        default=60.0, ge=0, description="How far ahead a concurrency 429's Reset points"
    )
    users_page_max: int = Field(default=200, ge=1)
    members_page_default: int = Field(default=1000, ge=1)
    groups_page_default: int = Field(default=10000, ge=1)
    seed: int = 0
    # The admin the API token belongs to (GET /api/v1/users/me); kept out of the directory.
    token_owner: dict[str, str] = Field(
        default_factory=lambda: {
            "login": "hopsync-service@acme.example",
            "email": "hopsync-service@acme.example",
            "firstName": "Hopsync",
            "lastName": "Service",
        }
    )

    def limit_for(self, bucket: str) -> int:
        """The per-window limit of ``bucket`` (the "other" bucket's when not configured)."""
        return self.limits.get(bucket, self.limits.get(OTHER, BUCKET_LIMITS[OTHER]))
