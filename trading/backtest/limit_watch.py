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

import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import numpy as np

from trading.domain.frozen import quick_init
from trading.risk.limits import DAY_MS, EPOCH, LimitSettings, RiskState

HAIR = 1e-9        # relative margin for float equity against the exact Decimal marks


@quick_init
@dataclass(frozen=True, slots=True)
class LimitStops:
    """Offsets into a stretch of bars: the best close to mark first (None: no new peak), then the bar to mark."""

    peak: int | None
    bar: int | None          # None: no limit can change within the stretch


def limit_stops(closes: np.ndarray, open_ms: np.ndarray, step_ms: int, level: float, held: float,
                risk: RiskState, settings: LimitSettings) -> LimitStops:
    """Return what the walk must mark within a stretch of bars of a position held at equity level + held x close."""
    count = len(closes)
    new_day = int(open_ms.searchsorted(day_end_ms(risk.day, settings.timezone) - step_ms, side="left"))
    span = min(count, new_day)
    if span == 0:
        return LimitStops(None, 0)
    head = closes[:span]
    best, worst = (int(head.argmax()), head.min()) if held > 0 else (int(head.argmin()), head.max())
    peak0 = float(risk.peak_equity)
    margin = HAIR * max(abs(peak0), abs(float(risk.day_start_equity)), 1.0)
    flagged = None
    # a quick bound first: the worst close against the limits measured from the best equity of the stretch
    if level + held * worst <= _floor(max(peak0, level + held * head[best]), margin, risk, settings):
        found = np.flatnonzero(_near_limits(level + held * head, peak0, margin, risk, settings))
        if found.size:
            flagged = int(found[0])
            best = int(head[:flagged].argmax() if held > 0 else head[:flagged].argmin()) if flagged else -1
    bar = flagged if flagged is not None else (span if span < count else None)
    new_peak = best >= 0 and level + held * head[best] >= peak0 - margin
    return LimitStops(best if new_peak else None, bar)


def _floor(peak: float, margin: float, risk: RiskState, settings: LimitSettings) -> float:
    """Return the highest equity at which the daily loss or the drawdown from peak may reach its limit."""
    floor, kept = -math.inf, 1 - float(settings.max_drawdown_pct) / 100
    if not risk.halted and peak > 0:      # no drawdown below a peak of 0 or less
        # a bound for any running peak up to peak: past 100% the floor falls as the peak rises, stays below 0
        floor = peak * kept + margin if kept >= 0 else margin
    if risk.daily_limit_day != risk.day:
        start = float(risk.day_start_equity)
        limit = start * float(settings.daily_loss_pct) / 100
        if limit > 0:
            floor = max(floor, start - limit + margin)
    return floor


def _near_limits(equity: np.ndarray, peak0: float, margin: float, risk: RiskState,
                 settings: LimitSettings) -> np.ndarray:
    """Return where the daily loss or the drawdown from the running peak may reach its limit (a few false ones)."""
    peaks = np.maximum.accumulate(np.maximum(equity, peak0))
    hit = equity <= _floor(-math.inf, margin, risk, settings)
    if not risk.halted:
        hit |= (peaks > 0) & (equity <= peaks * (1 - float(settings.max_drawdown_pct) / 100) + margin)
    return hit


def limits_inert(settings: LimitSettings, futures: bool) -> bool:
    """Return True when no equity mark can reach a limit, so the walk need not mark any between events.

    A spot account's equity (cash plus coins at a positive price) never reaches 0, and a daily loss or a
    drawdown of 100% or more needs it at 0 or below: with both limits there (NO_LIMITS, the EMA-cross
    yardstick) a mark only moves the limits' running figures, which nothing in a backtest reads.
    """
    return not futures and settings.daily_loss_pct >= 100 and settings.max_drawdown_pct >= 100


@lru_cache(maxsize=256)
def day_end_ms(day: str, timezone: str) -> int:
    """Return the epoch ms at which the local day after day (an ISO date) begins; -1 before any day."""
    if not day:
        return -1
    following = date.fromisoformat(day) + timedelta(days=1)
    if timezone == "UTC":
        return (following - EPOCH).days * DAY_MS
    return int(datetime.combine(following, time(0), tzinfo=ZoneInfo(timezone)).timestamp() * 1000)
