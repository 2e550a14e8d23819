"""Which of the broker's filled orders the sync takes for the bot's own exit of a position gone from the account.

A paper futures account (the real PaperBroker) and the real engine and sync: a long of 0.2 BTC at 60,000 (10x),
an engine exit of half of it ('<key>-x1') that the guard has seen, then the rest liquidated. The half sold
before is no exit of what was left: the close is not the bot's.
"""
from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

from tests.fakes.recording_notifier import RecordingNotifier
from tests.unit.engine.markets import PERP, PERP_BTC, market
from trading.adapters.clocks import ManualClock
from trading.adapters.paper_broker import PaperBroker
from trading.adapters.sqlite_store import SqliteStore
from trading.domain.events import EventKind
from trading.domain.orders import Side
from trading.engine.engine_state import EngineSettings
from trading.engine.simulated_exchange import MarketFill
from trading.engine.slippage import NO_SLIPPAGE
from trading.engine.trading_engine import TradingEngine
from trading.services.event_bus import EventBus
from trading.services.position_sync import PositionSync


async def test_a_partial_exit_the_guard_counted_is_not_taken_for_the_close_of_the_rest(tmp_path: Path) -> None:
    clock = ManualClock(60_000)
    store = SqliteStore(tmp_path / "trading.sqlite", clock)
    await store.open()
    events, notes = EventBus(store), RecordingNotifier()
    events.attach(notes)
    broker = PaperBroker.futures({PERP: PERP_BTC}, D(10_000), leverage_cap=20, slippage=NO_SLIPPAGE,
                                 market_fill=MarketFill.LAST_PRICE, clock=clock)
    engine = TradingEngine(EngineSettings())
    sync = PositionSync(broker, engine, events, {PERP: PERP_BTC})
    broker.on_price(PERP, 60_000, D(60_000))
    await broker.place(market(PERP, Side.BUY, "0.2", leverage=10, client_order_id="ta-entry"))
    await sync.run(60_000, {PERP: D(60_000)})                   # adopted: guarded from now on
    key = engine.state.positions[PERP].key

    clock.set(120_000)
    saved = engine.snapshot()                 # the engine sent its first exit: half the position
    saved["positions"][PERP]["exits_sent"] = 1
    engine.restore(saved)
    half = await broker.place(market(PERP, Side.SELL, "0.1", reduce_only=True, client_order_id=f"{key}-x1"))
    assert half.filled == D("0.1")
    await sync.run(120_000, {PERP: D(60_000)})
    assert engine.state.positions[PERP].amount == D("0.1")

    clock.set(180_000)
    broker.on_price(PERP, 180_000, D(50_000))                    # under the liquidation price (about 54,300)
    assert await broker.positions() == []
    await sync.run(180_000, {})                                  # as at a restart: no mark to make a result up

    closed = [e.message for e in notes.of(EventKind.POSITION_CLOSED)]
    assert len(closed) == 1 and "RESULT IS UNKNOWN" in closed[0] and "exit order" not in closed[0]
    assert engine.state.positions == {}
    await store.close()
