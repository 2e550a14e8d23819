"""`trading-assistant evaluate`: each strategy's out-of-sample record against random entries and buy and hold.

    trading-assistant evaluate [--strategy A|B|C|trend|all] [--symbols BTC/USDT,ETH/USDT] [--data PATH ...]
        [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--in-days 30] [--out-days 10] [--runs 200] [--seed 0]
        [--chart PATH.png] [--json]

Prints one report per strategy and market (or with --json one JSON object per line) and stores each
out-of-sample record as a run in the database.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from trading.domain.errors import ConfigurationError

if TYPE_CHECKING:
    from trading.backtest.evaluation import Evaluation
    from trading.settings import Settings


def add_evaluate_parser(sub: argparse._SubParsersAction) -> None:
    """Add `evaluate` and its options to the CLI's subcommands."""
    p = sub.add_parser("evaluate", help="walk-forward out-of-sample record of a strategy against random "
                                        "entries and buy and hold, with the statistics that say if it is real")
    p.add_argument("--strategy", default="all", help="A, B, C, trend, or all of them (default)")
    p.add_argument("--symbols", help="comma-separated, e.g. BTC/USDT,ETH/USDT; with --data, read from the file names")
    p.add_argument("--data", type=Path, action="append", help="candle CSV(.gz); repeat for several markets")
    p.add_argument("--from", dest="start", metavar="YYYY-MM-DD", help="first day (UTC); default: all the data")
    p.add_argument("--to", dest="end", metavar="YYYY-MM-DD", help="last day, included (UTC)")
    p.add_argument("--in-days", type=int, default=30, help="in-sample days of each fold (default 30)")
    p.add_argument("--out-days", type=int, default=10, help="out-of-sample days of each fold (default 10)")
    p.add_argument("--runs", type=int, default=200, help="random-entry runs (default 200)")
    p.add_argument("--seed", type=int, default=0, help="seed of the random entries and the bootstrap")
    p.add_argument("--chart", type=Path, metavar="PATH.png", help="write the report chart there (one strategy "
                                                                   "and market; several get a suffix each)")
    p.add_argument("--json", action="store_true", help="print one JSON object per strategy and market")
    p.add_argument("--funding", type=Path, help=argparse.SUPPRESS)
    p.add_argument("--timeframe", help=argparse.SUPPRESS)


def run_evaluate(args: argparse.Namespace, settings: Settings | None = None) -> int:
    """Run the evaluations the arguments describe, print and store them; return the exit code.

    settings: those the caller already read, else they are read here.
    """
    from trading.settings import load_settings

    try:
        _check(args)
        settings = settings if settings is not None else load_settings()
        for text in asyncio.run(_evaluations(args, settings)):
            print(text)
    except (ConfigurationError, ValueError, OSError) as exc:
        print(f"trading-assistant evaluate: {exc}", file=sys.stderr)
        return 2
    return 0


def _check(args: argparse.Namespace) -> None:
    if not 1 <= args.runs <= 10_000:
        raise ValueError(f"--runs takes 1 to 10000 runs, not {args.runs}")
    if args.in_days < 1 or args.out_days < 1:
        raise ValueError("--in-days and --out-days take at least 1 day each")
    for path in args.data or []:
        if not path.exists():
            raise ConfigurationError(f"no such data file: {path}")
    if not args.data and not args.symbols:
        raise ValueError("say which markets: --symbols BTC/USDT (or give --data PATH)")


def _names(strategy: str) -> list[str]:
    from trading.backtest.strategy_specs import TRADED_NAMES, spec_named

    return list(TRADED_NAMES) if strategy.strip().lower() == "all" else [spec_named(strategy).name]


async def _evaluations(args: argparse.Namespace, settings: Settings) -> list[str]:
    from trading.adapters.clocks import WallClock
    from trading.adapters.sqlite_store import SqliteStore

    names, markets, out = _names(args.strategy), _markets(args), []
    several = len(names) * len(markets) > 1
    store = SqliteStore(settings.data_dir / "trading.sqlite", WallClock())
    await store.open()
    try:
        for market_args, symbol in markets:
            for name in names:
                out.append(await _one(name, symbol, market_args, settings, store, several))
    finally:
        await store.close()
    return out


def _markets(args: argparse.Namespace) -> list[tuple[argparse.Namespace, str]]:
    """Return (arguments for one market, its symbol) for each --data file, or each of --symbols."""
    from trading.adapters.replay_market_data import symbol_from_filename

    if args.data:
        symbols = (args.symbols or "").split(",") if args.symbols else []
        return [(replace_data(args, path), (symbols[k] if k < len(symbols) else symbol_from_filename(path) or "")
                 .strip().upper()) for k, path in enumerate(args.data)]
    return [(replace_data(args, None), s.strip().upper()) for s in args.symbols.split(",") if s.strip()]


def replace_data(args: argparse.Namespace, path: Path | None) -> argparse.Namespace:
    """Return a copy of args reading one data file (or none)."""
    copy = argparse.Namespace(**vars(args))
    copy.data = path
    return copy


async def _one(name: str, symbol: str, args: argparse.Namespace, settings: Settings, store: Any,
               suffix_chart: bool) -> str:
    """Evaluate one strategy on one market, store the record, write the chart; return what to print."""
    from bot.backtest_command import _history
    from trading.backtest.periods import date_range
    from trading.backtest.warm_up import warm_up_note

    start_ms, end_ms = date_range(args.start, args.end)
    request = dict(strategy=name, symbol=symbol, timeframe=None, start_ms=start_ms, end_ms=end_ms)
    loaded, instrument = await _history(request, args, settings, store)
    window = loaded.history.window(start_ms, end_ms)
    cannot = warm_up_note(name, loaded.history, window)
    if cannot.startswith(f"{name} cannot trade"):
        return json.dumps({"strategy": name, "symbol": symbol, "error": cannot}) if args.json else cannot
    evaluation = _evaluate(name, loaded.history, instrument, settings, window, args)
    run_id = await _store(evaluation, loaded.source, store, settings)
    chart = _write_chart(evaluation, args, suffix_chart, settings.chart_theme)
    if args.json:
        from trading.backtest.evaluation_report import evaluation_record

        return json.dumps(evaluation_record(evaluation) | {"run_id": run_id, "source": loaded.source,
                                                           "chart": str(chart) if chart else None},
                          allow_nan=False)
    from trading.backtest.evaluation_report import evaluation_text

    tail = f"\nChart written to {chart}" if chart else ""
    return f"{evaluation_text(evaluation)}{tail}\nStored as run #{run_id}.\n"


def _evaluate(name: str, history: Any, instrument: Any, settings: Settings, window: tuple[int, int],
              args: argparse.Namespace) -> Evaluation:
    from decimal import Decimal

    from trading.backtest.config import BacktestConfig
    from trading.backtest.evaluation import evaluate
    from trading.services.engine_settings import engine_settings, rules_settings

    config = BacktestConfig(instrument, Decimal(settings.paper_starting_balance), engine_settings(settings),
                            rules_settings(settings))
    return evaluate(history, name, config, window, in_days=args.in_days, out_days=args.out_days, runs=args.runs,
                    seed=args.seed)


async def _store(evaluation: Evaluation, source: str, store: Any, settings: Settings) -> int:
    from trading.adapters.clocks import WallClock
    from trading.adapters.sqlite_backtests import BacktestArchive, StoredBacktest
    from trading.backtest.evaluation_report import out_of_sample_metrics

    metrics = out_of_sample_metrics(evaluation, float(settings.paper_starting_balance))
    timeframe = evaluation.study.report.out_of_sample[0].timeframe.value
    stored = StoredBacktest(WallClock().now_ms(), evaluation.strategy, evaluation.symbol, timeframe,
                            f"evaluate, out of sample ({source})", metrics, {})
    return await BacktestArchive(store).save(stored)


def _write_chart(evaluation: Evaluation, args: argparse.Namespace, suffix: bool, theme: str) -> Path | None:
    if args.chart is None:
        return None
    from trading.reports.evaluation_chart import evaluation_chart

    path = args.chart
    if suffix:
        tag = f"{evaluation.strategy}-{evaluation.symbol.replace('/', '').replace(':', '')}"
        path = path.with_name(f"{path.stem}-{tag}{path.suffix}")
    path.write_bytes(evaluation_chart(evaluation, theme))
    return path
