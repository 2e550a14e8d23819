"""`trading-assistant sweep`: a parameter search, every trial a full backtest scored out of sample only.

    trading-assistant sweep --strategy C --param sweep_lookback=8,12,16 --param rules_min_rr=1.5:3:0.5
        [--search grid | --search tpe --trials 100 [--seed 0] [--batch 16]] [--advisor rule|llm]
        [--data PATH | --symbol BTC/USDT] [--from ..] [--to ..] [--in-days 30] [--out-days 10] [--top 5]
        [--workers N] [--chart PATH.png] [--json]
    trading-assistant sweep --show [ID] [--chart PATH.png] [--json]

Trials run on a local process pool (SWEEP_WORKERS, default one per core) or, with SWEEP_CLUSTER set, on
that Dask cluster; the same seed gives the same trials either way. --advisor runs a second round in the
region the LLM (llm) or the rule around the best trial (rule) names. Every sweep is stored in the
database; its id is printed, and --show ID (or /sweeps ID in the chat) reads it back.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from trading.domain.errors import ConfigurationError, TradingError

if TYPE_CHECKING:
    from trading.adapters.sqlite_sweeps import StoredSweep
    from trading.backtest.sweep_search import SearchPlan
    from trading.settings import Settings


@dataclass(frozen=True, slots=True)
class SweepRequest:
    """The checked request: what to search, how, and who names a second round's region."""

    strategy: str
    space: dict[str, tuple[float, ...]]
    plan: SearchPlan
    advisor: str | None               # None: one round; "rule" or "llm": a second round
    llm: Any = None                   # the LLM advisor when advisor is "llm"


def add_sweep_parser(sub: argparse._SubParsersAction) -> None:
    """Add `sweep` and its options to the CLI's subcommands."""
    p = sub.add_parser("sweep", help="search a strategy's parameters (grid or TPE); trials scored out of sample, "
                                     "on this machine or a Dask cluster (SWEEP_CLUSTER); stored")
    p.add_argument("--strategy", help="A, B, C or trend")
    p.add_argument("--param", action="append", default=[], metavar="NAME=VALUES",
                   help="a,b,c or low:high:step; repeat for each parameter")
    p.add_argument("--search", default="grid", help="grid (every point, the default) or tpe (Optuna's TPE)")
    p.add_argument("--trials", type=int, help="TPE: how many trials")
    p.add_argument("--seed", type=int, default=0, help="TPE: the sampler's seed (default 0)")
    p.add_argument("--batch", type=int, default=16, help="TPE: trials asked and run in parallel at a time (16)")
    p.add_argument("--advisor", choices=("rule", "llm"), help="run a second round in the region the rule or "
                                                               "the LLM names")
    p.add_argument("--show", type=int, nargs="?", const=0, metavar="ID", help="show a stored sweep (no ID: list "
                                                                               "the recent ones)")
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


def run_sweep_command(args: argparse.Namespace, settings: Settings | None = None) -> int:
    """Run (or show) the sweep the arguments describe and print it; return the exit code.

    settings: those the caller already read, else they are read here.
    """
    from trading.settings import load_settings

    try:
        settings = settings if settings is not None else load_settings()
        if args.show is not None:
            from bot.sweep_show import show_sweeps

            print(asyncio.run(show_sweeps(args, settings)))
            return 0
        request = _request(args, settings)              # checked before any data is loaded
        history, instrument, period = asyncio.run(_load(args, settings, request.strategy))
        sweep = _run(args, settings, request, history, instrument, period)
        print(_output(args, settings, sweep, asyncio.run(_store(settings, sweep))))
    except (ConfigurationError, TradingError, ValueError, OSError) as exc:
        print(f"trading-assistant sweep: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("trading-assistant sweep: stopped", file=sys.stderr)
        return 130
    return 0


def _request(args: argparse.Namespace, settings: Settings) -> SweepRequest:
    """Return the checked request; raise ValueError or ConfigurationError saying what to type instead."""
    from trading.backtest.strategy_specs import spec_named
    from trading.backtest.sweep import sweep_space
    from trading.backtest.sweep_search import search_plan

    if not args.strategy:
        raise ValueError("say which strategy: --strategy A, B, C or trend (or --show ID for a stored sweep)")
    if args.in_days < 1 or args.out_days < 1 or args.top < 1:
        raise ValueError("--in-days, --out-days and --top take at least 1 each")
    name = spec_named(args.strategy).name
    space = sweep_space(name, args.param)
    plan = search_plan(space, args.search.strip().lower(), args.trials, args.seed, args.batch, name)
    llm = None
    if args.advisor == "llm":
        from trading.bootstrap import llm_region_advisor

        llm = llm_region_advisor(settings)
        if llm is None:
            raise ConfigurationError("--advisor llm needs the LLM: set OPENAI_API_KEY or OPENAI_BASE_URL (and "
                                     "LLM_MODEL), or use --advisor rule")
    return SweepRequest(name, space, plan, args.advisor, llm)


async def _load(args: argparse.Namespace, settings: Settings, name: str) -> tuple[Any, Any, tuple]:
    """Return the history, the market and the period to sweep."""
    from bot.backtest_command import _history
    from trading.adapters.clocks import WallClock
    from trading.adapters.replay_market_data import symbol_from_filename
    from trading.adapters.sqlite_store import SqliteStore
    from trading.backtest.periods import date_range

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
    return loaded.history, instrument, (start_ms, end_ms)


def _run(args: argparse.Namespace, settings: Settings, request: SweepRequest, history: Any, instrument: Any,
         period: tuple[int | None, int | None]) -> StoredSweep:
    """Run the search (and the second round) on the pool or the cluster; return the sweep to store."""
    from decimal import Decimal

    from trading.adapters.clocks import WallClock
    from trading.adapters.sqlite_sweeps import StoredSweep
    from trading.backtest.config import BacktestConfig
    from trading.backtest.sweep import sweep_data
    from trading.backtest.sweep_execution import trial_runner
    from trading.backtest.sweep_report import summarise
    from trading.backtest.sweep_search import both_rounds, run_search, second_round
    from trading.services.engine_settings import engine_settings, rules_settings

    config = BacktestConfig(instrument, Decimal(settings.paper_starting_balance), engine_settings(settings),
                            rules_settings(settings))
    data = sweep_data(history, config, request.strategy, history.window(*period), args.in_days, args.out_days)
    plan, workers = request.plan, args.workers if args.workers is not None else settings.sweep_workers or None
    started = time.perf_counter()
    with trial_runner(data, cluster=settings.sweep_cluster or None, workers=workers,
                      trials=plan.trials or (plan.relations.kept if plan.relations else 0)) as runner:
        results, kept_out = run_search(request.space, plan, runner, _progress)
        summary = summarise(data, request.space, results, search=plan.kind, seed=plan.seed, relations=kept_out)
        if request.advisor is not None:
            name = getattr(request.llm, "model", "advisor")
            more, second = second_round(summary, runner, request.llm, name, _progress)
            summary = summarise(data, both_rounds(request.space, second.region), results + more, search=plan.kind,
                                seed=plan.seed, second_round=second, relations=kept_out)
    print(file=sys.stderr)
    return StoredSweep(WallClock().now_ms(), summary, args.top, time.perf_counter() - started,
                       settings.sweep_cluster or "this machine")


async def _store(settings: Settings, sweep: StoredSweep) -> int:
    """Store the sweep; return its id."""
    from trading.adapters.clocks import WallClock
    from trading.adapters.sqlite_store import SqliteStore
    from trading.adapters.sqlite_sweeps import SweepArchive

    store = SqliteStore(settings.data_dir / "trading.sqlite", WallClock())
    await store.open()
    try:
        return await SweepArchive(store).save(sweep)
    finally:
        await store.close()


def _output(args: argparse.Namespace, settings: Settings, sweep: StoredSweep, sweep_id: int) -> str:
    """Return the sweep's report (or its JSON), with where it ran, its id and the next region to search."""
    from trading.backtest.search_region import region_hint
    from trading.backtest.sweep_report import sweep_record, sweep_text

    summary = sweep.summary
    if args.chart is not None:
        from trading.reports.sweep_chart import sweep_chart

        args.chart.write_bytes(sweep_chart(summary, settings.chart_theme))
    if args.json:
        return json.dumps(sweep_record(summary, args.top) | {"id": sweep_id, "seconds": round(sweep.seconds, 3),
                                                             "ran_on": sweep.ran_on}, allow_nan=False)
    trials = len(summary.results)
    return (f"{sweep_text(summary, args.top)}\n\nNext region to search: {region_hint(summary)}\n\n"
            f"{trials} trials on {sweep.ran_on} in {sweep.seconds:.1f} s "
            f"({trials / max(sweep.seconds, 1e-9):.1f} a second)\n"
            f"Stored as sweep #{sweep_id}: trading-assistant sweep --show {sweep_id}, or /sweeps {sweep_id} in "
            f"the chat" + (f"\nChart written to {args.chart}" if args.chart is not None else ""))


def _progress(done: int, total: int) -> None:
    print(f"\rtrial {done}/{total}", end="", file=sys.stderr, flush=True)
