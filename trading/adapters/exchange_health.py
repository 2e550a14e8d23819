"""Per-endpoint latency and error counts of an exchange connection, read by the circuit breaker and /health."""
from __future__ import annotations

from dataclasses import replace

from trading.domain.health import EndpointStats


class ExchangeHealth:
    """Counts attempts, failures and latency per endpoint."""

    def __init__(self) -> None:
        self._stats: dict[str, EndpointStats] = {}

    def record_ok(self, endpoint: str, latency_ms: float, at_ms: int) -> None:
        """Count a successful attempt."""
        stats = self._counted(endpoint, latency_ms)
        self._stats[endpoint] = replace(stats, consecutive_errors=0, last_ok_ms=at_ms)

    def record_error(self, endpoint: str, latency_ms: float, at_ms: int, error: BaseException) -> None:
        """Count a failed attempt and remember why it failed."""
        stats = self._counted(endpoint, latency_ms)
        self._stats[endpoint] = replace(stats, errors=stats.errors + 1,
                                        consecutive_errors=stats.consecutive_errors + 1, last_error_ms=at_ms,
                                        last_error=f"{type(error).__name__}: {error}"[:300])

    def snapshot(self) -> dict[str, EndpointStats]:
        """Return the stats per endpoint as they are now."""
        return dict(self._stats)

    def _counted(self, endpoint: str, latency_ms: float) -> EndpointStats:
        stats = self._stats.get(endpoint, EndpointStats())
        return replace(stats, calls=stats.calls + 1, last_latency_ms=latency_ms,
                       max_latency_ms=max(stats.max_latency_ms, latency_ms),
                       total_latency_ms=stats.total_latency_ms + latency_ms)
