"""Keep every message that failed for good, and count a failed person in their run."""

from __future__ import annotations

from typing import Any

import structlog
from dramatiq.middleware import Middleware

from shared import constants
from shared.core.models import PersonOutcome, SyncMessage
from shared.core.rules import Rules
from shared.infra.deadletters import DeadLetter, now
from shared.infra.logging import RedactSecrets
from shared.infra.redis_client import wait_for_redis
from workers.runtime import current

log = structlog.get_logger(__name__)
ERROR_OPTION = "hopsync_error"


class DeadLetters(Middleware):
    """On a message's last failure: store it in hopsync's dead-letter queue, then nack it.

    Storing happens before the nack, so a crash in between redelivers the message rather than
    losing it. With Redis away, storing waits for it: a failing hook would leave the message
    neither nacked nor redelivered for as long as the worker lives. A failed sync message is
    recorded as a "failed" outcome of its run, which lets the run complete and shows the failure
    in its summary.
    """

    def after_process_message(
        self, broker: Any, message: Any, *, result: Any = None, exception: Any = None
    ) -> None:
        if exception is not None:
            redact = RedactSecrets(current().loaded.secrets.values())
            text = f"{type(exception).__name__}: {exception}"
            message.options[ERROR_OPTION] = redact.scrub(text)[:2000]

    def before_nack(self, broker: Any, message: Any) -> None:
        runtime = current()
        payload = message.args[0] if message.args else {}
        sync = _sync_message(message.actor_name, payload)
        error = message.options.get(ERROR_OPTION, "failed without an error message")
        letter = DeadLetter(
            id=message.message_id,
            actor=message.actor_name,
            queue=message.queue_name,
            run_id=sync.run_id if sync else _run_id(payload),
            item_key=sync.item.key if sync else None,
            person_id=sync.item.person_id if sync else None,
            error=error,
            failed_at=now(),
            retries=int(message.options.get("retries", 0)),
            message=message.asdict(),
        )
        wait_for_redis(lambda: runtime.dead_letters.add(letter), f"dead-letter message {letter.id}")
        log.warning(
            "message dead-lettered",
            message_id=letter.id,
            actor=letter.actor,
            run_id=letter.run_id,
            person=letter.item_key,
            error=error,
        )
        if sync is not None:
            from workers.actors import finish

            outcome = PersonOutcome(
                key=sync.item.key,
                status="failed",
                person_id=sync.item.person_id,
                reason=error,
                name=_person_name(runtime.rules, sync),
            )
            wait_for_redis(
                lambda: finish(runtime, sync.run_id, [outcome]),
                f"record the failed outcome of {sync.item.key}",
            )


def _sync_message(actor: str, payload: Any) -> SyncMessage | None:
    if actor != constants.SYNC_ACTOR or not isinstance(payload, dict):
        return None
    return SyncMessage.model_validate(payload)


def _run_id(payload: Any) -> str | None:
    return payload if isinstance(payload, str) else None


def _person_name(rules: Rules, message: SyncMessage) -> str | None:
    person = message.item.person
    return rules.person_name(person) if person else None
