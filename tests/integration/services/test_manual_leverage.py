"""A manual futures entry is margined at the leverage its ticket shows: the setting as /set left it at run time, or,
adding to an open position, that position's own leverage (a symbol's leverage is the open position's).

Bundled replay at 2025-07-22 07:59 UTC (as in test_paper_futures.py): BTC/USDT last 117,877.83; /short 1000 USDT
sells floor5(1000 / 117,877.83) = 0.00848 BTC, quoted at the last price, filled at 117,854.25 (slippage):
notional 999.40404, margin 99.940404 at 10x, 333.13468 at 3x. The hard stop (10% of the position) of a short
quoted at 117,877.83: at 10x a 1% move, 117,877.83 x 1.01 = 119,056.6083 -> 119,056.60 down on the 0.01 tick;
at 3x a 3.33..% move, 117,877.83 x (1 + 0.1 / 3) = 121,807.091 -> 121,807.09.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal as D

from trading.adapters.clocks import ManualClock
from trading.adapters.replay_market_data import ReplayMarketData, load_replay_series
from trading.adapters.sqlite_store import SqliteStore
from trading.bootstrap import Trading, trading_side
from trading.domain.manual_orders import ManualOrder, OrderKind
from trading.services.engine_settings import engine_settings
from trading.services.event_bus import EventBus
from trading.services.manual_orders import Tickets
from trading.settings import Settings

JULY_22_0759 = 1_753_171_140_000
SHORT_1000 = ManualOrder(OrderKind.SHORT, "BTC/USDT", D(1000))


@dataclass
class Wired:
    """The trading side as bootstrap wires it for paper futures, and the tickets the chat quotes with."""

    trading: Trading
    tickets: Tickets
    store: SqliteStore


async def paper_futures(folder, **overrides: object) -> Wired:
    """Return paper futures wired by bootstrap.trading_side on the bundled replay, its clock at 07:59."""
    settings = Settings(_env_file=None, market_data="replay", data_dir=folder, market_type="futures", **overrides)
    clock = ManualClock(JULY_22_0759)
    market = ReplayMarketData(load_replay_series("replay"), clock)
    store = SqliteStore(folder / "trading.sqlite", clock)
    await store.open()
    trading = await trading_side(settings, "replay", clock, market, store, EventBus(store), ("BTC/USDT",))
    return Wired(trading, Tickets(trading.portfolio, trading.loop.engine, trading.loop.instruments), store)


def set_leverage(wired: Wired, folder, leverage: str) -> None:
    """Apply `/set FUTURES_LEVERAGE leverage` as run_time_settings does: the engine's settings are replaced."""
    wired.trading.loop.engine.settings = engine_settings(Settings(
        _env_file=None, market_data="replay", data_dir=folder, market_type="futures", futures_leverage=leverage))


async def test_a_short_after_set_leverage_is_quoted_and_margined_at_the_new_leverage(tmp_path):
    wired = await paper_futures(tmp_path, futures_leverage="3")
    set_leverage(wired, tmp_path, "10")

    ticket = await wired.tickets.quote(SHORT_1000)
    await wired.trading.portfolio.execute(ticket)

    [leg] = ticket.legs
    [position] = await wired.trading.venue.broker.positions()
    assert (leg.amount, leg.stop) == (D("0.00848"), D("119056.60"))
    assert leg.risk == D("0.00848") * (D("119056.60") - D("117877.83")) + 2 * leg.fee
    assert (position.leverage, position.margin) == (10, D("99.940404"))
    await wired.store.close()


async def test_adding_to_a_short_after_set_leverage_keeps_and_quotes_the_position_s_leverage(tmp_path):
    wired = await paper_futures(tmp_path, futures_leverage="3")
    await wired.trading.portfolio.execute(await wired.tickets.quote(SHORT_1000))
    set_leverage(wired, tmp_path, "10")

    ticket = await wired.tickets.quote(SHORT_1000)
    await wired.trading.portfolio.execute(ticket)

    [position] = await wired.trading.venue.broker.positions()
    assert ticket.legs[0].stop == D("121807.09")          # the 3x position's hard stop, not a 10x one
    assert (position.leverage, position.amount, position.margin) == (3, D("0.01696"), 2 * D("333.13468"))
    await wired.store.close()
