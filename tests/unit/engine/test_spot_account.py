from decimal import Decimal

import pytest

from trading.domain.errors import InsufficientFunds, InvalidOrder
from trading.domain.orders import Order, OrderStatus, OrderType, Side
from trading.engine.account import ChangeKind
from trading.engine.spot_account import SpotAccount

from tests.unit.engine.markets import SPOT, SPOT_BTC


def _order(side: Side, amount: str, kind: OrderType = OrderType.MARKET, order_id: str = "P-1") -> Order:
    return Order(order_id, order_id, SPOT, side, kind, Decimal(amount), OrderStatus.OPEN, 0)


def _fill(account: SpotAccount, side: Side, amount: str, price: str, fee: str):
    return account.settle(_order(side, amount), SPOT_BTC, Decimal(amount), Decimal(price), Decimal(fee), 0)


def test_buy_pays_cost_plus_fee_in_quote_and_opens_a_holding():
    account = SpotAccount(Decimal(10_000))
    # 0.1 * 60,000 = 6,000 + fee 6 = 6,006
    [change] = _fill(account, Side.BUY, "0.1", "60000", "6")
    assert account.balances() == {"USDT": Decimal(3_994), "BTC": Decimal("0.1")}
    assert change.kind is ChangeKind.OPENED and change.position.entry_price == Decimal(60_000)


def test_adding_averages_the_entry_by_amount():
    account = SpotAccount(Decimal(30_000))
    _fill(account, Side.BUY, "0.1", "60000", "0")
    [change] = _fill(account, Side.BUY, "0.3", "64000", "0")
    # (0.1 * 60,000 + 0.3 * 64,000) / 0.4 = (6,000 + 19,200) / 0.4 = 63,000
    assert change.kind is ChangeKind.UPDATED
    assert change.position.entry_price == Decimal(63_000) and change.position.amount == Decimal("0.4")


def test_partial_sell_realises_pnl_on_the_part_sold():
    account = SpotAccount(Decimal(10_000))
    _fill(account, Side.BUY, "0.1", "60000", "6")
    [change] = _fill(account, Side.SELL, "0.04", "65000", "2.6")
    # realised (65,000 - 60,000) * 0.04 = 200; cash 3,994 + 2,600 - 2.6 = 6,591.4
    assert change.kind is ChangeKind.UPDATED and change.realized_pnl == Decimal(200)
    assert change.position.amount == Decimal("0.06") and change.position.fees_paid == Decimal("8.6")
    assert account.balances()["USDT"] == Decimal("6591.4")


def test_selling_the_rest_closes_the_holding():
    account = SpotAccount(Decimal(10_000))
    _fill(account, Side.BUY, "0.1", "60000", "0")
    [change] = _fill(account, Side.SELL, "0.1", "59000", "0")
    assert change.kind is ChangeKind.CLOSED and change.realized_pnl == Decimal(-100)
    assert account.positions({}) == []


def test_selling_what_is_not_held_is_refused():
    account = SpotAccount(Decimal(10_000))
    with pytest.raises(InsufficientFunds, match="cannot sell 0.1 BTC"):
        _fill(account, Side.SELL, "0.1", "60000", "0")


def test_buying_beyond_the_cash_is_refused_at_placement():
    account = SpotAccount(Decimal(1_000))
    # 0.1 * 60,000 * 1.001 = 6,006 > 1,000
    with pytest.raises(InsufficientFunds, match="needs 6,006.00 USDT, only 1,000.00 USDT"):
        account.reserve(_order(Side.BUY, "0.1"), SPOT_BTC, Decimal(60_000), None, None)


def test_a_refusal_writes_money_to_the_cent_the_need_up_and_the_cash_down_and_a_coin_with_its_digits():
    from trading.engine.account import require_funds
    # before: "needs 0.1171 USDT, only 0.11736165 USDT": money to eight places, and 1.23456 BTC written 1.23
    with pytest.raises(InsufficientFunds, match=r"^needs 0\.13 USDT, only 0\.11 USDT is available$"):
        require_funds("USDT", Decimal("0.1201"), Decimal("0.11736165"), money=True)
    with pytest.raises(InsufficientFunds, match=r"^needs 1\.23456 BTC, only 1\.2 BTC is available$"):
        require_funds("BTC", Decimal("1.23456"), Decimal("1.20000"))
    with pytest.raises(InsufficientFunds, match=r"^needs 12,000\.01 USDT, only 0\.00 USDT"):
        require_funds("USDT", Decimal("12000.001"), Decimal("-5"), money=True)


def test_two_open_buys_cannot_spend_the_same_cash():
    account = SpotAccount(Decimal(10_000))
    account.reserve(_order(Side.BUY, "0.1", OrderType.LIMIT, "P-1"), SPOT_BTC, Decimal(60_000), None, None)
    with pytest.raises(InsufficientFunds):
        account.reserve(_order(Side.BUY, "0.1", OrderType.LIMIT, "P-2"), SPOT_BTC, Decimal(60_000), None, None)
    account.release("P-1")
    account.reserve(_order(Side.BUY, "0.1", OrderType.LIMIT, "P-2"), SPOT_BTC, Decimal(60_000), None, None)


def test_stop_and_take_profit_on_the_same_coins_hold_nothing_until_they_fire():
    account = SpotAccount(Decimal(10_000))
    _fill(account, Side.BUY, "0.1", "60000", "0")
    account.reserve(_order(Side.SELL, "0.1", OrderType.STOP_MARKET, "P-2"), SPOT_BTC, Decimal(55_000), None, None)
    account.reserve(_order(Side.SELL, "0.1", OrderType.TAKE_PROFIT_MARKET, "P-3"), SPOT_BTC, Decimal(70_000),
                    None, None)
    assert account.free("BTC") == Decimal("0.1")


def test_leverage_is_refused_on_spot():
    with pytest.raises(InvalidOrder, match="cannot use leverage"):
        SpotAccount(Decimal(10_000)).reserve(_order(Side.BUY, "0.01"), SPOT_BTC, Decimal(60_000), None, 3)


def test_summary_values_holdings_at_their_marks():
    account = SpotAccount(Decimal(10_000))
    _fill(account, Side.BUY, "0.1", "60000", "6")
    summary = account.summary({SPOT: Decimal(61_000)})
    # cash 3,994 + 0.1 * 61,000 = 10,094
    assert summary.equity == Decimal(10_094) and summary.unrealized_pnl == Decimal(100)


def test_state_round_trip_restores_balances_and_holdings():
    account = SpotAccount(Decimal(10_000))
    _fill(account, Side.BUY, "0.1", "60000", "6")
    restored = SpotAccount(Decimal(1))
    restored.restore(account.to_state())
    assert restored.balances() == account.balances() and restored.positions({}) == account.positions({})
