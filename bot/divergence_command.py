"""`trading-assistant divergence`: the paper (or live) account's trades against the backtest of the same period.

    trading-assistant divergence [--days 7] [--venue paper-spot|paper-futures|live]

For each strategy that closed positions in the period: the backtest of that strategy over the same candles
(from the candle cache, with its tuned parameters), its trades matched with the account's, the entry gaps and
the results side by side, then fill by fill: actual against simulated price, slippage in bps, PnL
(trading/services/divergence_report.py, which /divergence in the chat reads too).
"""
from __future__ import annotations

import argparse
import asyncio
import sys
from decimal import Decimal
from typing import TYPE_CHECKING

from trading.domain.errors import ConfigurationError

if TYPE_CHECKING:
    from trading.settings import Settings


def add_divergence_parser(sub: argparse._SubParsersAction) -> None:
    """Add `divergence` and its options to the CLI's subcommands."""
    p = sub.add_parser("divergence", help="the account's trades against the backtest of the same period")
    p.add_argument("--days", type=int, default=7, help="how many days back (default 7)")
    p.add_argument("--venue", help="paper-spot, paper-futures or live (default: this mode's venue)")


def run_divergence(args: argparse.Namespace, settings: Settings | None = None) -> int:
    """Print each strategy's divergence; return the exit code.

    settings: those the caller already read, else they are read here.
    """
    from trading.settings import load_settings

    try:
        if args.days < 1:
            raise ValueError(f"--days takes 1 or more, not {args.days}")
        settings = settings if settings is not None else load_settings()
        print(asyncio.run(_report(args, settings)))
    except (ConfigurationError, ValueError, OSError) as exc:
        print(f"trading-assistant divergence: {exc}", file=sys.stderr)
        return 2
    return 0


async def _report(args: argparse.Namespace, settings: Settings) -> str:
    from trading.adapters.clocks import WallClock
    from trading.adapters.sqlite_ledger import ExecutionLedger
    from trading.adapters.sqlite_store import SqliteStore
    from trading.services.divergence_report import DivergenceService, report_text
    from trading.services.engine_settings import engine_settings, rules_settings

    venue = args.venue or (f"paper-{settings.market_type}" if settings.mode != "live" else "live")
    store = SqliteStore(settings.data_dir / "trading.sqlite", WallClock())
    await store.open()
    try:
        service = DivergenceService(ExecutionLedger(store, venue), store, WallClock(),
                                    balance=Decimal(settings.paper_starting_balance),
                                    engine=engine_settings(settings), rules=rules_settings(settings))
        return report_text(await service.report(args.days))
    finally:
        await store.close()
