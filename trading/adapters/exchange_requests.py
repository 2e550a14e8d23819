"""Exchange calls with retries on transient failures, one translation of errors, and per-endpoint health."""
from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, TypeVar

import ccxt
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type, stop_after_attempt

from trading.adapters.ccxt_errors import retry_after_seconds, translate_ccxt_error
from trading.adapters.exchange_health import ExchangeHealth
from trading.domain.errors import RateLimited, RetryableError, VenueUnavailable
from trading.logs import get_logger
from trading.ports import Clock

T = TypeVar("T")
log = get_logger(__name__)
# what ccxt's parsers raise when a 200 body is not the JSON they expect (a truncated or garbled answer)
_GARBLED = (TypeError, ValueError, KeyError, IndexError, AttributeError)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How transient failures are retried: exponential backoff, or the venue's Retry-After when longer."""

    attempts: int = 5
    base_delay_s: float = 0.5
    max_delay_s: float = 20.0
    max_retry_after_s: float = 120.0
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep

    def delay_s(self, attempt: int, error: BaseException | None) -> float:
        """Return how long to wait after failed attempt number attempt (1-based)."""
        backoff = min(self.max_delay_s, self.base_delay_s * 2 ** (attempt - 1))
        if isinstance(error, RateLimited) and error.retry_after_s is not None:
            return min(self.max_retry_after_s, max(backoff, error.retry_after_s))
        return backoff


class ExchangeRequests:
    """Runs calls on one ccxt exchange: retries RetryableErrors, raises RejectedErrors at once, times attempts."""

    def __init__(self, exchange: Any, clock: Clock, policy: RetryPolicy | None = None,
                 health: ExchangeHealth | None = None) -> None:
        self._exchange = exchange
        self._clock = clock
        self.policy = policy or RetryPolicy()
        self.health = health or ExchangeHealth()

    async def call(self, endpoint: str, request: Callable[[], Awaitable[T]],
                   check: Callable[[T], None] | None = None) -> T:
        """Return request()'s result, retried on transient failure; check raises VenueUnavailable on a bad body."""
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.policy.attempts),
            wait=self._wait,
            retry=retry_if_exception_type(RetryableError),
            sleep=self.policy.sleep,
            before_sleep=lambda state: log.warning(
                "exchange call failed, retrying", endpoint=endpoint, attempt=state.attempt_number,
                error=str(state.outcome.exception()) if state.outcome else None),
            reraise=True,
        )
        return await retrying(self._attempt, endpoint, request, check)

    def _wait(self, state: RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        return self.policy.delay_s(state.attempt_number, error)

    async def _attempt(self, endpoint: str, request: Callable[[], Awaitable[T]],
                       check: Callable[[T], None] | None) -> T:
        started = time.perf_counter()
        try:
            try:
                result = await request()
            except ccxt.BaseError as exc:
                raise translate_ccxt_error(exc, self._retry_after(exc)) from exc
            except _GARBLED as exc:
                raise VenueUnavailable(f"{endpoint}: malformed response ({type(exc).__name__}: {exc})") from exc
            if check is not None:
                check(result)
        except Exception as error:
            self.health.record_error(endpoint, _elapsed_ms(started), self._clock.now_ms(), error)
            raise
        self.health.record_ok(endpoint, _elapsed_ms(started), self._clock.now_ms())
        return result

    def _retry_after(self, exc: BaseException) -> float | None:
        if not isinstance(exc, (ccxt.DDoSProtection, ccxt.RateLimitExceeded)):
            return None
        # ccxt keeps only the last response's headers; a concurrent call may rarely have replaced them,
        # which costs at worst our own backoff instead of the venue's Retry-After
        return retry_after_seconds(getattr(self._exchange, "last_response_headers", None))


def _elapsed_ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000.0
