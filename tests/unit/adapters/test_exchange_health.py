"""Per-endpoint latency and error counts."""
from __future__ import annotations

from trading.adapters.exchange_health import EndpointStats, ExchangeHealth


def test_counts_attempts_errors_and_latency_per_endpoint() -> None:
    health = ExchangeHealth()

    health.record_ok("fetch_ohlcv", 100.0, at_ms=1)
    health.record_error("fetch_ohlcv", 300.0, at_ms=2, error=TimeoutError("late"))
    health.record_error("fetch_ohlcv", 200.0, at_ms=3, error=TimeoutError("late again"))
    health.record_ok("fetch_ticker", 50.0, at_ms=4)

    ohlcv = health.snapshot()["fetch_ohlcv"]
    assert (ohlcv.calls, ohlcv.errors, ohlcv.consecutive_errors) == (3, 2, 2)
    assert (ohlcv.mean_latency_ms, ohlcv.max_latency_ms, ohlcv.last_latency_ms) == (200.0, 300.0, 200.0)
    assert (ohlcv.last_ok_ms, ohlcv.last_error_ms, ohlcv.last_error) == (1, 3, "TimeoutError: late again")
    assert ohlcv.error_rate == 2 / 3 and health.snapshot()["fetch_ticker"].calls == 1


def test_success_resets_the_run_of_errors() -> None:
    health = ExchangeHealth()
    health.record_error("load_markets", 10.0, at_ms=1, error=OSError("down"))

    health.record_ok("load_markets", 10.0, at_ms=2)

    assert health.snapshot()["load_markets"].consecutive_errors == 0


def test_unused_endpoint_has_zero_rates() -> None:
    assert (EndpointStats().mean_latency_ms, EndpointStats().error_rate) == (0.0, 0.0)
