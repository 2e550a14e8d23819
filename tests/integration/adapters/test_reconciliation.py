"""Start-up reconciliation against the fake Binance: what happened while the bot was away is taken in."""
from __future__ import annotations

from decimal import Decimal

from tests.fakes.exchange_api import FakeExchange
from tests.fakes.live_broker import PERP, SPOT, LiveRig, live_rig, signed_options
from trading.adapters.ccxt_client import create_exchange
from trading.adapters.clocks import ManualClock
from trading.domain.events import EventKind
from trading.domain.orders import OrderIntent, OrderStatus, OrderType, Side
from trading.domain.positions import PositionSide


async def restarted(rig: LiveRig, fake: FakeExchange, clock: ManualClock, futures: bool = False) -> LiveRig:
    """Return a new broker on the same account that restored the old one's snapshot (the old one is closed)."""
    state = rig.broker.snapshot()
    await rig.close()
    again = await live_rig(fake, clock, futures=futures)
    again.broker.restore(state)
    return again


async def place_outside(fake: FakeExchange, symbol: str, *args, exchange_id: str = "binance") -> None:
    raw = create_exchange(exchange_id, signed_options(fake))
    await raw.create_order(symbol, *args)
    await raw.close()


def limit(client_id: str, price: str = "90000") -> OrderIntent:
    return OrderIntent(SPOT, Side.BUY, OrderType.LIMIT, amount=Decimal("0.01"), price=Decimal(price),
                       client_order_id=client_id)


async def test_an_order_that_filled_while_away_reaches_the_book(fake_binance: FakeExchange, clock: ManualClock) -> None:
    rig = await live_rig(fake_binance, clock)
    await rig.broker.place(limit("ta-limit-1"))
    fake_binance.account.fill(fake_binance.account.order("ta-limit-1"), None, Decimal("90000"), clock.now_ms())
    rig = await restarted(rig, fake_binance, clock)

    report = await rig.broker.reconcile()

    (finished,) = report.finished_orders
    (position,) = await rig.broker.positions()
    assert finished.status is OrderStatus.FILLED and position.amount == Decimal("0.01")
    assert rig.kinds() == [EventKind.ORDER_FILLED, EventKind.POSITION_OPENED]
    assert report.clean and report.balances["BTC"] == Decimal("0.01")
    await rig.close()


async def test_the_bots_open_orders_are_adopted_and_others_left_alone(
        fake_binance: FakeExchange, clock: ManualClock) -> None:
    await place_outside(fake_binance, SPOT, "limit", "buy", 0.01, 91_000, {"clientOrderId": "ta-lost-1"})
    await place_outside(fake_binance, SPOT, "limit", "buy", 0.01, 92_000, {"clientOrderId": "web_123"})
    rig = await live_rig(fake_binance, clock)

    report = await rig.broker.reconcile()

    assert [o.client_order_id for o in report.adopted_orders] == ["ta-lost-1"]
    assert [o.client_order_id for o in report.unknown_orders] == ["web_123"]
    assert [o.client_order_id for o in await rig.broker.open_orders()] == ["ta-lost-1"]
    assert not report.clean and "Not the bot's, left alone: order 2 (buy 0.01 BTC/USDT)" in report.lines()
    await rig.close()


async def test_spot_coins_held_beyond_the_book_are_flagged(fake_binance: FakeExchange, clock: ManualClock) -> None:
    fake_binance.account.balances["BTC"] = Decimal("0.5")
    rig = await live_rig(fake_binance, clock)

    report = await rig.broker.reconcile()

    assert report.positions.untracked == {"BTC": Decimal("0.5")} and await rig.broker.positions() == []
    await rig.close()


async def test_a_spot_holding_sold_outside_the_bot_is_closed_in_the_book(
        fake_binance: FakeExchange, clock: ManualClock) -> None:
    rig = await live_rig(fake_binance, clock)
    await rig.broker.place(OrderIntent(SPOT, Side.BUY, amount=Decimal("0.01"), client_order_id="ta-buy"))
    rig = await restarted(rig, fake_binance, clock)
    fake_binance.account.balances["BTC"] = Decimal(0)

    report = await rig.broker.reconcile()

    (gone,) = report.positions.closed
    assert gone.amount == Decimal("0.01") and await rig.broker.positions() == []
    last = rig.events[-1]
    assert last.kind is EventKind.POSITION_CLOSED and "no longer on the exchange" in last.data["why"]
    await rig.close()


async def test_futures_positions_are_adopted_resized_or_closed_to_match_the_exchange(
        fake_binance: FakeExchange, clock: ManualClock) -> None:
    rig = await live_rig(fake_binance, clock, futures=True)
    await rig.broker.place(OrderIntent(PERP, Side.BUY, amount=Decimal("0.02"), client_order_id="ta-long"))
    rig = await restarted(rig, fake_binance, clock, futures=True)
    fake_binance.account.positions["BTCUSDT"] = (Decimal("0.015"), fake_binance.account.positions["BTCUSDT"][1])

    report = await rig.broker.reconcile()
    fake_binance.account.positions.clear()
    await place_outside(fake_binance, PERP, "market", "sell", 0.005, exchange_id="binanceusdm")
    again = await rig.broker.reconcile()

    (resized,) = report.positions.resized
    assert resized.amount == Decimal("0.015")
    (closed,), (adopted,) = again.positions.closed, again.positions.adopted
    assert closed.side is PositionSide.LONG and (adopted.side, adopted.amount) == (PositionSide.SHORT, Decimal("0.005"))
    await rig.close()


async def test_stops_and_targets_missing_after_a_restart_are_armed_again(
        fake_binance: FakeExchange, clock: ManualClock) -> None:
    rig = await live_rig(fake_binance, clock, futures=True)
    await rig.broker.place(OrderIntent(PERP, Side.BUY, amount=Decimal("0.01"), client_order_id="ta-long"))
    entry = (await rig.broker.positions())[0].entry_price
    await rig.broker.protect(PERP, entry - 1000, entry + 1000)
    rig = await restarted(rig, fake_binance, clock, futures=True)
    for algo in fake_binance.account.algo_orders:
        algo.status = "CANCELED"                       # e.g. cancelled from the web while the bot was down

    report = await rig.broker.reconcile()

    assert [a.status for a in fake_binance.account.algo_orders] == ["CANCELED", "CANCELED", "NEW", "NEW"]
    assert report.protections == (f"re-armed {PERP}: stop {entry - 1000}, target {entry + 1000}",)
    await rig.close()


async def test_while_running_a_difference_is_acted_on_only_when_seen_twice_in_a_row(
        fake_binance: FakeExchange, clock: ManualClock) -> None:
    rig = await live_rig(fake_binance, clock, futures=True)
    await rig.broker.place(OrderIntent(PERP, Side.BUY, amount=Decimal("0.01"), client_order_id="ta-long"))
    fake_binance.account.positions.clear()             # liquidated on the exchange, say

    await rig.broker.track()
    after_one_look = len(await rig.broker.positions())
    await rig.broker.track()

    assert after_one_look == 1 and await rig.broker.positions() == []
    assert rig.events[-1].kind is EventKind.POSITION_CLOSED
    await rig.close()


async def test_spot_coins_partly_sold_outside_the_bot_are_realised_at_their_trade(
        fake_binance: FakeExchange, clock: ManualClock) -> None:
    # 0.01 BTC bought by the bot; 0.004 sold in the exchange's app (fee 0.1% in USDT): the book keeps 0.006
    # and realises the part sold at its trade's price and fee, instead of shrinking without a result
    fake_binance.account.fee_rate = Decimal("0.001")
    rig = await live_rig(fake_binance, clock)
    await rig.broker.place(OrderIntent(SPOT, Side.BUY, amount=Decimal("0.01"), client_order_id="ta-buy"))
    (bought,) = await rig.broker.positions()
    rig = await restarted(rig, fake_binance, clock)
    await place_outside(fake_binance, SPOT, "market", "sell", 0.004, None, {"clientOrderId": "web_1"})
    sold = fake_binance.account.order("web_1")

    report = await rig.broker.reconcile()

    (left,) = report.positions.resized
    fee = Decimal("0.004") * sold.avg_price * Decimal("0.001")
    assert left.amount == Decimal("0.006")
    assert left.realized_pnl == (sold.avg_price - bought.entry_price) * Decimal("0.004")
    assert left.fees_paid == bought.fees_paid + fee
    await rig.close()
