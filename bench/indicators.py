"""Benchmark the indicators and the four strategies: seconds per component, one JSON line per data set.

Usage: python3 bench/indicators.py [--data DIR] [--repeat N]

Data sets: the real BTCUSDT 1m file (130,708 bars) and a year of 1m (525,600 bars) chained from it.
The pipeline runs --repeat times, each on a fresh analysis, timing every component in order (resampling
and ICT snapshots are memoised, so a strategy's time excludes the indicators it shares); each figure is
the best of the runs, `total` the best whole run. Target: `total` under 2 s for the year on 2 cores.
The trend strategy finds nothing on the real file alone: its daily EMA200 regime needs 200 closed days.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Callable

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from trading.backtest.chained_history import chained_year  # noqa: E402
from trading.domain.candles import Candles, Timeframe  # noqa: E402
from trading.indicators.classic import atr, ema, rsi  # noqa: E402
from trading.indicators.regime import regime_for  # noqa: E402
from trading.strategies.base import MarketView  # noqa: E402
from trading.strategies.book import default_book  # noqa: E402
from trading.strategies.market_analysis import MarketAnalysis  # noqa: E402

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
M1, M15, H1, D1 = Timeframe.M1, Timeframe.M15, Timeframe.H1, Timeframe.D1


def components(a: MarketAnalysis) -> list[tuple[str, Callable[[], object]]]:
    """Return the pipeline's steps in order: resampling, classic, regime, ICT per timeframe, strategies."""
    book = default_book()
    steps: list[tuple[str, Callable[[], object]]] = [
        ("resample_15m_1h_1d", lambda: [a.candles(tf) for tf in (M15, H1, D1)]),
        ("classic_1m_ema200_rsi14_atr14", lambda: (ema(a.candles(M1).close, 200), rsi(a.candles(M1).close),
                                                   atr(a.candles(M1)))),
        ("regime_daily_ema200_on_1m", lambda: regime_for(a.candles(D1), a.candles(M1).open_ms, M1)),
    ]
    steps += [(f"ict_{tf.value}", lambda tf=tf: a.ict(tf)) for tf in (M1, M15, H1)]
    steps += [(f"strategy_{name}", lambda name=name: book._strategies[name].scan_analysis(a))
              for name in book.names]
    return steps


def run(candles: Candles, repeat: int) -> dict[str, object]:
    """Run the pipeline repeat times on fresh analyses; return each component's and the total's best time."""
    view = MarketView("BTC/USDT", {M1: candles})
    best: dict[str, float] = {}
    signals: dict[str, int] = {}
    for _ in range(repeat):
        total = 0.0
        for name, step in components(MarketAnalysis(view)):
            start = time.perf_counter()
            out = step()
            elapsed = time.perf_counter() - start
            total += elapsed
            best[name] = min(best.get(name, elapsed), elapsed)
            if name.startswith("strategy_"):
                signals[name.removeprefix("strategy_")] = len(out)  # type: ignore[arg-type]
        best["total"] = min(best.get("total", total), total)
    return {"bars": len(candles), **{k: round(v, 4) for k, v in best.items()}, "signals": signals}


def main() -> None:
    """Print one JSON line for the real file and one for the chained year."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    real = Candles.from_frame(pd.read_csv(args.data / "BTCUSDT-1m.csv.gz"))
    for label, candles in (("real_1m", real), ("chained_year_1m", chained_year(real))):
        print(json.dumps({"data": label, **run(candles, args.repeat)}), flush=True)


if __name__ == "__main__":
    main()
