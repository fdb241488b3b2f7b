"""The Okta client's boundary models: users, groups and the client's settings."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from shared.okta.budget import Policy


class OktaUser(BaseModel):
    """One Okta user as the Users API returns it; fields hopsync does not read are ignored."""

    model_config = ConfigDict(extra="ignore")

    id: str
    status: str
    profile: dict[str, Any] = Field(default_factory=dict)
    created: datetime | None = None
    lastUpdated: datetime | None = None

    @property
    def login(self) -> str:
        """The user's login, or "" when the profile has none."""
        return str(self.profile.get("login") or "")


class OktaUserRef(BaseModel):
    """A user as a member list names it, when only who is a member matters (the resync)."""

    model_config = ConfigDict(extra="ignore")

    id: str


class GroupProfile(BaseModel):
    """A group's name and description; other profile attributes (AD groups) are ignored."""

    model_config = ConfigDict(extra="ignore")

    name: str
    description: str | None = None


class OktaGroup(BaseModel):
    """One Okta group: OKTA_GROUP (managed in Okta), APP_GROUP (imported) or BUILT_IN."""

    model_config = ConfigDict(extra="ignore")

    id: str
    type: str
    profile: GroupProfile

    @property
    def name(self) -> str:
        """The group's name."""
        return self.profile.name


class SchemaPart(BaseModel):
    """``definitions.base`` or ``definitions.custom`` of a user schema: its attributes."""

    model_config = ConfigDict(extra="ignore")

    properties: dict[str, Any] = Field(default_factory=dict)


class SchemaDefinitions(BaseModel):
    """A user schema's definitions: Okta's base attributes and the org's custom ones."""

    model_config = ConfigDict(extra="ignore")

    base: SchemaPart = SchemaPart()
    custom: SchemaPart = SchemaPart()


class UserSchema(BaseModel):
    """``GET /api/v1/meta/schemas/user/default``, read for the names of profile attributes."""

    model_config = ConfigDict(extra="ignore")

    definitions: SchemaDefinitions


class OktaClientSettings(BaseModel):
    """How to reach Okta and how hard to push it; the token stays a SecretStr so reprs hide it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    base_url: str = Field(min_length=1, description="https://{okta domain}, no path")
    token: SecretStr
    auth_scheme: Literal["SSWS", "Bearer"] = "SSWS"
    rate_limit: Policy = Field(
        default_factory=Policy, description="Share of each bucket and in-flight cap"
    )
    max_retries: int = Field(default=5, ge=0, le=50)
    members_page_size: int = Field(default=1000, ge=1, le=1000)
    timeout_s: float = Field(default=30, gt=0)
    backoff_base_s: float = Field(default=0.2, ge=0, description="First pause, doubled after")
    backoff_max_s: float = Field(default=2.0, ge=0, description="Longest pause between tries")
    max_reset_wait_s: float = Field(
        default=65, gt=0, description="Longest wait for a rate-limit window's Reset"
    )

    @property
    def root(self) -> str:
        """The base URL without a trailing slash."""
        return self.base_url.rstrip("/")
