"""One scheduler tick of the trading loop: 5 symbols x 1m/15m/1h, no network, no LLM (target: p95 under 30 ms).

Replays the real 1m files (BTC and ETH, each under several names to make five symbols) on a manual clock; each tick
closes one minute on every symbol and runs the loop's candle job (paper fills, protective exits, the strategy
scan, entries). Prints one JSON line: the median, 95th percentile and maximum per tick over every tick of
--repeat runs (the first tick of a run, which loads the history, is reported on its own), the same for the ticks
that close a 15m candle (every strategy runs then), the machine's load average while it ran, and the time of
the chat's read-only use cases (what a command reply costs before Telegram's network).
Run: python3 bench/tick.py [--ticks 120] [--repeat 3]
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
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


async def run(ticks: int) -> tuple[float, list[tuple[bool, float]], dict[str, float]]:
    """Return the first tick's seconds, (closes a 15m candle, seconds) per later tick, and the reply times."""
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
        for _ in range(ticks + 1):
            clock.advance(Timeframe.M1.ms)
            batches = await market.poll(SYMBOLS, [Timeframe.M1, Timeframe.M15, Timeframe.H1])
            started = time.perf_counter()
            await loop.on_candles_closed(batches)
            spent.append((any(tf is Timeframe.M15 for _, tf, _ in batches), time.perf_counter() - started))
        portfolio = PortfolioService(venue, ledger, market, clock, "paper", gate, loop)
        replies = await _reply_times(portfolio, market)
        await store.close()
    return spent[0][1], spent[1:], replies


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


def summary(seconds: list[float]) -> dict[str, float]:
    """Return the median, 95th percentile and maximum of durations, in milliseconds."""
    ms = sorted(s * 1000 for s in seconds)
    if not ms:
        return {}
    return {"median_ms": round(statistics.median(ms), 1), "p95_ms": round(ms[max(0, int(len(ms) * 0.95) - 1)], 1),
            "max_ms": round(ms[-1], 1), "n": len(ms)}


def main() -> None:
    """Run the tick benchmark --repeat times and print its JSON line."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--ticks", type=int, default=120)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    firsts, ticks, replies = [], [], {}
    for _ in range(args.repeat):
        first, spent, replies = asyncio.run(run(args.ticks))
        firsts.append(first)
        ticks += spent
    print(json.dumps({"name": "scheduler_tick", "symbols": len(SYMBOLS), "ticks": args.ticks, "repeat": args.repeat,
                      **summary([s for _, s in ticks]),
                      "on_15m_close": summary([s for closes, s in ticks if closes]),
                      "first_tick": summary(firsts), "replies_ms": replies,
                      "load_avg_1m": [round(load_before, 2), round(os.getloadavg()[0], 2)], "cpus": os.cpu_count(),
                      "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}))


if __name__ == "__main__":
    main()
