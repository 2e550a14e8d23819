"""`trading-assistant divergence`: the paper (or live) account's trades against the backtest of the same period.

    trading-assistant divergence [--days 7] [--venue paper-spot|paper-futures|live]

For each strategy that closed positions in the period: the backtest of that strategy over the same candles
(from the candle cache), its trades matched with the account's, the entry gaps and the results side by side.
"""
from __future__ import annotations

import argparse
import asyncio
import sys
from collections import defaultdict
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from trading.domain.errors import ConfigurationError

if TYPE_CHECKING:
    from trading.settings import Settings

DAY_MS = 86_400_000


def add_divergence_parser(sub: argparse._SubParsersAction) -> None:
    """Add `divergence` and its options to the CLI's subcommands."""
    p = sub.add_parser("divergence", help="the account's trades against the backtest of the same period")
    p.add_argument("--days", type=int, default=7, help="how many days back (default 7)")
    p.add_argument("--venue", help="paper-spot, paper-futures or live (default: this mode's venue)")


def run_divergence(args: argparse.Namespace) -> int:
    """Print each strategy's divergence; return the exit code."""
    from trading.settings import load_settings

    try:
        if args.days < 1:
            raise ValueError(f"--days takes 1 or more, not {args.days}")
        settings = load_settings()
        print(asyncio.run(_report(args, settings)))
    except (ConfigurationError, ValueError, OSError) as exc:
        print(f"trading-assistant divergence: {exc}", file=sys.stderr)
        return 2
    return 0


async def _report(args: argparse.Namespace, settings: Settings) -> str:
    from trading.adapters.clocks import WallClock
    from trading.adapters.sqlite_ledger import ExecutionLedger
    from trading.adapters.sqlite_store import SqliteStore

    venue = args.venue or (f"paper-{settings.market_type}" if settings.mode != "live" else "live")
    store = SqliteStore(settings.data_dir / "trading.sqlite", WallClock())
    await store.open()
    try:
        since = WallClock().now_ms() - args.days * DAY_MS
        closed = await ExecutionLedger(store, venue).closed_positions(since)
        if not closed:
            return f"No positions closed on {venue} in the last {args.days} days: nothing to compare."
        groups: dict[tuple[str, str], list[Any]] = defaultdict(list)
        for row in closed:
            groups[(row.strategy or "manual", row.symbol)].append(row)
        parts = [f"{venue}, last {args.days} days, against the backtest of the same candles:"]
        for (strategy, symbol), rows in sorted(groups.items()):
            parts.append(await _one(strategy, symbol, rows, settings, store))
        return "\n\n".join(parts)
    finally:
        await store.close()


async def _one(strategy: str, symbol: str, rows: list[Any], settings: Settings, store: Any) -> str:
    from trading.adapters.replay_market_data import replay_instrument
    from trading.backtest.config import BacktestConfig
    from trading.backtest.divergence import ActualTrade, divergence, divergence_text
    from trading.backtest.runner import backtest
    from trading.backtest.strategy_specs import NAMES
    from trading.domain.candles import Timeframe
    from trading.services.backtest_data import history_from_store
    from trading.services.engine_settings import engine_settings, rules_settings

    if strategy not in NAMES:
        return f"{strategy} on {symbol}: {len(rows)} trades; no backtest to compare ({strategy} is not a strategy)"
    start, end = min(r.opened_ms for r in rows), max(r.closed_ms for r in rows) + DAY_MS
    try:       # minutes first: they resolve exits as the loop saw them; else the strategy's own bars
        loaded = await history_from_store(symbol, strategy, Timeframe.M1, start, end, end, cache=store, market=None)
    except ConfigurationError:
        try:
            loaded = await history_from_store(symbol, strategy, None, start, end, end, cache=store, market=None)
        except ConfigurationError as exc:
            return f"{strategy} on {symbol}: {exc}"
    instrument = replay_instrument(symbol, float(loaded.history.candles.close[0]))
    config = BacktestConfig(instrument, Decimal(settings.paper_starting_balance), engine_settings(settings),
                            rules_settings(settings))
    result = backtest(loaded.history, strategy, config, start_ms=start - DAY_MS, end_ms=end)
    actual = [ActualTrade(strategy, r.symbol, r.side, r.opened_ms, r.entry_price,
                          r.realized_pnl - r.fees_paid - r.funding_paid) for r in rows]
    return f"{symbol} " + divergence_text(divergence(strategy, actual, list(result.trades)))
