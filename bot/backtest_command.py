"""`trading-assistant backtest`: backtest a strategy from a candle file, the candle cache or the exchange.

    trading-assistant backtest --strategy A --symbol BTC/USDT [--from 2025-06-01] [--to 2025-07-31]
        [--data PATH] [--timeframe 1m] [--compare] [--walk-forward] [--monte-carlo] [--chart PATH.png]
        [--trades PATH.csv] [--json] [--baseline random [--runs 200] [--seed S]]
    trading-assistant backtest --decider llm --symbol BTC/USDT [--data PATH] [--from ..] [--to ..] [--llm-cache-only]
        [--export-llm-cache FILE.jsonl] [--import-llm-cache FILE.jsonl]
    trading-assistant backtest --list

Prints the metrics table (and the studies asked for), or with --json one JSON object; stores the run in the
database and lists recent runs.
"""
from __future__ import annotations

import argparse
import asyncio
import csv
import json
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.start_up import hold_collector, started
from trading.domain.errors import ConfigurationError

if TYPE_CHECKING:
    from trading.adapters.sqlite_store import SqliteStore
    from trading.backtest.jobs import BacktestJob, BacktestOutcome
    from trading.domain.candles import Candles, Timeframe
    from trading.domain.instruments import Instrument
    from trading.ports import MarketData
    from trading.services.backtest_data import LoadedHistory
    from trading.settings import Settings

RECENT_LISTED = 10
PARSED_CANDLES = "parsed-candles"     # in DATA_DIR: the candle files' parsed copies, found by their content


def add_backtest_parser(sub: argparse._SubParsersAction) -> None:
    """Add `backtest` and its options to the CLI's subcommands."""
    p = sub.add_parser("backtest", help="backtest a strategy on candles from a file, the cache or the exchange")
    add_backtest_arguments(p)


def add_backtest_arguments(p: argparse.ArgumentParser) -> None:
    """Add the backtest options to a parser."""
    p.add_argument("--strategy", help="A, B, C, trend or ema_cross (the EMA-cross yardstick)")
    p.add_argument("--symbol", help="e.g. BTC/USDT, or BTC/USDT:USDT for the perpetual (leverage, funding); "
                                    "with --data, read from the file name by default")
    p.add_argument("--from", dest="start", metavar="YYYY-MM-DD", help="first day (UTC); default: all the data")
    p.add_argument("--to", dest="end", metavar="YYYY-MM-DD", help="last day, included (UTC)")
    p.add_argument("--data", type=Path, help="timestamp_ms,open,high,low,close,volume CSV(.gz) file")
    p.add_argument("--funding", type=Path, help="timestamp_ms,funding_rate CSV(.gz) for a perpetual")
    p.add_argument("--timeframe", help="bars to walk (default: the file's own, else the strategy's finest); "
                                       "1m data walked on coarser bars resolves them minute by minute")
    p.add_argument("--compare", action="store_true", help="also run A, B, C and trend side by side")
    p.add_argument("--walk-forward", action="store_true", help="walk-forward over a small grid, out-of-sample")
    p.add_argument("--monte-carlo", action="store_true", help="bootstrap the trades: drawdown and final equity")
    p.add_argument("--baseline", choices=("random",), help="random: the strategy's entries moved to random days, "
                                                           "run --runs times with the same distances, costs, exits")
    p.add_argument("--runs", type=_runs, default=200, help="random-baseline runs (default 200)")
    p.add_argument("--seed", type=int, default=0, help="random-baseline seed (default 0): same seed, same runs")
    p.add_argument("--chart", type=Path, metavar="PATH.png", help="write the report chart there")
    p.add_argument("--trades", type=Path, metavar="PATH.csv", help="write the trade list there")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of the text report")
    p.add_argument("--list", action="store_true", help="list the recent runs stored in the database")
    p.add_argument("--decider", choices=("rules", "llm"), default="rules",
                   help="rules (a strategy's signals, vectorised) or llm (the LLM decides on every candle, "
                        "replies cached so a rerun is identical and offline)")
    p.add_argument("--llm-cache-only", action="store_true", help="with --decider llm: never call the LLM; "
                                                                 "hold where the cache has no reply")
    p.add_argument("--export-llm-cache", type=Path, metavar="FILE.jsonl", help="write the LLM reply cache there")
    p.add_argument("--import-llm-cache", type=Path, metavar="FILE.jsonl", help="read replies into the cache first")


def run_backtest(args: argparse.Namespace, settings: Settings | None = None) -> int:
    """Run the backtest the arguments describe, print it and store it; return the exit code.

    settings: those the caller already read, else they are read here.
    """
    from trading.settings import load_settings

    try:
        settings = settings if settings is not None else load_settings()
        if args.list:
            print(asyncio.run(_recent(settings.data_dir)))
            return 0
        if args.decider == "llm" or args.export_llm_cache or args.import_llm_cache:
            from bot.llm_backtest_command import run_llm_backtest

            started()        # a replayed loop runs long: the collector runs from its start
            print(asyncio.run(run_llm_backtest(args, settings)))
            return 0
        request = _request(args)
        outcome, run_id, instrument = asyncio.run(_run(request, args, settings))
        _write_files(args, outcome, instrument)
    except (ConfigurationError, ValueError, OSError) as exc:
        print(f"trading-assistant backtest: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(_json_record(args, outcome, run_id), allow_nan=False))
        return 0
    print(outcome.text)
    for path, what in ((args.chart if outcome.chart is not None else None, "Chart"), (args.trades, "Trade list")):
        if path is not None:
            print(f"\n{what} written to {path}")
    saved = f"stored as run #{run_id}" if run_id else "not stored"
    print(f"\nBacktest took {outcome.seconds:.2f} s; {saved}.")
    return 0


def _write_files(args: argparse.Namespace, outcome: BacktestOutcome, instrument: Instrument) -> None:
    """Write the chart and the trade list where the arguments ask."""
    if args.chart is not None and outcome.chart is not None:
        args.chart.write_bytes(outcome.chart)
    if args.trades is not None:
        from trading.backtest.result_export import TRADE_COLUMNS, trade_rows

        with args.trades.open("w", newline="") as out:
            writer = csv.DictWriter(out, fieldnames=TRADE_COLUMNS)
            writer.writeheader()
            writer.writerows(trade_rows(outcome.result.trades, instrument, outcome.result.strategy))


def _json_record(args: argparse.Namespace, outcome: BacktestOutcome, run_id: int) -> dict[str, Any]:
    """Return the --json object: the run's record, where it was stored and which files were written."""
    from trading.backtest.result_export import run_record

    files = {"chart": str(args.chart) if args.chart is not None and outcome.chart is not None else None,
             "trades_file": str(args.trades) if args.trades is not None else None}
    return run_record(outcome.result, outcome.source, comparison=outcome.comparison,
                      walk_forward=outcome.walk_forward, monte_carlo=outcome.monte_carlo, baseline=outcome.baseline,
                      extra={"run_id": run_id or None, "seconds": round(outcome.seconds, 3),
                             "period_note": outcome.period_note or None,
                             "warm_up_note": outcome.warm_up_note or None} | files)


def _runs(text: str) -> int:
    """Return a count of baseline runs from 1 to 10,000, or raise a clear error."""
    try:
        runs = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--runs takes a whole number like 200, not {text!r}") from None
    if not 1 <= runs <= 10_000:
        raise argparse.ArgumentTypeError(f"--runs takes 1 to 10000 runs, not {runs}")
    return runs


def _request(args: argparse.Namespace) -> dict[str, Any]:
    """Return the checked arguments: strategy, symbol, timeframe and period."""
    from trading.adapters.replay_market_data import symbol_from_filename
    from trading.backtest.periods import date_range
    from trading.backtest.strategy_specs import spec_named
    from trading.domain.candles import Timeframe

    if not args.strategy:
        raise ValueError("say which strategy: --strategy A, B, C, trend or ema_cross")
    strategy = spec_named(args.strategy).name
    if args.data is not None and not args.data.exists():
        raise ConfigurationError(f"no such data file: {args.data}")
    symbol = args.symbol or (symbol_from_filename(args.data) if args.data is not None else None)
    if not symbol:
        raise ValueError("say which market: --symbol BTC/USDT (or give --data PATH)")
    timeframe = Timeframe.parse(args.timeframe) if args.timeframe else None
    start_ms, end_ms = date_range(args.start, args.end)
    return dict(strategy=strategy, symbol=symbol.upper(), timeframe=timeframe, start_ms=start_ms, end_ms=end_ms)


async def _run(request: dict[str, Any], args: argparse.Namespace, settings: Settings
               ) -> tuple[BacktestOutcome, int, Instrument]:
    from trading.adapters.clocks import WallClock
    from trading.adapters.sqlite_backtests import BacktestArchive
    from trading.adapters.sqlite_store import SqliteStore
    from trading.backtest.jobs import run_backtest_job

    store = SqliteStore(settings.data_dir / "trading.sqlite", WallClock())
    await store.open()
    try:
        loaded, instrument = await _history(request, args, settings, store)
        job = _job(request, args, settings, loaded, instrument)
        started()            # what the run needs is loaded: the collector skips it from here on
        outcome = run_backtest_job(job)
        run_id = await BacktestArchive(store).save(_stored(outcome, WallClock().now_ms()))
        return outcome, run_id, instrument
    finally:
        await store.close()


async def _history(request: dict[str, Any], args: argparse.Namespace, settings: Settings, store: SqliteStore
                   ) -> tuple[LoadedHistory, Instrument]:
    """Return the loaded history and the market's rules (the exchange's when it was asked)."""
    from trading.adapters.clocks import WallClock
    from trading.adapters.replay_market_data import replay_instrument
    from trading.services.backtest_data import history_from_file, history_from_store

    symbol = request["symbol"]
    if args.data is not None:
        loaded = history_from_file(args.data, symbol, request["timeframe"], args.funding,
                                   settings.data_dir / PARSED_CANDLES)
        return loaded, replay_instrument(symbol, float(loaded.history.candles.close[0]))
    started()                # a download may take long: the collector runs from here
    market = _ExchangeOnDemand(settings, store)
    try:
        loaded = await history_from_store(symbol, request["strategy"], request["timeframe"], request["start_ms"],
                                          request["end_ms"], WallClock().now_ms(), cache=store, market=market,
                                          exchange=f"exchange {settings.exchange}")
        instrument = await market.instrument_or_none(symbol)
    finally:
        await market.close()
    return loaded, instrument or replay_instrument(symbol, float(loaded.history.candles.close[0]))


def _job(request: dict[str, Any], args: argparse.Namespace, settings: Settings, loaded: LoadedHistory,
         instrument: Instrument) -> BacktestJob:
    from decimal import Decimal

    from trading.backtest.config import BacktestConfig
    from trading.backtest.jobs import BacktestJob
    from trading.services.engine_settings import engine_settings, rules_settings

    config = BacktestConfig(instrument, Decimal(settings.paper_starting_balance), engine_settings(settings),
                            rules_settings(settings))
    return BacktestJob("cli", request["strategy"], loaded.history, config, loaded.source, request["start_ms"],
                       request["end_ms"], args.compare, args.walk_forward, args.monte_carlo,
                       args.chart is not None, settings.chart_theme,
                       baseline_runs=args.runs if args.baseline == "random" else 0, baseline_seed=args.seed)


def _stored(outcome: BacktestOutcome, now_ms: int) -> Any:
    from trading.adapters.sqlite_backtests import StoredBacktest

    r = outcome.result
    return StoredBacktest(now_ms, r.strategy, r.symbol, r.timeframe.value, outcome.source, r.metrics, r.params)


async def _recent(data_dir: Path) -> str:
    from trading.adapters.clocks import WallClock
    from trading.adapters.sqlite_backtests import BacktestArchive
    from trading.adapters.sqlite_store import SqliteStore
    from trading.backtest.summary import stored_runs_text

    store = SqliteStore(data_dir / "trading.sqlite", WallClock())
    await store.open()
    try:
        return stored_runs_text(await BacktestArchive(store).recent(RECENT_LISTED))
    finally:
        await store.close()


class _ExchangeOnDemand:
    """The exchange feed, connected only if the cache cannot serve the candles (ccxt loads slowly)."""

    def __init__(self, settings: Settings, cache: SqliteStore) -> None:
        self._settings, self._cache = settings, cache
        self._feed: MarketData | None = None

    async def candles(self, symbol: str, timeframe: Timeframe, limit: int = 500) -> Candles:
        """Return candles from the exchange (cached as they arrive)."""
        from trading.adapters.clocks import WallClock
        from trading.adapters.exchange_clock import ExchangeClock
        from trading.bootstrap import live_feed
        from trading.domain.errors import TradingError

        if self._feed is None:
            try:
                # which candle has closed is the exchange's to say, as in the running bot
                self._feed = await live_feed(self._settings, ExchangeClock(WallClock()), self._cache)
            except TradingError as exc:
                raise ConfigurationError(f"{exc}; pass --data PATH to a candle file instead") from None
        return await self._feed.candles(symbol, timeframe, limit)

    async def instrument_or_none(self, symbol: str) -> Instrument | None:
        """Return the exchange's market rules when connected, else None."""
        return (await self._feed.instruments()).get(symbol) if self._feed is not None else None

    async def close(self) -> None:
        """Close the exchange connection if one was opened."""
        if self._feed is not None:
            await self._feed.close()


def main(argv: list[str] | None = None) -> int:
    """Run `backtest` on its own: python -m bot.backtest_command --strategy A --data FILE."""
    parser = argparse.ArgumentParser(prog="trading-assistant backtest", description=__doc__.splitlines()[0])
    add_backtest_arguments(parser)
    began = time.perf_counter()
    if argv is None:
        hold_collector()      # this process is the command: its start-up is frozen once loaded (bot/start_up.py)
    try:
        code = run_backtest(parser.parse_args(argv))
    finally:
        started()
    print(f"Command took {time.perf_counter() - began:.2f} s.", file=sys.stderr)
    return code


if __name__ == "__main__":
    raise SystemExit(main())
