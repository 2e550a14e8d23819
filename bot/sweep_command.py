"""`trading-assistant sweep`: a parameter grid, every trial a full backtest scored out of sample only.

    trading-assistant sweep --strategy C --param sweep_lookback=8,12,16 --param rules_min_rr=1.5:3:0.5
        [--data PATH | --symbol BTC/USDT] [--from ..] [--to ..] [--in-days 30] [--out-days 10] [--top 5]
        [--workers N] [--chart PATH.png] [--json]

Trials run on a local process pool (SWEEP_WORKERS, default one per core) or, with SWEEP_CLUSTER set, on
that Dask cluster. Every trial's figures are written to DATA_DIR/sweeps/ as JSON.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from trading.domain.errors import ConfigurationError, TradingError

if TYPE_CHECKING:
    from trading.settings import Settings


def add_sweep_parser(sub: argparse._SubParsersAction) -> None:
    """Add `sweep` and its options to the CLI's subcommands."""
    p = sub.add_parser("sweep", help="sweep a strategy's parameters; trials scored out of sample, on this "
                                     "machine or a Dask cluster (SWEEP_CLUSTER)")
    p.add_argument("--strategy", required=True, help="A, B, C or trend")
    p.add_argument("--param", action="append", default=[], metavar="NAME=VALUES",
                   help="a,b,c or low:high:step; repeat for each parameter")
    p.add_argument("--data", type=Path, help="candle CSV(.gz) file")
    p.add_argument("--symbol", help="e.g. BTC/USDT; with --data, read from the file name by default")
    p.add_argument("--from", dest="start", metavar="YYYY-MM-DD")
    p.add_argument("--to", dest="end", metavar="YYYY-MM-DD")
    p.add_argument("--in-days", type=int, default=30, help="in-sample days of each fold (default 30)")
    p.add_argument("--out-days", type=int, default=10, help="out-of-sample days of each fold (default 10)")
    p.add_argument("--top", type=int, default=5, help="how many of the best trials to show (default 5)")
    p.add_argument("--workers", type=int, help="local processes (default SWEEP_WORKERS, 0 = one per core)")
    p.add_argument("--chart", type=Path, metavar="PATH.png", help="write the score surface there")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--funding", type=Path, help=argparse.SUPPRESS)
    p.add_argument("--timeframe", help=argparse.SUPPRESS)


def run_sweep_command(args: argparse.Namespace) -> int:
    """Run the sweep the arguments describe and print its best trials; return the exit code."""
    from trading.settings import load_settings

    try:
        settings = load_settings()
        name, space, history, instrument, period = asyncio.run(_load(args, settings))
        print(_run(args, settings, name, space, history, instrument, period))
    except (ConfigurationError, TradingError, ValueError, OSError) as exc:
        print(f"trading-assistant sweep: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("trading-assistant sweep: stopped", file=sys.stderr)
        return 130
    return 0


async def _load(args: argparse.Namespace, settings: Settings) -> tuple[str, dict, Any, Any, tuple]:
    """Return the strategy, the parameter space, the history, the market and the period to sweep."""
    from bot.backtest_command import _history
    from trading.adapters.clocks import WallClock
    from trading.adapters.replay_market_data import symbol_from_filename
    from trading.adapters.sqlite_store import SqliteStore
    from trading.backtest.periods import date_range
    from trading.backtest.strategy_specs import spec_named
    from trading.backtest.sweep import sweep_space

    name = spec_named(args.strategy).name
    space = sweep_space(name, args.param)
    if args.data is not None and not args.data.exists():
        raise ConfigurationError(f"no such data file: {args.data}")
    symbol = args.symbol or (symbol_from_filename(args.data) if args.data is not None else None)
    if not symbol:
        raise ValueError("say which market: --symbol BTC/USDT (or give --data PATH)")
    start_ms, end_ms = date_range(args.start, args.end)
    request = dict(strategy=name, symbol=symbol.upper(), timeframe=None, start_ms=start_ms, end_ms=end_ms)
    store = SqliteStore(settings.data_dir / "trading.sqlite", WallClock())
    await store.open()
    try:
        loaded, instrument = await _history(request, args, settings, store)
    finally:
        await store.close()
    return name, space, loaded.history, instrument, (start_ms, end_ms)


def _run(args: argparse.Namespace, settings: Settings, name: str, space: dict, history: Any, instrument: Any,
         period: tuple[int | None, int | None]) -> str:
    from decimal import Decimal

    from trading.backtest.config import BacktestConfig
    from trading.backtest.sweep import sweep_data, trials_of
    from trading.backtest.sweep_execution import run_sweep
    from trading.backtest.sweep_report import summarise, sweep_record, sweep_text
    from trading.services.engine_settings import engine_settings, rules_settings

    config = BacktestConfig(instrument, Decimal(settings.paper_starting_balance), engine_settings(settings),
                            rules_settings(settings))
    data = sweep_data(history, config, name, history.window(*period), args.in_days, args.out_days)
    trials = trials_of(space)
    started = time.perf_counter()
    results = run_sweep(data, trials, cluster=settings.sweep_cluster or None,
                        workers=args.workers if args.workers is not None else settings.sweep_workers or None,
                        progress=_progress)
    seconds = time.perf_counter() - started
    print(file=sys.stderr)
    summary = summarise(data, space, results)
    saved = _save(settings.data_dir, sweep_record(summary, args.top))
    if args.chart is not None:
        from trading.reports.sweep_chart import sweep_chart

        args.chart.write_bytes(sweep_chart(summary, settings.chart_theme))
    if args.json:
        return json.dumps(sweep_record(summary, args.top) | {"seconds": round(seconds, 3), "file": str(saved)},
                          allow_nan=False)
    from trading.backtest.search_region import next_region, region_arguments

    where = settings.sweep_cluster or "this machine"
    region, _ = next_region(summary)
    return (f"{sweep_text(summary, args.top)}\n\nNext region to search: {region_arguments(region)}\n\n"
            f"{len(trials)} trials on {where} in {seconds:.1f} s "
            f"({len(trials) / max(seconds, 1e-9):.1f} a second); all trials written to {saved}"
            + (f"\nChart written to {args.chart}" if args.chart is not None else ""))


def _progress(done: int, total: int) -> None:
    print(f"\rtrial {done}/{total}", end="", file=sys.stderr, flush=True)


def _save(data_dir: Path, record: dict[str, Any]) -> Path:
    """Write the sweep's record to DATA_DIR/sweeps/ and return its path."""
    folder = data_dir / "sweeps"
    folder.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
    path = folder / f"sweep-{record['strategy']}-{stamp}-{time.perf_counter_ns() % 1_000_000:06d}.json"
    path.write_text(json.dumps(record, allow_nan=False))
    return path
