"""Export what the ICT indicators see to one CSV per concept, for spreadsheets, notebooks and cross-checks.

Every row is one event: `time` is the UTC open time of its bar (`index`), and every other bar-number
column (known_at, each state change, referenced bars) is followed by a `<column>_time` column with that
bar's open time. An event is known at the close of its known_at bar; -1 means "has not happened".
Nothing in a row is later than its known_at, but for the state columns, which carry their own bars: a
liquidity level is written once per change (formed, then each member joining, which moves its mean),
each row as the level stood then. Prices are on the market's tick.
"""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd

from trading.adapters.replay_market_data import replay_tick
from trading.domain.candles import Candles, Timeframe
from trading.indicators.ict import EventTable, ICTParams, ICTSnapshot, compute_ict
from trading.indicators.timeframes import resample

ISO_UTC = "%Y-%m-%dT%H:%M:%SZ"
EXTRA_BAR_COLUMNS = ("ref_index", "leg_index", "level_index", "expires")


def export_indicators(path: Path, timeframe: Timeframe, left: int, right: int, out_dir: Path) -> list[Path]:
    """Compute the ICT indicators on a candle CSV(.gz) at timeframe and write one CSV per concept."""
    candles = load_timeframe(path, timeframe)
    snapshot = compute_ict(candles, ICTParams(left=left, right=right))
    tick = replay_tick(float(candles.close[-1])) if len(candles) else None
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for concept, table in concept_tables(snapshot).items():
        target = out_dir / f"{concept}.csv"
        event_frame(table, candles.open_ms, tick).to_csv(target, index=False)
        written.append(target)
    return written


def load_timeframe(path: Path, timeframe: Timeframe) -> Candles:
    """Read a timestamp_ms,open,high,low,close,volume CSV(.gz), resampled to timeframe when finer."""
    candles = Candles.from_frame(pd.read_csv(path))
    if len(candles) < 2:
        return candles
    step = int(np.median(np.diff(candles.open_ms)))
    if step > timeframe.ms:
        raise ValueError(f"{path.name} holds {step // 60_000}m candles, coarser than {timeframe.value}")
    return candles if step == timeframe.ms else resample(candles, timeframe)


def concept_tables(snapshot: ICTSnapshot) -> dict[str, EventTable]:
    """Return the exported tables of a snapshot by concept name."""
    return {
        "swings": snapshot.swings,
        "structure_breaks": snapshot.breaks,
        "fvgs": snapshot.fvgs,
        "order_blocks": snapshot.order_blocks,
        "breakers": snapshot.breakers,
        "liquidity_levels": snapshot.liquidity.level_changes(),
        "sweeps": snapshot.liquidity.sweeps,
        "period_levels": snapshot.liquidity.periods,
    }


def event_frame(table: EventTable, open_ms: np.ndarray, tick: Decimal | None = None) -> pd.DataFrame:
    """Return a table as a frame with the open time of its bar first, a time beside each bar column, and
    its prices (every float column) on tick."""
    bar_columns = {"index", "known_at", *type(table).STATE_COLUMNS, *EXTRA_BAR_COLUMNS}
    out: dict[str, object] = {"time": bar_times(open_ms, table.index)}  # type: ignore[attr-defined]
    for name, values in table.columns().items():
        out[name] = on_tick(values, tick) if values.dtype.kind == "f" and tick is not None else values
        if name in bar_columns and name != "index":
            out[f"{name}_time"] = bar_times(open_ms, values)
    return pd.DataFrame(out)


def on_tick(prices: np.ndarray, tick: Decimal) -> np.ndarray:
    """Return float prices rounded to the nearest multiple of tick (half to even), as floats."""
    step = float(tick)
    places = max(0, -int(tick.normalize().as_tuple().exponent))
    return np.round(np.round(prices / step) * step, places)


def bar_times(open_ms: np.ndarray, bars: np.ndarray) -> np.ndarray:
    """Return the ISO UTC open time of each bar number ("" for -1)."""
    happened = bars >= 0
    out = np.full(bars.shape[0], "", dtype=object)
    if happened.any():
        stamps = pd.to_datetime(open_ms[bars[happened]], unit="ms", utc=True)
        out[happened] = stamps.strftime(ISO_UTC).to_numpy()
    return out
