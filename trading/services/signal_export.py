"""Export of the strategies' signals over a candle file, beside the indicator CSVs."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd

from trading.adapters.replay_market_data import read_candle_csv, replay_instrument, symbol_from_filename
from trading.domain.candles import Timeframe
from trading.strategies.base import MarketView
from trading.strategies.book import default_book


def export_signals(path: Path, out_dir: Path) -> Path:
    """Scan a candle CSV(.gz) with every strategy and write signals.csv (one row per signal, prices on tick)."""
    candles = read_candle_csv(path)
    step = int(np.median(np.diff(candles.open_ms))) if len(candles) > 1 else Timeframe.M1.ms
    timeframe = next((tf for tf in Timeframe if tf.ms == step), None)
    if timeframe is None:
        raise ValueError(f"{path.name}: candles {step // 60_000} minutes apart are not a supported timeframe")
    symbol = symbol_from_filename(path)
    view = MarketView(symbol, {timeframe: candles})
    instrument = replay_instrument(symbol, float(candles.close[-1]))     # the file's tick, as the replay trades it
    rows = [{
        "known_at": pd.Timestamp(s.known_at_ms, unit="ms", tz="UTC").isoformat(), "known_at_ms": s.known_at_ms,
        "strategy": s.strategy, "symbol": s.symbol, "side": s.side.value, "timeframe": s.timeframe,
        "entry": str(s.entry), "stop": _text(s.stop), "take_profit": _text(s.take_profit),
        "reward_risk": "" if s.reward_risk is None else f"{s.reward_risk:.2f}", "confidence": s.confidence,
        "reason": s.reason, "setup_id": s.setup_id}
        for s in (found.on_tick(instrument) for found in default_book().scan(view))]
    target = out_dir / "signals.csv"
    out_dir.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(rows, columns=["known_at", "known_at_ms", "strategy", "symbol", "side", "timeframe", "entry", "stop",
                                "take_profit", "reward_risk", "confidence", "reason", "setup_id"]).to_csv(target,
                                                                                                       index=False)
    return target


def _text(value: Decimal | None) -> str:
    return "" if value is None else str(value)
