"""Retries with backoff on transient failures, none on refusals, and health counted per attempt."""
from __future__ import annotations

from typing import Any

import ccxt
import pytest

from trading.adapters.clocks import ManualClock
from trading.adapters.exchange_requests import ExchangeRequests, RetryPolicy
from trading.domain.errors import AuthenticationFailed, RateLimited, RequestTimedOut, VenueUnavailable


class ScriptedVenue:
    """Stands in for a ccxt exchange: raises the scripted errors in turn, then answers."""

    def __init__(self, *failures: Exception, headers: dict[str, str] | None = None) -> None:
        self.failures = list(failures)
        self.calls = 0
        self.last_response_headers = headers or {}

    async def fetch(self) -> str:
        self.calls += 1
        if self.failures:
            raise self.failures.pop(0)
        return "ok"


def requests_for(venue: ScriptedVenue, waits: list[float], attempts: int = 4) -> ExchangeRequests:
    """Return ExchangeRequests over venue whose sleeps are recorded, not slept."""
    async def sleep(seconds: float) -> None:
        waits.append(seconds)
    return ExchangeRequests(venue, ManualClock(1_000), RetryPolicy(attempts=attempts, base_delay_s=0.5, sleep=sleep))


async def test_transient_failures_are_retried_with_doubling_backoff() -> None:
    venue, waits = ScriptedVenue(ccxt.RequestTimeout("t"), ccxt.ExchangeNotAvailable("503")), []

    result = await requests_for(venue, waits).call("fetch_ohlcv", venue.fetch)

    assert (result, venue.calls, waits) == ("ok", 3, [0.5, 1.0])


async def test_rate_limit_waits_for_retry_after_when_longer_than_backoff() -> None:
    venue, waits = ScriptedVenue(ccxt.DDoSProtection("429"), headers={"Retry-After": "30"}), []

    await requests_for(venue, waits).call("fetch_ticker", venue.fetch)

    assert waits == [30.0]


async def test_retry_after_is_capped() -> None:
    venue, waits = ScriptedVenue(ccxt.DDoSProtection("418"), headers={"Retry-After": "7200"}), []

    await requests_for(venue, waits).call("fetch_ticker", venue.fetch)

    assert waits == [RetryPolicy().max_retry_after_s]


async def test_refusal_is_raised_at_once() -> None:
    venue, waits = ScriptedVenue(ccxt.AuthenticationError('{"code":-2015}')), []

    with pytest.raises(AuthenticationFailed):
        await requests_for(venue, waits).call("fetch_balance", venue.fetch)

    assert (venue.calls, waits) == (1, [])


async def test_last_transient_error_is_raised_when_attempts_run_out() -> None:
    venue, waits = ScriptedVenue(*[ccxt.RequestTimeout("t")] * 3), []

    with pytest.raises(RequestTimedOut):
        await requests_for(venue, waits, attempts=3).call("fetch_ohlcv", venue.fetch)

    assert venue.calls == 3


async def test_garbled_answer_that_breaks_ccxt_parsing_is_retried() -> None:
    venue, waits = ScriptedVenue(TypeError("string indices must be integers")), []

    assert await requests_for(venue, waits).call("fetch_ticker", venue.fetch) == "ok"


async def test_check_rejecting_the_answer_counts_as_a_failed_attempt() -> None:
    venue, waits = ScriptedVenue(), []
    verdicts = [VenueUnavailable("malformed"), None]

    def check(_: Any) -> None:
        verdict = verdicts.pop(0)
        if verdict:
            raise verdict

    requests = requests_for(venue, waits)
    await requests.call("fetch_ticker", venue.fetch, check)

    stats = requests.health.snapshot()["fetch_ticker"]
    assert (venue.calls, stats.calls, stats.errors, stats.consecutive_errors) == (2, 2, 1, 0)
    assert stats.last_error == "VenueUnavailable: malformed" and stats.last_ok_ms == 1_000


def test_backoff_grows_to_its_ceiling() -> None:
    policy = RetryPolicy(base_delay_s=1, max_delay_s=5)

    assert [policy.delay_s(n, None) for n in (1, 2, 3, 4)] == [1, 2, 4, 5]


def test_short_retry_after_never_shortens_the_backoff() -> None:
    assert RetryPolicy(base_delay_s=2).delay_s(1, RateLimited("429", retry_after_s=0.5)) == 2
