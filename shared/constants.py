"""Every Redis key and queue name hopsync uses, in one place (as arq keeps its own).

Keys are built by the small functions below so that a key's shape is defined once.
All keys live under the ``hopsync:`` prefix; Dramatiq's own keys live under its namespace.
"""

from __future__ import annotations

from typing import Final

PREFIX: Final = "hopsync"
DRAMATIQ_NAMESPACE: Final = "hopsync-dramatiq"

# Dramatiq queues.
SYNC_QUEUE: Final = "sync"  # per-person sync messages
RUNS_QUEUE: Final = "runs"  # run-level work: the aggregator, group creation
NOTIFY_QUEUE: Final = "notify"  # email and chat notifications

# Runs.
RUNS_INDEX: Final = f"{PREFIX}:runs"  # sorted set: run id scored by creation time


def run_key(run_id: str) -> str:
    """Hash of a run's metadata (kind, dry run, status, timings, expected count)."""
    return f"{PREFIX}:run:{run_id}"


def run_outcomes_key(run_id: str) -> str:
    """Hash of a run's per-person outcomes, keyed by the person's message key."""
    return f"{PREFIX}:run:{run_id}:outcomes"


def run_summary_key(run_id: str) -> str:
    """String holding the aggregator's JSON summary of a run."""
    return f"{PREFIX}:run:{run_id}:summary"


def run_planned_key(run_id: str) -> str:
    """Hash of outcomes planned just before their writes, for a redelivery to report truly."""
    return f"{PREFIX}:run:{run_id}:planned"


def run_plan_key(run_id: str) -> str:
    """Hash of a held run's planned changes, keyed like the outcomes."""
    return f"{PREFIX}:run:{run_id}:plan"


def run_groups_key(run_id: str) -> str:
    """Hash of managed group name to Okta group id, as snapshotted for a run."""
    return f"{PREFIX}:run:{run_id}:groups"


# Okta rate limiting (shared by every process of the fleet).
def ratelimit_key(bucket: str) -> str:
    """Hash holding one Okta endpoint bucket's budget for the current window."""
    return f"{PREFIX}:ratelimit:{bucket}"


INFLIGHT_KEY: Final = f"{PREFIX}:ratelimit:inflight"  # sorted set of leases on in-flight requests


def okta_wait_key(bucket: str) -> str:
    """String: until when (epoch s) the fleet waits for a bucket's next window; expires then."""
    return f"{PREFIX}:okta-wait:{bucket}"


# Worker presence.
WORKERS_KEY: Final = f"{PREFIX}:workers"  # sorted set: worker process id by last heartbeat

# Dead letters.
DLQ_INDEX: Final = f"{PREFIX}:dlq"  # sorted set: dead-letter id scored by failure time
DLQ_MESSAGES: Final = f"{PREFIX}:dlq:messages"  # hash: dead-letter id to JSON record

# Live sync.
WEBHOOK_SEEN_PREFIX: Final = f"{PREFIX}:webhook:seen"  # + event id; set NX with a TTL
LIVE_PENDING: Final = f"{PREFIX}:live:pending"  # sorted set: person id scored by due time
LIVE_HOLD: Final = f"{PREFIX}:live:hold"  # string: in a storm, no live sync is claimed before it
LIVE_HOLD_LIFT: Final = f"{PREFIX}:live:hold:lift"  # hash: syncs claimed despite the hold, and
# the budget of the Okta window they spend (producers.live.hold)
LIVE_FIRST: Final = f"{PREFIX}:live:first"  # sorted set: a pending person's first event time
LIVE_INFLIGHT: Final = f"{PREFIX}:live:inflight"  # sorted set: claimed person id by lease expiry
LIVE_OPEN_RUNS: Final = f"{PREFIX}:live:open"  # sorted set: open live run id by period end


def live_run_key(period: int) -> str:
    """String holding the id of the live run of one summary period (period = epoch // length)."""
    return f"{PREFIX}:live:run:{period}"


SAFETY_WINDOW: Final = f"{PREFIX}:safety:live"  # sorted set of live writes in the rolling hour
SAFETY_BASE: Final = f"{PREFIX}:safety:base"  # hash: people, memberships at the last resync
SAFETY_HELD: Final = f"{PREFIX}:safety:held"  # hash: item key to held live item JSON
LIFECYCLE: Final = f"{PREFIX}:lifecycle"  # hash: Okta user id to what hopsync did (leavers)

# Versioned configuration (shared.infra.config_store).
CONFIG_VERSIONS: Final = f"{PREFIX}:config:versions"  # hash: version number to JSON record
CONFIG_ACTIVE: Final = f"{PREFIX}:config:active"  # string: the active version number
CONFIG_NEXT: Final = f"{PREFIX}:config:next"  # counter: the last version number handed out
CONFIG_DRAFT_NEXT: Final = f"{PREFIX}:config:draft:next"  # counter: the last draft number


def config_draft_key(draft: int) -> str:
    """String holding one draft version's JSON record; it expires (drafts are never active)."""
    return f"{PREFIX}:config:draft:{draft}"


# Scheduler.
SCHEDULER_LOCK: Final = f"{PREFIX}:scheduler:lock"
SCHEDULER_LAST_TICK_PREFIX: Final = f"{PREFIX}:scheduler:last"  # + job name


def groups_lock_key() -> str:
    """Lock held while managed groups are looked up and created outside a resync's producer."""
    return f"{PREFIX}:lock:groups"


def webhook_seen_key(event_id: str) -> str:
    """Marker that a webhook event id was already accepted."""
    return f"{WEBHOOK_SEEN_PREFIX}:{event_id}"


def scheduler_last_tick_key(job: str) -> str:
    """String holding the ISO date of a scheduler job's last completed tick."""
    return f"{SCHEDULER_LAST_TICK_PREFIX}:{job}"


# Actor names, so producers can build messages without importing the workers.
SYNC_ACTOR: Final = "sync_person"
AGGREGATE_ACTOR: Final = "aggregate_run"
NOTIFY_ACTOR: Final = "notify_run"


# Live sync: one queued message per person, and batches counted once (added for issue #7).
def live_queued_key(person_id: str) -> str:
    """String holding the item key of a person's live sync message queued and not yet started."""
    return f"{PREFIX}:live:queued:{person_id}"


def live_started_key(item_key: str) -> str:
    """Marker that the live sync message of ``item_key`` has started (its queued mark is spent)."""
    return f"{PREFIX}:live:started:{item_key}"


def live_counted_key(batch: str) -> str:
    """Marker that a flusher batch was counted into its live run, so a retried count adds none."""
    return f"{PREFIX}:live:counted:{batch}"


# The console (producers/webconsole): accounts, sessions, sign-in attempts, audit, working copies.
CONSOLE_PREFIX: Final = f"{PREFIX}:console"
CONSOLE_ACCOUNTS: Final = f"{CONSOLE_PREFIX}:accounts"  # hash: name -> Account JSON
CONSOLE_AUDIT: Final = f"{CONSOLE_PREFIX}:audit"  # list, newest first: AuditEntry JSON


def console_session_key(digest: str) -> str:
    """A session, stored under the SHA-256 of its cookie (a leaked dump holds no live cookie)."""
    return f"{CONSOLE_PREFIX}:session:{digest}"


def console_attempts_key(kind: str, who: str) -> str:
    """Failed sign-ins counted per account name or per client address."""
    return f"{CONSOLE_PREFIX}:signin-failures:{kind}:{who}"


def console_audit_subject_key(subject: str) -> str:
    """The audit entries about one thing (``run:ID``, ``version:7``, ``letter:ID``)."""
    return f"{CONSOLE_PREFIX}:audit:{subject}"


def console_working_copy_key(account: str) -> str:
    """An account's unsaved settings (what Save Settings would save)."""
    return f"{CONSOLE_PREFIX}:working:{account}"


def console_flash_key(account: str) -> str:
    """Messages shown once on the next page an account opens (after a change redirects)."""
    return f"{CONSOLE_PREFIX}:flash:{account}"
