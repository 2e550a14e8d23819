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


@dataclass(frozen=True, slots=True)
class ClockSync:
    """How the exchange's clock stands against the machine's, as last measured."""

    offset_ms: int | None = None          # exchange time minus machine time; None until first measured
    round_trip_ms: int | None = None      # of the measurement; half of it is the uncertainty
    measured_ms: int | None = None        # machine time of the last successful measurement
    failures: int = 0                     # consecutive failed measurements since then
    last_error: str | None = None

    @property
    def measured(self) -> bool:
        """Return True once an offset has been measured."""
        return self.offset_ms is not None

    def machine_offset_text(self) -> str:
        """Return how the machine's clock stands against the exchange's, e.g. '3 min 0 s behind' or 'in step'."""
        if self.offset_ms is None:
            return "not measured yet"
        size = abs(self.offset_ms)
        if size < 50:
            return "in step"
        minutes, seconds = divmod(round(size / 1000), 60)
        amount = f"{minutes} min {seconds} s" if size >= 60_000 else f"{size / 1000:.1f} s"
        return f"{amount} {'behind' if self.offset_ms > 0 else 'ahead'}"
