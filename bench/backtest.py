"""Benchmark the backtests: one JSON line per run with bars, trades, return, seconds and peak memory.

Usage: python3 bench/backtest.py [--data DIR] [--repeat N]

`seconds` times the backtest alone (data loaded beforehand), as the best of --repeat runs so that a
cold cache or a scheduler hiccup does not count. Runs: `ema_cross_engine`, the EMA-cross yardstick (the
ema_cross strategy through the engine: scan, rules decider, all-in sizing without stops, the paper broker
with tick and lot rounding) over the real BTCUSDT 1m file, and over a chained year of it; the trend
strategy and strategy A over the chained year (scan plus the event-driven simulation through the
trading engine and the paper broker), with the default risk settings and, as `_no_halt`, with the
account limits off so the whole year is traded (the default 20% drawdown halt stops these strategies
early); and `backtest_command_*`, the whole `trading-assistant
backtest` command as a fresh process, start to finish (imports, CSV, scan, simulation, storing the run).
"""
from __future__ import annotations

import argparse
import json
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from trading.adapters.replay_market_data import replay_instrument  # noqa: E402
from trading.backtest.chained_history import chained_year  # noqa: E402
from trading.backtest.config import NO_LIMITS, BacktestConfig  # noqa: E402
from trading.backtest.history import history_from_candles  # noqa: E402
from trading.backtest.runner import backtest  # noqa: E402
from trading.domain.candles import Candles  # noqa: E402
from trading.engine.engine_state import EngineSettings  # noqa: E402
from trading.risk.limits import LimitSettings  # noqa: E402

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
Backtest = Callable[[Candles], tuple[int, float]]


def strategy_run(name: str, limits: LimitSettings = LimitSettings()) -> Backtest:
    """Return a run of one strategy on BTC/USDT spot: the scan and the simulation, as `backtest` does them."""
    def run(candles: Candles) -> tuple[int, float]:
        """Backtest the strategy over candles; return its trade count and return in percent."""
        config = BacktestConfig(replay_instrument("BTC/USDT", float(candles.close[0])), engine=EngineSettings(
            limits=limits))
        result = backtest(history_from_candles("BTC/USDT", candles), name, config)
        return result.metrics.trades, result.metrics.total_return_pct
    return run


def command_line(data: Path, strategy: str) -> dict:
    """Return the benchmark line of the whole backtest command run as a fresh process (best of two)."""
    repo = Path(__file__).resolve().parents[1]
    best, peak_kb = float("inf"), 0
    with tempfile.TemporaryDirectory() as folder:
        env = {"DATA_DIR": folder, "PATH": "/usr/bin:/bin", "PYTHONPATH": str(repo)}
        for _ in range(2):
            started = time.perf_counter()
            done = subprocess.run(["/usr/bin/time", "-f", "%M", sys.executable, "-m", "bot.backtest_command",
                                   "--strategy", strategy, "--data", str(data)],
                                  cwd=folder, env=env, check=True, capture_output=True, text=True)
            best = min(best, time.perf_counter() - started)
            peak_kb = max(peak_kb, int(done.stderr.strip().splitlines()[-1]))
        with sqlite3.connect(Path(folder) / "trading.sqlite") as db:
            stored = json.loads(db.execute("SELECT metrics_json FROM backtests ORDER BY id DESC").fetchone()[0])
    bars = len(pd.read_csv(data, usecols=["timestamp_ms"]))
    return {"name": f"backtest_command_{strategy}", "bars": bars, "trades": stored["trades"],
            "return_pct": round(stored["total_return_pct"], 2), "seconds": round(best, 4),
            "peak_rss_mb": round(peak_kb / 1024, 1)}


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
        ("ema_cross_engine", strategy_run("ema_cross"), real),
        ("ema_cross_engine_chained_year", strategy_run("ema_cross"), year),
        ("trend_chained_year", strategy_run("trend"), year),
        ("A_chained_year", strategy_run("A"), year),
        ("trend_chained_year_no_halt", strategy_run("trend", NO_LIMITS), year),
        ("A_chained_year_no_halt", strategy_run("A", NO_LIMITS), year),
    ]
    for name, run, candles in runs:
        print(json.dumps(measure(name, run, candles, args.repeat)), flush=True)
    for strategy in ("trend", "A"):
        print(json.dumps(command_line(args.data / "BTCUSDT-1m.csv.gz", strategy)), flush=True)


if __name__ == "__main__":
    main()
