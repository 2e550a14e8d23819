"""Where the account limits can next change between two event bars of an open position.

The live loop marks the account's equity for the limits (daily loss, drawdown halt) at every closed
candle; the backtest jumps from event bar to event bar. Between two of them the account holds a fixed
position, so its equity at a close is level + held x close, rising with the close for a long and
falling for a short. Marking those closes one by one changes the limits' state only at three kinds of
bar: the first close of a new local day (it sets the day's starting equity), a close where the daily
loss or the drawdown may reach its limit, and a new equity peak. The first two are found here in floats,
with a margin so that no true one is missed (a bar flagged that the exact mark then finds short of the
limit changes nothing); of the peaks only the highest before such a bar matters, and that is the best
close, compared exactly. The walk then lets the engine mark those bars with its own Decimal arithmetic.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import numpy as np

from trading.risk.limits import DAY_MS, EPOCH, LimitSettings, RiskState

HAIR = 1e-9        # relative margin for float equity against the exact Decimal marks


@dataclass(frozen=True, slots=True)
class LimitStops:
    """Offsets into a stretch of bars: the best close to mark first (None: no new peak), then the bar to mark."""

    peak: int | None
    bar: int | None          # None: no limit can change within the stretch


def limit_stops(closes: np.ndarray, close_ms: np.ndarray, level: float, held: float, risk: RiskState,
                settings: LimitSettings) -> LimitStops:
    """Return what the walk must mark within a stretch of closes of a position held at equity level + held x close."""
    count = len(closes)
    new_day = int(np.searchsorted(close_ms, day_end_ms(risk.day, settings.timezone), side="left"))
    span = min(count, new_day)
    equity = level + held * closes[:span]
    flagged = _near_limits(equity, risk, settings)
    bar = int(flagged[0]) if flagged.size else (span if span < count else None)
    before = span if bar is None else bar
    return LimitStops(_new_peak(closes[:before], equity[:before], held, risk), bar)


def _near_limits(equity: np.ndarray, risk: RiskState, settings: LimitSettings) -> np.ndarray:
    """Return the offsets where the daily loss or the drawdown may reach its limit (a few false ones allowed)."""
    peak0 = float(risk.peak_equity)
    margin = HAIR * max(abs(peak0), abs(float(risk.day_start_equity)), 1.0)
    hit = np.zeros(equity.size, dtype=bool)
    if not risk.halted and equity.size:
        peak = np.maximum.accumulate(np.maximum(equity, peak0))     # no drawdown below a peak of 0 or less
        hit |= (peak > 0) & (equity <= peak * (1 - float(settings.max_drawdown_pct) / 100) + margin)
    if risk.daily_limit_day != risk.day:
        start = float(risk.day_start_equity)
        limit = start * float(settings.daily_loss_pct) / 100
        if limit > 0:
            hit |= equity <= start - limit + margin
    return np.flatnonzero(hit)


def _new_peak(closes: np.ndarray, equity: np.ndarray, held: float, risk: RiskState) -> int | None:
    """Return the offset of the best close when its equity may top the peak (the exact mark decides)."""
    if closes.size == 0:
        return None
    best = int(np.argmax(closes) if held > 0 else np.argmin(closes))
    peak0 = float(risk.peak_equity)
    return best if equity[best] >= peak0 - HAIR * max(abs(peak0), 1.0) else None


@lru_cache(maxsize=256)
def day_end_ms(day: str, timezone: str) -> int:
    """Return the epoch ms at which the local day after day (an ISO date) begins; -1 before any day."""
    if not day:
        return -1
    following = date.fromisoformat(day) + timedelta(days=1)
    if timezone == "UTC":
        return (following - EPOCH).days * DAY_MS
    return int(datetime.combine(following, time(0), tzinfo=ZoneInfo(timezone)).timestamp() * 1000)
