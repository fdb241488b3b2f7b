"""The one error tree of hopsync: every error the project raises derives from HopsyncError.

Messages say what failed, with which input, and what to do. No message ever carries a secret.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


class HopsyncError(Exception):
    """Raised when anything in hopsync fails; the root of every error below."""


# --- configuration -------------------------------------------------------------------------


class ConfigError(HopsyncError):
    """Raised when the configuration file or environment is invalid; lists every problem by path."""

    def __init__(self, problems: Sequence[tuple[str, str]], source: str = "configuration") -> None:
        self.problems = list(problems)
        self.source = source
        lines = [f"{source}: {len(self.problems)} problem(s)"]
        lines += [f"  {path}: {message}" for path, message in self.problems]
        super().__init__("\n".join(lines))


class ConfigVersionNotFoundError(HopsyncError):
    """Raised when a configuration version (or draft) is not in Redis: never saved, or expired."""


# --- Carrot --------------------------------------------------------------------------------


class CarrotError(HopsyncError):
    """Raised when a Carrot filter, expression or template cannot be compiled or evaluated."""


class CarrotSyntaxError(CarrotError):
    """Raised when Carrot text does not parse; names the column, what was expected and found."""

    def __init__(self, text: str, column: int, expected: str, found: str) -> None:
        self.text = text
        self.column = column  # 1-based
        self.expected = expected
        self.found = found
        super().__init__(self.render())

    @property
    def headline(self) -> str:
        """The one-line description, without the caret drawing."""
        return f"expected {self.expected} at column {self.column}, found {self.found}"

    def render(self, prefix: str = "") -> str:
        """The headline, then the text with a caret under the column."""
        head = f"{prefix}: {self.headline}" if prefix else self.headline
        line = self.text.replace("\n", " ")
        return f"{head}\n  {line}\n  {' ' * (self.column - 1)}^"


class CarrotNameError(CarrotError):
    """Raised when Carrot text calls a function that does not exist (a compile-time error)."""


class CarrotTypeError(CarrotError):
    """Raised when evaluation meets values an operator or function cannot combine."""


# --- remote APIs ---------------------------------------------------------------------------


class ApiError(HopsyncError):
    """Raised when a call to Okta or ChartHop fails for good."""

    retryable = False

    def __init__(
        self, message: str, *, status: int | None = None, method: str = "", url: str = ""
    ) -> None:
        self.status = status
        self.method = method
        self.url = url
        super().__init__(message)


class TransportError(ApiError):
    """Raised when a request could not be completed (connection reset, timeout) after retries."""

    retryable = True


class OktaError(ApiError):
    """Raised when Okta answers with an error body; carries errorCode, summary, causes and id."""

    def __init__(
        self,
        *,
        status: int,
        error_code: str = "",
        error_summary: str = "",
        error_causes: Sequence[str] = (),
        error_id: str = "",
        method: str = "",
        url: str = "",
    ) -> None:
        self.error_code = error_code
        self.error_summary = error_summary
        self.error_causes = list(error_causes)
        self.error_id = error_id
        causes = f" ({'; '.join(self.error_causes)})" if self.error_causes else ""
        message = (
            f"Okta {method} {url} answered {status} {error_code}: {error_summary}{causes}"
            f" [errorId {error_id or '-'}]"
        )
        super().__init__(message, status=status, method=method, url=url)

    def details(self) -> dict[str, Any]:
        """The fields worth storing with a failed message."""
        return {
            "status": self.status,
            "errorCode": self.error_code,
            "errorSummary": self.error_summary,
            "errorCauses": self.error_causes,
            "errorId": self.error_id,
        }


class OktaValidationError(OktaError):
    """Raised when Okta rejects a request body (E0000001, E0000003): fix the data, do not retry."""


class OktaAuthError(OktaError):
    """Raised when Okta rejects the API token (E0000004, E0000011): check OKTA_API_TOKEN."""


class OktaForbiddenError(OktaError):
    """Raised when the token lacks a permission or the user's status forbids it (E0000006/38)."""


class OktaNotFoundError(OktaError):
    """Raised when the user or group does not exist (E0000007)."""


class OktaRateLimitError(OktaError):
    """Raised when Okta still answers 429 (E0000047) after the client's retries."""

    retryable = True


class OktaServerError(OktaError):
    """Raised when Okta answers 5xx after the client's retries."""

    retryable = True


class ChartHopError(ApiError):
    """Raised when ChartHop answers with an error after the client's retries."""


# --- pipeline ------------------------------------------------------------------------------


class RunNotFoundError(HopsyncError):
    """Raised when a run id names no run kept in Redis (expired after its TTL, or mistyped)."""


class RunStateError(HopsyncError):
    """Raised when a run is asked to do what its state forbids (approve a run that is not held)."""


class InfrastructureError(HopsyncError):
    """Raised when hopsync cannot do its job: Redis unreachable, no live worker, a wait timed out.

    The command line reports it in one line and exits 4.
    """


class BrokerUnavailableError(InfrastructureError):
    """Raised when Redis cannot be reached to enqueue or read messages."""


class NoWorkerError(InfrastructureError):
    """Raised when a run waits for workers and none has been alive for a while."""


class WaitTimeoutError(InfrastructureError, TimeoutError):
    """Raised when a run is still going at the end of the time a command may wait for it."""


class MissingGroupError(HopsyncError):
    """Raised when a plan names a managed group that has no Okta id in its run."""


class BudgetDeferredError(HopsyncError):
    """Raised when a message should wait for Okta's next window off its worker thread."""

    def __init__(self, bucket: str, delay_s: float) -> None:
        super().__init__(
            f"Okta's {bucket!r} budget is spent for this window; the message is parked for "
            f"{delay_s:.2f} s (nothing was written)"
        )
        self.bucket = bucket
        self.delay_s = delay_s


class WaitingForPeopleError(BudgetDeferredError):
    """Raised when a person's okta() fields wait for Okta users their run is still creating."""

    def __init__(self, person_ids: list[str], delay_s: float) -> None:
        HopsyncError.__init__(
            self,
            f"waiting for the Okta users of {', '.join(person_ids)}, created in this run; the "
            f"message is parked for {delay_s:.2f} s (nothing was written)",
        )
        self.bucket = "waiting-for-new-users"
        self.delay_s = delay_s
        self.person_ids = person_ids


class DeadLetterNotFoundError(HopsyncError):
    """Raised when a dead-letter message id names nothing in the dead-letter queue."""
