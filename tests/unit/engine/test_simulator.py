from decimal import Decimal

from trading.domain.candles import Candle
from trading.domain.orders import Order, OrderStatus, OrderType, Side
from trading.engine.simulator import Execution, PriceBar, execution_for, fee_for, on_tick, triggers_immediately
from trading.engine.slippage import NO_SLIPPAGE, SlippageModel

from tests.unit.engine.markets import SPOT, SPOT_BTC

BAR = PriceBar(0, open=Decimal(100), high=Decimal(110), low=Decimal(90), close=Decimal(105), volume=Decimal(50))
ONE = Decimal(1)


def _order(side: Side, kind: OrderType, price: str | None = None, trigger: str | None = None) -> Order:
    return Order("P-1", "c", SPOT, side, kind, ONE, OrderStatus.OPEN, 0,
                 price=Decimal(price) if price else None, stop_price=Decimal(trigger) if trigger else None)


def test_market_order_takes_the_open_plus_slippage():
    # 5 bps + 10 bps x (1 x 100 = 100 quote, two depths of 50) = 25 bps of 100 = 0.25, whatever the volume
    model = SlippageModel(Decimal(5), Decimal(10), Decimal(50), Decimal(100))
    assert execution_for(_order(Side.BUY, OrderType.MARKET), BAR, ONE, model, fresh=True) == \
        Execution(Decimal("100.25"), is_maker=False)


def test_resting_limit_fills_at_its_price_only_when_traded_through():
    assert execution_for(_order(Side.BUY, OrderType.LIMIT, "95"), BAR, ONE, NO_SLIPPAGE, False) == \
        Execution(Decimal(95), is_maker=True)
    touched_only = _order(Side.BUY, OrderType.LIMIT, "90")
    assert execution_for(touched_only, BAR, ONE, NO_SLIPPAGE, False) is None
    assert execution_for(_order(Side.SELL, OrderType.LIMIT, "109"), BAR, ONE, NO_SLIPPAGE, False) == \
        Execution(Decimal(109), is_maker=True)


def test_marketable_limit_takes_the_open_as_taker_but_never_beyond_its_price():
    assert execution_for(_order(Side.BUY, OrderType.LIMIT, "102"), BAR, ONE, NO_SLIPPAGE, True) == \
        Execution(Decimal(100), is_maker=False)
    # 5% slippage would pay 105, the limit caps it at 102
    steep = SlippageModel(Decimal(500), Decimal(0), None, Decimal(500))
    assert execution_for(_order(Side.BUY, OrderType.LIMIT, "102"), BAR, ONE, steep, True) == \
        Execution(Decimal(102), is_maker=False)


def test_stop_triggers_on_touch_and_fills_at_the_open_after_a_gap():
    assert execution_for(_order(Side.SELL, OrderType.STOP_MARKET, trigger="90"), BAR, ONE, NO_SLIPPAGE, False) == \
        Execution(Decimal(90), is_maker=False)
    gap_down = PriceBar(0, Decimal(80), Decimal(85), Decimal(75), Decimal(82))
    assert execution_for(_order(Side.SELL, OrderType.STOP_MARKET, trigger="90"), gap_down, ONE,
                         NO_SLIPPAGE, False).price == Decimal(80)
    assert execution_for(_order(Side.BUY, OrderType.STOP_MARKET, trigger="111"), BAR, ONE, NO_SLIPPAGE,
                         False) is None


def test_take_profit_triggers_in_the_direction_of_profit():
    assert execution_for(_order(Side.SELL, OrderType.TAKE_PROFIT_MARKET, trigger="108"), BAR, ONE,
                         NO_SLIPPAGE, False).price == Decimal(108)
    gap_up = PriceBar(0, Decimal(120), Decimal(125), Decimal(118), Decimal(121))
    assert execution_for(_order(Side.SELL, OrderType.TAKE_PROFIT_MARKET, trigger="108"), gap_up, ONE,
                         NO_SLIPPAGE, False).price == Decimal(120)
    assert execution_for(_order(Side.BUY, OrderType.TAKE_PROFIT_MARKET, trigger="91"), BAR, ONE,
                         NO_SLIPPAGE, False).price == Decimal(91)


def test_triggers_immediately_compares_with_the_last_price():
    assert triggers_immediately(OrderType.STOP_MARKET, Side.SELL, Decimal(100), Decimal(99))
    assert not triggers_immediately(OrderType.STOP_MARKET, Side.SELL, Decimal(100), Decimal(101))
    assert triggers_immediately(OrderType.TAKE_PROFIT_MARKET, Side.SELL, Decimal(100), Decimal(101))


def test_fee_is_notional_times_the_maker_or_taker_rate():
    # 0.5 * 60,000 = 30,000 notional * 0.1% = 30
    assert fee_for(SPOT_BTC, Decimal("0.5"), Decimal(60_000), is_maker=False) == Decimal(30)


def test_price_bar_from_candle_keeps_the_exact_decimal_text():
    bar = PriceBar.from_candle(Candle(60_000, 0.1, 0.3, 0.05, 0.2, 12.5))
    assert (bar.open, bar.high, bar.low, bar.close, bar.volume) == \
        (Decimal("0.1"), Decimal("0.3"), Decimal("0.05"), Decimal("0.2"), Decimal("12.5"))


def test_fill_prices_move_onto_the_tick_grid_against_the_taker():
    assert on_tick(Decimal("117403.836072"), Decimal("0.01"), Side.BUY) == Decimal("117403.84")
    assert on_tick(Decimal("117356.883928"), Decimal("0.01"), Side.SELL) == Decimal("117356.88")
    assert on_tick(Decimal("100.10"), Decimal("0.10"), Side.BUY) == Decimal("100.10")
