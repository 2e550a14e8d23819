"""One scheduler tick of the trading loop: 5 symbols x 1m/15m/1h, no network, no LLM (DESIGN target: well under 50 ms).

Replays the real 1m files (BTC and ETH, each under several names to make five symbols) on a manual clock; each tick
closes one minute on every symbol and runs the loop's candle job (paper fills, protective exits, the strategy
scan over the rolling windows, entries). Prints one JSON line with the median and 95th percentile per tick,
and the time of the chat's read-only use cases (what a command reply costs before Telegram's network).
Run: python3 bench/tick.py [--ticks 120]
"""
from __future__ import annotations

import argparse
import asyncio
import json
import resource
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.fakes.shared_data import load_candles  # noqa: E402
from trading.adapters.clocks import ManualClock  # noqa: E402
from trading.adapters.replay_market_data import ReplayMarketData  # noqa: E402
from trading.adapters.sqlite_ledger import ExecutionLedger  # noqa: E402
from trading.adapters.sqlite_store import SqliteStore  # noqa: E402
from trading.domain.candles import Timeframe  # noqa: E402
from trading.engine.rules_decider import RulesDecider  # noqa: E402
from trading.engine.trading_engine import TradingEngine  # noqa: E402
from trading.services.entry_gate import EntryGate  # noqa: E402
from trading.services.event_bus import EventBus  # noqa: E402
from trading.services.paper_venue import PaperVenue  # noqa: E402
from trading.services.portfolio import PortfolioService  # noqa: E402
from trading.services.trading_loop import LoopSettings, TradingLoop  # noqa: E402
from trading.strategies.book import default_book  # noqa: E402

SYMBOLS = ("BTC/USDT", "ETH/USDT", "XBT/USDT", "XETH/USDT", "WBTC/USDT")
START_MS = 1_751_328_000_000 + 21 * 86_400_000      # 2025-07-22, three weeks into the 1m files


async def run(ticks: int) -> dict[str, object]:
    btc, eth = load_candles("BTCUSDT-1m.csv.gz"), load_candles("ETHUSDT-1m.csv.gz")
    series = {s: (btc if i % 2 == 0 else eth) for i, s in enumerate(SYMBOLS)}
    clock = ManualClock(START_MS)
    market = ReplayMarketData(series, clock, "bench")
    with tempfile.TemporaryDirectory() as folder:
        store = SqliteStore(Path(folder) / "bench.sqlite", clock)
        await store.open()
        events = EventBus(store)
        instruments = await market.instruments()
        ledger = ExecutionLedger(store, "paper-spot")
        engine = TradingEngine()
        gate = EntryGate(engine, clock)
        venue = PaperVenue("spot", instruments, Decimal(10_000), ledger, store, events, clock,
                           entry_check=gate.vet_fill)
        loop = TradingLoop(clock, market, venue.broker, default_book(), RulesDecider(), engine, events,
                           store, instruments, LoopSettings(symbols=SYMBOLS), venue=venue)
        await market.poll(SYMBOLS, [Timeframe.M1])
        await loop.start()
        spent = []
        for _ in range(ticks):
            clock.advance(Timeframe.M1.ms)
            batches = await market.poll(SYMBOLS, [Timeframe.M1, Timeframe.M15, Timeframe.H1])
            started = time.perf_counter()
            await loop.on_candles_closed(batches)
            spent.append(time.perf_counter() - started)
        portfolio = PortfolioService(venue, ledger, market, clock, "paper", gate, loop)
        replies = await _reply_times(portfolio, market)
        await store.close()
    spent.sort()
    return {"name": "scheduler_tick", "symbols": len(SYMBOLS), "ticks": ticks,
            "median_ms": round(statistics.median(spent) * 1000, 1),
            "p95_ms": round(spent[int(len(spent) * 0.95) - 1] * 1000, 1), "replies_ms": replies,
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}


async def _reply_times(portfolio: PortfolioService, market: ReplayMarketData) -> dict[str, float]:
    cases = {"balance": portfolio.balance, "positions": portfolio.positions, "orders": portfolio.open_orders,
             "price": lambda: market.ticker("BTC/USDT")}
    out = {}
    for name, call in cases.items():
        started = time.perf_counter()
        for _ in range(20):
            await call()
        out[name] = round((time.perf_counter() - started) / 20 * 1000, 2)
    return out


def main() -> None:
    """Run the tick benchmark and print its JSON line."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--ticks", type=int, default=120)
    print(json.dumps(asyncio.run(run(parser.parse_args().ticks))))


if __name__ == "__main__":
    main()
