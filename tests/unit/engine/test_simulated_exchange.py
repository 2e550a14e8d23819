import json
from decimal import Decimal

import pytest

from trading.domain.errors import BadSymbol, ConfigurationError, InvalidOrder, OrderNotFound
from trading.domain.events import Event, EventKind, Severity
from trading.domain.orders import OrderIntent, OrderStatus, Side
from trading.engine.futures_account import FuturesAccount
from trading.engine.simulated_exchange import FINAL_ORDERS_KEPT, MarketFill, SimulatedExchange
from trading.engine.simulator import PriceBar
from trading.engine.slippage import NO_SLIPPAGE
from trading.engine.spot_account import SpotAccount

from tests.unit.engine.markets import PERP, PERP_BTC, SPOT, SPOT_BTC, limit, market, stop

HOUR = 3_600_000


def _bar(ts: int, o: str, h: str, low: str, c: str) -> PriceBar:
    return PriceBar(ts, Decimal(o), Decimal(h), Decimal(low), Decimal(c))


def _tick(ts: int, price: str) -> PriceBar:
    return PriceBar.tick(ts, Decimal(price))


def _spot(cash: str = "10000", fill: MarketFill = MarketFill.NEXT_PRICE) -> tuple[SimulatedExchange, list[Event]]:
    seen: list[Event] = []
    exchange = SimulatedExchange(SpotAccount(Decimal(cash)), {SPOT: SPOT_BTC}, slippage=NO_SLIPPAGE,
                                 market_fill=fill, emit=seen.append)
    exchange.on_bar(SPOT, _tick(0, "60000"))
    return exchange, seen


def _futures(cash: str = "10000", **options) -> tuple[SimulatedExchange, list[Event]]:
    seen: list[Event] = []
    exchange = SimulatedExchange(FuturesAccount(Decimal(cash)), {PERP: PERP_BTC}, slippage=NO_SLIPPAGE,
                                 market_fill=MarketFill.LAST_PRICE, emit=seen.append, **options)
    exchange.on_bar(PERP, _tick(0, "60000"))
    return exchange, seen


def _kinds(seen: list[Event]) -> list[EventKind]:
    return [event.kind for event in seen]


def test_a_known_client_id_returns_the_existing_order_and_places_nothing():
    exchange, seen = _spot()
    first = exchange.submit(market(SPOT, Side.BUY, "0.1", client_order_id="decision-7"))
    again = exchange.submit(market(SPOT, Side.BUY, "0.1", client_order_id="decision-7"))
    assert again == first and len(exchange.open_orders()) == 1
    assert _kinds(seen) == [EventKind.ORDER_PLACED]


def test_market_order_waits_for_the_next_price_and_fills_at_its_open():
    exchange, seen = _spot()
    order = exchange.submit(market(SPOT, Side.BUY, "0.1"))
    assert order.status is OrderStatus.OPEN
    exchange.on_bar(SPOT, _bar(60_000, "60100", "60500", "59900", "60200"))
    filled = exchange.order(order.id)
    # 0.1 * 60,100 = 6,010 + 0.1% fee 6.01
    assert filled.status is OrderStatus.FILLED and filled.avg_price == Decimal(60_100)
    assert filled.fee == Decimal("6.01") and exchange.balances()["USDT"] == Decimal("3983.99")
    assert _kinds(seen) == [EventKind.ORDER_PLACED, EventKind.ORDER_FILLED, EventKind.POSITION_OPENED]


def test_last_price_mode_fills_a_market_order_at_once():
    exchange, _ = _spot(fill=MarketFill.LAST_PRICE)
    order = exchange.submit(market(SPOT, Side.BUY, "0.1"))
    assert order.status is OrderStatus.FILLED and order.avg_price == Decimal(60_000)


def test_resting_limit_fills_as_maker_when_price_trades_through():
    exchange, _ = _spot()
    order = exchange.submit(limit(SPOT, Side.BUY, "0.1", "59000"))
    exchange.on_bar(SPOT, _bar(60_000, "60000", "60100", "59000", "59500"))   # touches only
    assert exchange.order(order.id).status is OrderStatus.OPEN
    exchange.on_bar(SPOT, _bar(120_000, "59500", "59600", "58900", "59100"))
    filled = exchange.order(order.id)
    assert filled.avg_price == Decimal(59_000) and filled.fills[0].is_maker


def test_cancel_releases_the_cash_an_open_order_held():
    exchange, seen = _spot()
    order = exchange.submit(limit(SPOT, Side.BUY, "0.16", "59000"))
    assert exchange.summary().available < Decimal(1_000)
    cancelled = exchange.cancel(order.id, SPOT)
    assert cancelled.status is OrderStatus.CANCELLED and exchange.summary().available == Decimal(10_000)
    assert _kinds(seen)[-1] is EventKind.ORDER_CANCELLED


def test_cancelling_unknown_or_finished_orders_is_refused():
    exchange, _ = _spot(fill=MarketFill.LAST_PRICE)
    with pytest.raises(OrderNotFound):
        exchange.cancel("P-99", SPOT)
    filled = exchange.submit(market(SPOT, Side.BUY, "0.1"))
    with pytest.raises(InvalidOrder, match="already filled"):
        exchange.cancel(filled.id, SPOT)


def test_unknown_symbol_is_refused_naming_the_markets():
    exchange, _ = _spot()
    with pytest.raises(BadSymbol, match="markets: BTC/USDT"):
        exchange.submit(market("DOGE/USDT", Side.BUY, "1"))


def test_order_that_cannot_be_paid_at_its_fill_price_is_rejected_and_reported():
    exchange, seen = _spot(cash="6007")
    # checked at 60,000: 6,006 <= 6,007; the next open is 61,000: 6,106 > 6,007
    order = exchange.submit(market(SPOT, Side.BUY, "0.1"))
    exchange.on_bar(SPOT, _bar(60_000, "61000", "61000", "61000", "61000"))
    assert exchange.order(order.id).status is OrderStatus.REJECTED
    assert _kinds(seen)[-1] is EventKind.ORDER_FAILED and exchange.balances() == {"USDT": Decimal(6_007)}


def test_quote_amount_buy_spends_the_budget_including_the_fee():
    exchange, _ = _spot()
    order = exchange.submit(OrderIntent(SPOT, Side.BUY, quote_amount=Decimal(1_001)))
    exchange.on_bar(SPOT, _tick(60_000, "50000"))
    # at 50,000: 1,001 / (50,000 * 1.001) = 0.02 BTC; cost 1,000 + fee 1 = 1,001
    assert exchange.order(order.id).filled == Decimal("0.02")
    assert exchange.balances()["USDT"] == Decimal(8_999)


def test_closing_a_position_cancels_its_other_exit():
    exchange, seen = _futures()
    exchange.submit(market(PERP, Side.BUY, "0.1"))
    stop_order = exchange.submit(stop(PERP, Side.SELL, "0.1", "58000"))
    target = exchange.submit(stop(PERP, Side.SELL, "0.1", "63000", take_profit=True))
    exchange.on_bar(PERP, _bar(HOUR, "60000", "63500", "59000", "63200"))
    assert exchange.order(target.id).status is OrderStatus.FILLED
    assert exchange.order(stop_order.id).status is OrderStatus.CANCELLED
    assert exchange.positions() == [] and EventKind.POSITION_CLOSED in _kinds(seen)


def test_a_bar_touching_stop_and_target_takes_the_stop_first():
    exchange, _ = _futures()
    exchange.submit(market(PERP, Side.BUY, "0.1"))
    stop_order = exchange.submit(stop(PERP, Side.SELL, "0.1", "58000"))
    exchange.submit(stop(PERP, Side.SELL, "0.1", "63000", take_profit=True))
    exchange.on_bar(PERP, _bar(HOUR, "60000", "64000", "57000", "60000"))
    assert exchange.order(stop_order.id).avg_price == Decimal(58_000)


def test_stop_placed_with_its_entry_protects_the_position_once_the_entry_fills():
    exchange, _ = _spot()
    exchange.submit(market(SPOT, Side.BUY, "0.1"))
    protective = exchange.submit(stop(SPOT, Side.SELL, "0.1", "58000"))
    exchange.on_bar(SPOT, _bar(60_000, "60000", "60100", "59000", "59500"))
    assert exchange.positions()[0].stop_price == Decimal(58_000)
    exchange.on_bar(SPOT, _bar(120_000, "59500", "59600", "57000", "57500"))
    assert exchange.order(protective.id).avg_price == Decimal(58_000) and exchange.positions() == []


def test_stop_that_fires_with_nothing_to_reduce_is_cancelled():
    exchange, seen = _spot()
    orphan = exchange.submit(stop(SPOT, Side.SELL, "0.1", "58000"))
    exchange.on_bar(SPOT, _bar(60_000, "60000", "60100", "59000", "59500"))
    assert exchange.order(orphan.id).status is OrderStatus.OPEN
    exchange.on_bar(SPOT, _bar(120_000, "59500", "59600", "57000", "57500"))
    assert exchange.order(orphan.id).status is OrderStatus.CANCELLED
    assert seen[-1].data["why"] == "nothing left to reduce"


def test_positions_show_the_stop_and_target_of_their_exits():
    exchange, _ = _futures()
    exchange.submit(market(PERP, Side.SELL, "0.1", leverage=5))
    exchange.submit(stop(PERP, Side.BUY, "0.1", "62000"))
    exchange.submit(stop(PERP, Side.BUY, "0.1", "55000", take_profit=True))
    [position] = exchange.positions()
    assert (position.stop_price, position.take_profit) == (Decimal(62_000), Decimal(55_000))


def test_mark_reaching_the_liquidation_price_liquidates_before_a_stop_beyond_it():
    exchange, seen = _futures()
    exchange.submit(market(PERP, Side.BUY, "0.1", leverage=10))       # LP 54,216.87
    late_stop = exchange.submit(stop(PERP, Side.SELL, "0.1", "54000"))
    exchange.on_bar(PERP, _bar(HOUR, "60000", "60000", "53000", "53500"))
    assert exchange.positions() == [] and exchange.order(late_stop.id).status is OrderStatus.CANCELLED
    closed = next(e for e in seen if e.kind is EventKind.POSITION_CLOSED)
    assert closed.severity is Severity.CRITICAL and closed.data["why"] == "liquidation"
    # margin 600 lost, fee 3 paid: 10,000 - 603
    assert exchange.balances() == {"USDT": Decimal(9_397)}


def test_default_funding_rate_applies_at_each_funding_time_crossed():
    exchange, _ = _futures(funding_rate=Decimal("0.0001"))
    exchange.submit(market(PERP, Side.BUY, "0.1", leverage=10))
    exchange.on_bar(PERP, _tick(9 * HOUR, "60000"))     # crosses 08:00
    exchange.on_bar(PERP, _tick(25 * HOUR, "60000"))    # crosses 16:00 and 24:00
    # three times 0.1 * 60,000 * 0.0001 = 0.6 -> 1.8 paid out of the margin
    [position] = exchange.positions()
    assert position.funding_paid == Decimal("1.8") and position.margin == Decimal("598.2")


def test_a_funding_time_fed_from_data_is_not_charged_again_by_the_default():
    exchange, _ = _futures(funding_rate=Decimal("0.0001"))
    exchange.submit(market(PERP, Side.SELL, "0.1", leverage=10))
    exchange.on_funding(PERP, 8 * HOUR, Decimal("0.0003"))
    exchange.on_bar(PERP, _tick(9 * HOUR, "60000"))
    # short receives 0.1 * 60,000 * 0.0003 = 1.8 once
    assert exchange.positions()[0].funding_paid == Decimal("-1.8")


def test_snapshot_survives_json_and_restores_orders_positions_and_cash():
    exchange, _ = _futures()
    exchange.submit(market(PERP, Side.BUY, "0.1", leverage=10, client_order_id="entry-1"))
    exchange.submit(stop(PERP, Side.SELL, "0.1", "58000"))
    state = json.loads(json.dumps(exchange.snapshot()))
    restored, seen = _futures(cash="1")
    restored.restore(state)
    assert restored.positions() == exchange.positions() and restored.balances() == exchange.balances()
    assert restored.find_by_client_id("entry-1") == exchange.find_by_client_id("entry-1")
    restored.on_bar(PERP, _tick(HOUR, "57000"))
    assert restored.positions() == [] and _kinds(seen)[-1] is EventKind.POSITION_CLOSED
    assert restored.submit(market(PERP, Side.BUY, "0.1")).id == "P-3"


def test_restoring_a_spot_state_into_futures_is_refused():
    spot, _ = _spot()
    futures, _ = _futures()
    with pytest.raises(ConfigurationError, match="spot account"):
        futures.restore(spot.snapshot())


def test_reset_starts_over_with_the_new_balance():
    exchange, _ = _futures()
    exchange.submit(market(PERP, Side.BUY, "0.1"))
    exchange.reset(Decimal(5_000))
    assert exchange.positions() == [] and exchange.open_orders() == []
    assert exchange.balances() == {"USDT": Decimal(5_000)}


def test_snapshot_keeps_every_open_order_and_the_latest_finished_ones():
    exchange, _ = _spot()
    for _ in range(FINAL_ORDERS_KEPT + 5):
        exchange.cancel(exchange.submit(limit(SPOT, Side.BUY, "0.001", "50000")).id)
    still_open = exchange.submit(limit(SPOT, Side.BUY, "0.001", "50000"))
    ids = [order["id"] for order in exchange.snapshot()["orders"]]
    assert len(ids) == FINAL_ORDERS_KEPT + 1 and ids[0] == "P-6" and ids[-1] == still_open.id


def test_a_quiet_symbol_only_moves_its_mark():
    exchange, _ = _spot()
    assert exchange.is_quiet(SPOT)
    exchange.note_price(SPOT, 60_000, Decimal(61_000))
    assert exchange.last_price(SPOT) == Decimal(61_000)
    exchange.submit(limit(SPOT, Side.BUY, "0.1", "59000"))
    assert not exchange.is_quiet(SPOT)
