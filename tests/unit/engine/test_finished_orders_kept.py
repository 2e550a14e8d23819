"""The simulated venue forgets its oldest finished orders past a bound, and keeps every open one."""
from __future__ import annotations

from decimal import Decimal

from trading.domain.orders import OrderStatus, Side
from trading.engine.simulated_exchange import MarketFill, SimulatedExchange
from trading.engine.simulator import PriceBar
from trading.engine.slippage import NO_SLIPPAGE
from trading.engine.spot_account import SpotAccount

from tests.unit.engine.markets import SPOT, SPOT_BTC, limit, market


def _venue(kept: int) -> SimulatedExchange:
    exchange = SimulatedExchange(SpotAccount(Decimal(10_000)), {SPOT: SPOT_BTC}, slippage=NO_SLIPPAGE,
                                 market_fill=MarketFill.LAST_PRICE, finished_kept=kept)
    exchange.on_bar(SPOT, PriceBar.tick(0, Decimal(60_000)))
    return exchange


def test_past_the_bound_the_oldest_finished_order_is_forgotten_by_id_and_client_id():
    exchange = _venue(kept=3)
    resting = exchange.submit(limit(SPOT, Side.BUY, "0.001", "50000", client_order_id="rest"))
    done = [exchange.submit(market(SPOT, Side.BUY, "0.001", client_order_id=f"m{i}")) for i in range(4)]
    cancelled = exchange.cancel(exchange.submit(limit(SPOT, Side.BUY, "0.001", "50000", client_order_id="c")).id)
    # five finished (m0..m3 filled, c cancelled), three kept: m0 and m1 are gone, the resting limit stays
    assert [o.status for o in done] == [OrderStatus.FILLED] * 4
    assert exchange.order(done[0].id) is None and exchange.find_by_client_id("m1") is None
    assert [exchange.order(o.id) for o in (done[2], done[3], cancelled)] == [done[2], done[3], cancelled]
    assert exchange.find_by_client_id("rest") == resting and exchange.open_orders() == [resting]


def test_a_restored_venue_keeps_the_same_bound():
    exchange = _venue(kept=2)
    first, second = (exchange.submit(market(SPOT, Side.BUY, "0.001")) for _ in range(2))
    restored = _venue(kept=2)
    restored.restore(exchange.snapshot())
    third = restored.submit(market(SPOT, Side.BUY, "0.001"))
    assert restored.order(first.id) is None and [restored.order(o.id) for o in (second, third)] == [second, third]
