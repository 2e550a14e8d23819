"""How much history a strategy needs before it can trade, and what to say when the data falls short.

A strategy declares it (warm_up_days and warm_up_reason; the trend strategy's daily EMA200 regime needs
201 daily closes). The backtest always scans the whole history it is given, so the bars before --from
warm the indicators up; this only tells the user when that is not enough, instead of a bare
"Signals 0, trades 0", with how much history it needs and where the data would have to start.
"""
from __future__ import annotations

import numpy as np

from trading.backtest.history import MarketHistory
from trading.backtest.metrics import DAY_MS
from trading.backtest.strategy_specs import Params, spec_named


def _day(ms: int) -> str:
    return str(np.datetime64(int(ms), "ms").astype("datetime64[D]"))


def warm_up_note(strategy: str, history: MarketHistory, window: tuple[int, int], params: Params | None = None) -> str:
    """Return why the strategy cannot trade all of window on this history ('' when it can)."""
    built = spec_named(strategy).strategy(params)
    days = int(getattr(built, "warm_up_days", 0))
    if days <= 0:
        return ""
    open_ms, first, end = history.candles.open_ms, window[0], window[1]
    ready_ms = int(open_ms[0]) + days * DAY_MS
    if ready_ms <= int(open_ms[first]):
        return ""
    name, reason = spec_named(strategy).name, str(getattr(built, "warm_up_reason", "its indicators need it"))
    last_ms = int(open_ms[end - 1]) + history.timeframe.ms
    held = (last_ms - int(open_ms[0])) / DAY_MS
    start_by = _day(int(open_ms[first]) - days * DAY_MS)
    if ready_ms >= last_ms:
        return (f"{name} cannot trade this data: {reason}, and the data holds {held:.0f} days "
                f"({_day(int(open_ms[0]))} to {_day(last_ms - 1)}). Give it a file whose candles start by {start_by}, "
                f"{days} days before the period.")
    return (f"{name} can trade only from {_day(ready_ms)}: {reason}, and the data starts "
            f"{_day(int(open_ms[0]))}. For the whole period give it history from {start_by} on.")
