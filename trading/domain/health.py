"""How well a venue connection is doing, endpoint by endpoint."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class EndpointStats:
    """What one endpoint (e.g. 'fetch_ohlcv') has done so far; every attempt counts, retries included."""

    calls: int = 0
    errors: int = 0
    consecutive_errors: int = 0
    last_latency_ms: float = 0.0
    max_latency_ms: float = 0.0
    total_latency_ms: float = 0.0
    last_ok_ms: int | None = None
    last_error_ms: int | None = None
    last_error: str | None = None

    @property
    def mean_latency_ms(self) -> float:
        """Return the mean latency over all attempts."""
        return self.total_latency_ms / self.calls if self.calls else 0.0

    @property
    def error_rate(self) -> float:
        """Return the share of attempts that failed."""
        return self.errors / self.calls if self.calls else 0.0
