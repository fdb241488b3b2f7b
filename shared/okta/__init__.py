"""Okta Management API client: models, buckets, error mapping, rate limiters and the client."""

from shared.okta.buckets import ALL_BUCKETS, DEFAULT_LIMITS, bucket_for
from shared.okta.budget import BucketWindow, Decision, Policy, decide, observe, reserve
from shared.okta.client import OktaClient
from shared.okta.clock import OktaClock
from shared.okta.counters import NO_ANSWER, OktaCounters
from shared.okta.error_map import error_from_response
from shared.okta.headers import RateLimitReading, next_link, read_rate_limit
from shared.okta.models import GroupProfile, OktaClientSettings, OktaGroup, OktaUser
from shared.okta.profiles import NON_NULLABLE, creation_profile, update_changes
from shared.okta.ratelimit import (
    LimiterStats,
    LocalRateLimiter,
    NoopRateLimiter,
    RateLimiter,
    Slot,
)
from shared.okta.redis_ratelimit import RedisRateLimiter
from shared.okta.retry import RetryPolicy, backoff_delay, rate_limit_kind
from shared.okta.transport import Answer, OktaTransport

__all__ = [
    "ALL_BUCKETS",
    "DEFAULT_LIMITS",
    "NON_NULLABLE",
    "NO_ANSWER",
    "Answer",
    "BucketWindow",
    "Decision",
    "GroupProfile",
    "LimiterStats",
    "LocalRateLimiter",
    "NoopRateLimiter",
    "OktaClient",
    "OktaClientSettings",
    "OktaClock",
    "OktaCounters",
    "OktaGroup",
    "OktaTransport",
    "OktaUser",
    "Policy",
    "RateLimitReading",
    "RateLimiter",
    "RedisRateLimiter",
    "RetryPolicy",
    "Slot",
    "backoff_delay",
    "bucket_for",
    "creation_profile",
    "decide",
    "error_from_response",
    "next_link",
    "observe",
    "rate_limit_kind",
    "read_rate_limit",
    "reserve",
    "update_changes",
]
