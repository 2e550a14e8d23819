from decimal import Decimal

import pytest

from trading.domain.errors import InsufficientFunds, InvalidOrder
from trading.domain.orders import Order, OrderStatus, OrderType, Side
from trading.domain.positions import PositionSide
from trading.engine.account import ChangeKind
from trading.engine.futures_account import FuturesAccount

from tests.unit.engine.markets import PERP, PERP_BTC

CENT = Decimal("0.01")


def _order(side: Side, amount: str, reduce_only: bool = False, kind: OrderType = OrderType.MARKET) -> Order:
    return Order("P-1", "P-1", PERP, side, kind, Decimal(amount), OrderStatus.OPEN, 0, reduce_only=reduce_only)


def _fill(account: FuturesAccount, side: Side, amount: str, price: str, *, leverage: int | None = None,
          reduce_only: bool = False):
    """Reserve then settle at price with the taker fee, as the exchange does."""
    order = _order(side, amount, reduce_only)
    account.reserve(order, PERP_BTC, Decimal(price), None, leverage)
    account.release(order.id)
    fee = Decimal(amount) * Decimal(price) * PERP_BTC.taker_fee
    return account.settle(order, PERP_BTC, Decimal(amount), Decimal(price), fee, 0)


def test_long_at_10x_takes_a_tenth_of_the_notional_as_margin():
    account = FuturesAccount(Decimal(10_000))
    [change] = _fill(account, Side.BUY, "0.1", "60000", leverage=10)
    # notional 6,000 -> margin 600; taker fee 6,000 * 0.05% = 3; cash 10,000 - 603 = 9,397
    position = change.position
    assert (position.margin, position.fees_paid, position.leverage) == (Decimal(600), Decimal(3), 10)
    summary = account.summary({PERP: Decimal(61_000)})
    # unrealised (61,000 - 60,000) * 0.1 = 100; equity = wallet 9,997 + 100
    assert summary.cash == Decimal(9_397) and summary.unrealized_pnl == Decimal(100)
    assert summary.equity == Decimal(10_097)
    assert account.liquidation_price(PERP).quantize(CENT) == Decimal("54216.87")


def test_short_at_5x_profits_when_price_falls():
    account = FuturesAccount(Decimal(10_000))
    [change] = _fill(account, Side.SELL, "0.1", "60000", leverage=5)
    # margin 6,000 / 5 = 1,200; fee 3; unrealised at 59,000: (59,000 - 60,000) * 0.1 * -1 = 100
    assert change.position.side is PositionSide.SHORT and change.position.margin == Decimal(1_200)
    assert account.summary({PERP: Decimal(59_000)}).unrealized_pnl == Decimal(100)
    assert account.liquidation_price(PERP).quantize(CENT) == Decimal("71713.15")


def test_adding_averages_the_entry_and_partial_close_realises_its_share():
    account = FuturesAccount(Decimal(10_000))
    _fill(account, Side.BUY, "0.1", "60000", leverage=10)
    [added] = _fill(account, Side.BUY, "0.1", "62000")
    # entry (6,000 + 6,200) / 0.2 = 61,000; margin 600 + 620 = 1,220; cash 9,397 - 620 - 3.1 = 8,773.9
    assert added.position.entry_price == Decimal(61_000) and added.position.margin == Decimal(1_220)
    [reduced] = _fill(account, Side.SELL, "0.05", "63000", reduce_only=True)
    # realised (63,000 - 61,000) * 0.05 = 100; margin released 1,220 * 0.05 / 0.2 = 305;
    # fee 0.05 * 63,000 * 0.05% = 1.575; cash 8,773.9 + 305 + 100 - 1.575 = 9,177.325
    assert reduced.kind is ChangeKind.UPDATED and reduced.realized_pnl == Decimal(100)
    assert reduced.position.margin == Decimal(915) and reduced.position.amount == Decimal("0.15")
    assert account.summary({}).cash == Decimal("9177.325")


def test_an_opposite_order_larger_than_the_position_reverses_it():
    account = FuturesAccount(Decimal(10_000))
    _fill(account, Side.BUY, "0.1", "60000", leverage=10)
    closed, opened = _fill(account, Side.SELL, "0.3", "61000")
    # close 0.1: +100 realised; open 0.2 short at 61,000 with the symbol's 10x: margin 1,220
    assert closed.kind is ChangeKind.CLOSED and closed.realized_pnl == Decimal(100)
    assert opened.kind is ChangeKind.OPENED and opened.position.side is PositionSide.SHORT
    assert opened.position.amount == Decimal("0.2") and opened.position.margin == Decimal(1_220)


def test_leverage_above_the_cap_is_refused():
    account = FuturesAccount(Decimal(10_000), leverage_cap=20)
    with pytest.raises(InvalidOrder, match="use 1x to 20x"):
        _fill(account, Side.BUY, "0.1", "60000", leverage=25)


def test_leverage_cannot_change_while_a_position_is_open():
    account = FuturesAccount(Decimal(10_000))
    _fill(account, Side.BUY, "0.1", "60000", leverage=10)
    with pytest.raises(InvalidOrder, match="open 10x position"):
        _fill(account, Side.BUY, "0.1", "60000", leverage=5)


def test_a_reduce_only_order_leaves_the_symbol_leverage_alone():
    account = FuturesAccount(Decimal(10_000))
    account.reserve(_order(Side.BUY, "0.1"), PERP_BTC, Decimal(60_000), None, 10)
    account.reserve(_order(Side.SELL, "0.1", reduce_only=True, kind=OrderType.STOP_MARKET), PERP_BTC,
                    Decimal(55_000), None, 3)
    assert account.leverage_for(PERP_BTC, None) == 10


def test_a_position_above_the_bracket_for_its_leverage_is_refused():
    account = FuturesAccount(Decimal(1_000_000), leverage_cap=125)
    # at 125x BTC allows 50,000 notional; 1 BTC at 60,000 is above it
    with pytest.raises(InvalidOrder, match="above the 50000 USDT allowed at 125x"):
        _fill(account, Side.BUY, "1", "60000", leverage=125)


def test_margin_and_fee_beyond_the_cash_are_refused():
    account = FuturesAccount(Decimal(500))
    # 0.1 at 60,000, 10x: 600 margin + 3 fee > 500
    with pytest.raises(InsufficientFunds, match="needs 603.00 USDT"):
        _fill(account, Side.BUY, "0.1", "60000", leverage=10)


def test_funding_moves_the_isolated_margin_and_is_counted_on_the_position():
    account = FuturesAccount(Decimal(10_000))
    _fill(account, Side.BUY, "0.1", "60000", leverage=10)
    # 0.1 * 60,000 * 0.0001 = 0.6 paid by the long out of its 600 margin
    assert account.apply_funding(PERP, 0, Decimal("0.0001"), Decimal(60_000)) == Decimal("0.6")
    position = account.position(PERP)
    assert position.margin == Decimal("599.4") and position.funding_paid == Decimal("0.6")


def test_liquidation_loses_the_margin_and_leaves_the_cash():
    account = FuturesAccount(Decimal(10_000))
    _fill(account, Side.BUY, "0.1", "60000", leverage=10)
    change = account.liquidate(PERP, 0, Decimal(54_000))
    assert change.kind is ChangeKind.CLOSED and change.realized_pnl == Decimal(-600)
    assert account.balances() == {"USDT": Decimal(9_397)} and account.position(PERP) is None


def test_a_close_past_bankruptcy_costs_the_margin_only():
    account = FuturesAccount(Decimal(603))
    _fill(account, Side.BUY, "0.1", "60000", leverage=10)
    # price gapped to 50,000: loss 1,000 > margin 600; the account keeps 0, not -400
    _fill(account, Side.SELL, "0.1", "50000", reduce_only=True)
    assert account.balances() == {"USDT": Decimal(0)}


def test_state_round_trip_restores_cash_positions_and_leverage():
    account = FuturesAccount(Decimal(10_000))
    _fill(account, Side.SELL, "0.1", "60000", leverage=7)
    restored = FuturesAccount(Decimal(1))
    restored.restore(account.to_state())
    assert restored.positions({}) == account.positions({}) and restored.balances() == account.balances()
    assert restored.leverage_for(PERP_BTC, None) == 7
