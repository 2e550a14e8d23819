"""Benchmark the backtests: one JSON line per run with bars, trades, return, seconds and peak memory.

Usage: python3 bench/backtest.py [--data DIR] [--repeat N]

`seconds` times the backtest alone (data loaded beforehand), as the best of --repeat runs so that a
cold cache or a scheduler hiccup does not count. Runs so far: the EMA-cross yardstick over the real
BTCUSDT 1m file and over a chained year of it. Strategy A and the trend strategy over the chained year
join RUNS once the event runner exists: each run is a function (candles) -> (trades, return_pct).
"""
from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path
from typing import Callable

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from trading.backtest.chained_history import chained_year  # noqa: E402
from trading.backtest.ema_cross import ema_cross  # noqa: E402
from trading.domain.candles import Candles  # noqa: E402

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
Backtest = Callable[[Candles], tuple[int, float]]


def run_ema_cross(candles: Candles) -> tuple[int, float]:
    """Run the EMA(12)/EMA(26) yardstick; return its trade count and return in percent."""
    result = ema_cross(candles)
    return result.trades, result.total_return * 100


def peak_rss_mb() -> float:
    """Return this process's peak resident memory in MB (Linux reports kB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(name: str, backtest: Backtest, candles: Candles, repeat: int) -> dict:
    """Return the benchmark line of one backtest: best wall time over repeat runs."""
    best, outcome = float("inf"), (0, 0.0)
    for _ in range(repeat):
        start = time.perf_counter()
        outcome = backtest(candles)
        best = min(best, time.perf_counter() - start)
    trades, return_pct = outcome
    return {"name": name, "bars": len(candles), "trades": trades, "return_pct": round(return_pct, 2),
            "seconds": round(best, 4), "peak_rss_mb": round(peak_rss_mb(), 1)}


def main() -> None:
    """Load the data, then time each run and print its JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder holding BTCUSDT-1m.csv.gz")
    parser.add_argument("--repeat", type=int, default=3, help="runs per backtest; the best is reported")
    args = parser.parse_args()
    real = Candles.from_frame(pd.read_csv(args.data / "BTCUSDT-1m.csv.gz"))
    year = chained_year(real)
    runs: list[tuple[str, Backtest, Candles]] = [
        ("ema_cross", run_ema_cross, real),
        ("ema_cross_chained_year", run_ema_cross, year),
    ]
    for name, backtest, candles in runs:
        print(json.dumps(measure(name, backtest, candles, args.repeat)), flush=True)


if __name__ == "__main__":
    main()
