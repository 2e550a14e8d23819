"""Amounts the user reads are the ones the exchange gets: on the market's step; prices on its tick (BTC/USDT:USDT:
a tick of 0.1 and a step of 0.001)."""
from decimal import Decimal as D

import pytest

from bot.views.approvals import card_text, code_reply, receipt
from bot.views.decisions import decision_text
from bot.views.portfolio import balance_text, orders_text, positions_text, trades_text
from trading.adapters.sqlite_ledger import TradeRow
from trading.domain.approvals import Approval, TapOutcome, TapResult
from trading.domain.confirmations import Confirmation
from trading.domain.decision_log import DecisionRecord
from trading.domain.instruments import Instrument, MarketKind, amount_text
from trading.domain.manual_orders import Leg, ManualOrder, OrderKind, OrderTicket
from trading.domain.orders import Order, OrderStatus, OrderType, Side
from trading.engine.account import AccountSummary
from trading.domain.positions import Position, PositionSide
from trading.domain.approval_cards import describe
from trading.services.portfolio import BalanceReport, PositionView
from trading.services.report_text import report_text
from trading.services.reports import Report, ReportPeriod

PERP = "BTC/USDT:USDT"
TICK, STEP = D("0.1"), D("0.001")
RAW = D("0.00171556160195711267551267414")      # 200 USDT / 116,579.3: what the prompt used to print


@pytest.mark.parametrize("value, step, text", [
    (RAW, STEP, "0.001"),                  # down, as the order is rounded: never more than sized
    (D("0.0019999"), STEP, "0.001"),
    (D("0.010"), STEP, "0.010"),           # the step's decimals, none beyond
    (D("1234.5678"), D("0.01"), "1,234.56"),
    (D("1500"), D("1"), "1,500"),
    (D("0.00120000"), None, "0.0012"),     # no market known: as it carries, without trailing zeros
])
def test_an_amount_is_shown_down_on_the_markets_step_with_its_decimals(value, step, text):
    assert amount_text(value, step) == text


def perp_leg(**figures) -> Leg:
    base = dict(symbol=PERP, side=Side.BUY, amount=D("0.001"), price=D("116579.3"), fee=D("0.0582896500"),
                price_tick=TICK, amount_step=STEP)
    return Leg(**{**base, **figures})


def ticket(leg: Leg) -> OrderTicket:
    return OrderTicket(ManualOrder(OrderKind.BUY, PERP, D(200)), (leg,), 0)


def test_the_code_prompt_names_the_amount_on_the_step():
    # a card stored before the fix carries the unrounded amount: it is still told as the exchange gets it
    assert describe(ticket(perp_leg(amount=RAW))) == "buy 0.001 BTC/USDT:USDT"
    assert describe(ticket(perp_leg(amount=D("0.012")))) == "buy 0.012 BTC/USDT:USDT"


def test_the_code_prompt_of_a_spot_market_buy_names_its_quote_to_the_cent():
    leg = Leg("BTC/USDT", Side.BUY, D("0.00042"), D("117380.36"), D("0.05"), quote_amount=D("50"))
    assert describe(OrderTicket(ManualOrder(OrderKind.BUY, "BTC/USDT", D(50)), (leg,), 0)) == \
        "buy 50.00 USDT BTC/USDT"


def test_the_card_shows_the_amount_on_the_step_and_its_prices_on_the_tick():
    # 0.001 x 116,579.3 = 116.5793 -> 116.58; the stop 104,921.37 (10% below, unrounded) -> 104,921.4 on the tick;
    # the target 128,237.23 -> 128,237.2; risk 0.001 x 11,657.93 + 2 x 0.11658 = 11.89105 -> 11.89
    leg = perp_leg(amount=D("0.00100"), stop=D("104921.37"), target=D("128237.23"), risk=D("11.89105"))
    confirmation = Confirmation("a1", 1, 1, "approval", "h", 0, 120_000)
    lines = card_text(Approval(confirmation, ticket(leg), ("ta-a1-0",), "manual")).splitlines()
    assert lines[1:5] == ["<b>BTC/USDT:USDT</b> BUY 0.001 ≈ 116.58 USDT (market)",
                          "Est. fill 116,579.3 · fees ≈ 0.0583 USDT", "Leverage 1x · margin ≈ 116.58 USDT",
                          "Stop 104,921.4 · target zone 128,237.2 · risk ≈ 11.89 USDT"]


def test_orders_and_trades_show_prices_on_the_tick_and_amounts_on_the_step():
    # a limit at 116,579.349 -> 116,579.3; a paper fill averaged to 116,473.46785 -> 116,473.5; 0.0015 -> 0.001
    market = Instrument(PERP, "BTC", "USDT", MarketKind.PERP, price_tick=TICK, amount_step=STEP)
    order = Order("P-3", "c", PERP, Side.BUY, OrderType.LIMIT, D("0.0015"), OrderStatus.OPEN, 0, price=D("116579.349"))
    trade = TradeRow(0, "P-1", PERP, "buy", D("0.0010"), D("116473.46785"), D("0.0582367"), "USDT")
    orders = orders_text([order], {PERP: market})
    trades = trades_text([trade], {PERP: market})
    assert "<code>P-3</code> buy 0.001 BTC/USDT:USDT limit @ 116,579.3 (filled 0.000)" in orders
    assert trades.splitlines()[1] == "01-01 00:00 <code>P-1</code> buy 0.001 BTC/USDT:USDT @ 116,473.5 fee 0.0582 USDT"
    assert trades.splitlines()[-1] == "/why ORDER_ID tells why the bot placed an order."


def test_a_decision_in_the_journal_shows_its_mark_as_a_price():
    # a mark averaged on a replay: 116,473.467851 carries six decimals (no market at hand: as it carries, 2 to 8,
    # with separators); it used to read "at 116473.467851000"
    record = DecisionRecord(0, PERP, "BUY", 0.7, "llm", "gpt", "sweep", mark=D("116473.467851000"), id=7)
    assert ", by gpt, at 116,473.467851\n" in decision_text(record)


def test_the_answer_to_the_code_tells_the_fill_on_the_tick_and_the_amount_on_the_step():
    # Binance averages a fill: 116,473.46785 -> 116,473.5 on the 0.1 tick; 0.0010 -> 0.001; value 116.47346785
    leg = perp_leg()
    approval = Approval(Confirmation("a1", 1, 1, "approval", "h", 0, 120_000), ticket(leg), ("ta-a1-0",), "manual")
    order = Order("9", "ta-a1-0", PERP, Side.BUY, OrderType.MARKET, D("0.0010"), OrderStatus.FILLED, 0,
                  filled=D("0.0010"), avg_price=D("116473.46785"), fee=D("0.0582367"))
    assert code_reply(TapResult(TapOutcome.PLACED, approval, orders=(order,))) == \
        "✅ Code accepted. ✅ Bought 0.001 BTC/USDT:USDT at 116,473.5 (value 116.47, fee 0.0582), order <code>9</code>"


SPOT_BTC = Instrument("BTC/USDT", "BTC", "USDT", MarketKind.SPOT, price_tick=D("0.01"), amount_step=D("0.00001"))


def held_view() -> PositionView:
    # a spot buy whose fee was taken in BTC holds 0.00935064 (off the 0.00001 step); averaged entry 106,842.1537
    held = Position("BTC/USDT", PositionSide.LONG, D("0.00935064"), D("106842.1537"), 0)
    return PositionView(held, D("107000.004"), SPOT_BTC.price_tick, SPOT_BTC.amount_step)


def test_positions_show_the_amount_down_on_the_step_and_prices_on_the_tick():
    lines = positions_text([held_view()]).splitlines()
    assert lines[2] == "<b>BTC/USDT</b> LONG 0.00935"          # it used to read 0.00935064
    assert lines[3] == "Entry 106,842.15 → mark 107,000.00"


def test_the_report_shows_the_amount_down_on_the_step_and_prices_on_the_tick():
    # (107,000.004 - 106,842.1537) x 0.00935064 = 1.47601... -> +1.48; 157.8503 / 106,842.1537 = 0.1477% -> +0.15%
    report = Report(ReportPeriod.DAY, "UTC", 0, 0, D("10000"), None, None, None, "BTC/USDT", None, (held_view(),),
                    (), 0, None, None)
    assert "  BTC/USDT long 0.00935 @ 106,842.15 -> 107,000.00 (+1.48, +0.15%)" in report_text(report).splitlines()


def test_the_balance_shows_holdings_with_thousands_separators():
    summary = AccountSummary("USDT", D("10"), D("0"), D("0"), D("0"))
    report = BalanceReport("paper", "spot", summary, {"USDT": D("10"), "DOGE": D("12345.670")}, D("10"))
    assert "Holdings: 12,345.67 DOGE" in balance_text(report)


def test_a_plain_receipt_tells_the_fill_on_the_tick_and_the_amount_on_the_step_of_its_ticket():
    # a paper /buy 1000 USDT on the perp: 0.0090 at an averaged 116,473.46785 -> 116,473.5 on the 0.1 tick;
    # value 0.009 x 116,473.46785 = 1,048.26121065 -> 1,048.26; fee 0.5241306 -> 0.5241
    order = Order("P-1", "c", PERP, Side.BUY, OrderType.MARKET, D("0.0090"), OrderStatus.FILLED, 0,
                  filled=D("0.0090"), avg_price=D("116473.46785"), fee=D("0.5241306"))
    assert receipt(order, ticket(perp_leg(amount=D("0.009")))) == \
        "✅ Bought 0.009 BTC/USDT:USDT at 116,473.5 (value 1,048.26, fee 0.5241), order <code>P-1</code>"


@pytest.mark.parametrize("kind, side, reduce_only, verb", [
    (OrderKind.SHORT, Side.SELL, False, "Opened short"), (OrderKind.COVER, Side.BUY, True, "Covered"),
    (OrderKind.CLOSE, Side.BUY, True, "Covered"), (OrderKind.CLOSE, Side.SELL, True, "Sold"),
    (OrderKind.SELL, Side.SELL, True, "Sold")])
def test_a_short_receipt_says_it_opened_a_short_and_a_buy_back_says_covered(kind, side, reduce_only, verb):
    # 0.009 x 116,473.5 = 1,048.2615 -> 1,048.26
    order = Order("P-4", "c", PERP, side, OrderType.MARKET, D("0.009"), OrderStatus.FILLED, 0, filled=D("0.009"),
                  avg_price=D("116473.5"), fee=D("0.5241"), reduce_only=reduce_only)
    leg = perp_leg(side=side, amount=D("0.009"), reduce_only=reduce_only)
    assert receipt(order, OrderTicket(ManualOrder(kind, PERP), (leg,), 0)) == \
        f"✅ {verb} 0.009 BTC/USDT:USDT at 116,473.5 (value 1,048.26, fee 0.5241), order <code>P-4</code>"


def test_a_cancel_receipt_tells_the_amount_on_the_step_of_its_ticket():
    order = Order("P-3", "c", PERP, Side.BUY, OrderType.LIMIT, D("1.2"), OrderStatus.CANCELLED, 0, price=D("100000"))
    leg = perp_leg(amount=D("1.2"), cancel_id="P-3")
    assert receipt(order, ticket(leg)) == "Cancelled <code>P-3</code>: buy 1.200 BTC/USDT:USDT"   # was 1.2
