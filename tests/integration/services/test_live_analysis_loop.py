"""The loop's tick keeps the ICT analysis up incrementally and trades exactly as the window recompute did.

Real BTC/USDT minutes from 2025-07-22 01:40 UTC, 100 ticks with the loop's own windows (1m 1500, 15m 500, 1h 500,
1d 300): strategies B, C, A, C and A each find a setup there. One loop reads the strategy book (the live analysis,
each tick appending its closed candles to the ICT state); the other reads the same strategies as a plain set, which
recomputes compute_ict over every window on every tick, as the loop did before.
"""
from __future__ import annotations

from decimal import Decimal

from tests.fakes.loop_rig import build_rig
from tests.fakes.shared_data import load_candles
from trading.domain.candles import MINUTE_MS, Timeframe
from trading.domain.events import EventKind
from trading.engine.engine_state import EngineSettings
from trading.services.trading_loop import DEFAULT_WINDOWS
from trading.strategies.base import MarketView
from trading.strategies.book import default_book
from trading.strategies.ict_a import StructureZoneStrategy
from trading.strategies.ict_b import SweepReversalStrategy
from trading.strategies.ict_c import TrendRetestStrategy
from trading.strategies.trend import TrendStrategy

SYMBOL = "BTC/USDT"
START_MS = 1_751_328_000_000 + 21 * 86_400_000 + 100 * MINUTE_MS
TICKS = 100
# the cost gates off: these setups' stops are too tight to pay the round trip's costs, and the test needs trades
# to show that both loops trade alike
UNGATED = EngineSettings(max_fee_to_risk_pct=Decimal(0), min_reward_risk=None)


async def test_the_incremental_tick_sees_the_same_signals_and_trades_as_the_window_recompute(tmp_path):
    candles = load_candles("BTCUSDT-1m.csv.gz")
    book = default_book()
    rigs = []
    for name, strategies in (("live", book), ("recompute", [StructureZoneStrategy(), SweepReversalStrategy(),
                                                             TrendRetestStrategy(), TrendStrategy()])):
        (tmp_path / name).mkdir()
        rig = await build_rig(tmp_path / name, candles, SYMBOL, START_MS, strategies, windows=dict(DEFAULT_WINDOWS),
                              settings=UNGATED)
        await rig.run_until(START_MS + TICKS * MINUTE_MS)
        rigs.append(rig)
    live, recompute = rigs

    trail = [[(e.ts_ms, e.kind, e.message) for e in await rig.store.events(limit=10_000)] for rig in rigs]
    assert trail[0] == trail[1] and live.notified() == recompute.notified()
    strategies = [e.message.split(" ")[1] for e in await live.audit(EventKind.SIGNAL)]
    assert strategies == ["B", "C", "A", "C", "A"]
    assert len(await live.audit(EventKind.POSITION_CLOSED)) >= 1          # it traded, and the same way
    frames = {tf: await live.market.candles(SYMBOL, tf, n) for tf, n in DEFAULT_WINDOWS.items()}
    followed = book.analyses.analysis(MarketView(SYMBOL, frames))
    # the first tick read the 1500-minute window, each later one appended its minute: nothing was recomputed
    assert len(followed.candles(Timeframe.M1)) == DEFAULT_WINDOWS[Timeframe.M1] + TICKS - 1
    for rig in rigs:
        await rig.close()
