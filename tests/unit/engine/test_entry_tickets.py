"""The card of the bot's own entry: its plan's figures at a price, worked out by hand."""
from decimal import Decimal as D

from hypothesis import given
from hypothesis import strategies as st

from trading.domain.decisions import Action, Decision
from trading.domain.instruments import Instrument
from trading.domain.manual_orders import OrderKind
from trading.domain.orders import OrderIntent, OrderType, Side
from trading.domain.positions import PositionSide
from trading.domain.signals import Signal
from trading.engine.entry_pipeline import EntryPlan
from trading.engine.entry_tickets import past_stop, plan_reason, plan_ticket
from trading.risk.sizing import PositionSize

BTC = Instrument("BTC/USDT", "BTC", "USDT")          # taker 0.1%, step 0.00001, tick 0.01
RULES = Decision(Action.ENTER, 0.7, "reward:risk 4.00, confidence 0.70", "rules")


def plan(side=PositionSide.LONG, stop="99000", target="104000", amount="0.05", quote=None, limit=None,
         strategy="A", reason="bullish order block retest", decision=RULES) -> EntryPlan:
    signal = Signal("BTC/USDT", strategy, side, D("100000"), D(stop) if stop else None, D(target), 0.7, 0, "15m",
                    reason, f"{strategy}:setup")
    intent = OrderIntent("BTC/USDT", side.entry_order_side, OrderType.LIMIT if limit else OrderType.MARKET,
                         amount=None if quote else D(amount), quote_amount=D(quote) if quote else None,
                         price=D(limit) if limit else None, client_order_id="ta-x")
    size = PositionSize(D(amount), D(amount) * 100_000, 1, D(amount) * 100_000, D("50"), "risk",
                        D(quote) if quote else None)
    return EntryPlan(signal, decision, intent, size, signal.stop, signal.take_profit, BTC.amount_step)


def test_a_market_long_shows_its_size_fill_fee_stop_target_and_the_risk_at_the_stop_with_both_fees():
    # 0.05 BTC at 100,500: notional 5,025, fee 5.025; risk 0.05 x 1,500 + 2 x 5.025 = 75 + 10.05 = 85.05
    ticket = plan_ticket(plan(), BTC, D("100500"), 1_000)
    (leg,) = ticket.legs
    assert (ticket.order.kind, ticket.order.symbol, ticket.order.quote) == (OrderKind.BUY, "BTC/USDT", D("5025"))
    assert (leg.side, leg.amount, leg.price, leg.limit, leg.quote_amount) == (Side.BUY, D("0.05"), D("100500"),
                                                                            None, None)
    assert (leg.fee, leg.risk, leg.stop, leg.target) == (D("5.025"), D("85.05"), D("99000"), D("104000"))
    assert ticket.quoted_ms == 1_000 and ticket.quote_asset == "USDT" and ticket.opens
    assert ticket.entry_symbols() == ("BTC/USDT",)


def test_a_spot_budget_buys_what_the_quote_buys_at_the_price_on_the_markets_step():
    # 1,000 USDT at 99,800: 0.0100200.. -> 0.01002 BTC; fee 1; risk 0.01002 x 800 + 2 = 8.016 + 2 = 10.016
    (leg,) = plan_ticket(plan(quote="1000", amount="0.01"), BTC, D("99800"), 0).legs
    assert (leg.amount, leg.quote_amount, leg.notional, leg.fee) == (D("0.01002"), D("1000"), D("1000"), D("1"))
    assert leg.risk == D("10.016")


def test_a_limit_entry_is_shown_at_its_own_price_whatever_the_market():
    # 0.05 at the limit 99,500: notional 4,975, fee 4.975; risk 0.05 x 500 + 9.95 = 34.95
    ticket = plan_ticket(plan(limit="99500"), BTC, D("101000"), 0)
    (leg,) = ticket.legs
    assert (leg.price, leg.limit, ticket.order.limit, leg.fee, leg.risk) == (
        D("99500"), D("99500"), D("99500"), D("4.975"), D("34.95"))


def test_a_short_is_a_short_ticket_and_its_stop_is_above():
    short = plan(PositionSide.SHORT, stop="101000", target="96000")
    (leg,) = plan_ticket(short, BTC, D("100000"), 0).legs
    assert plan_ticket(short, BTC, D("100000"), 0).order.kind is OrderKind.SHORT and leg.side is Side.SELL
    assert leg.risk == D("0.05") * 1000 + 2 * D("5")
    assert past_stop(short, D("101000")) and not past_stop(short, D("100999.99"))


def test_a_long_is_past_its_stop_at_or_under_it_and_a_stopless_plan_never_is():
    assert past_stop(plan(), D("99000")) and not past_stop(plan(), D("99000.01"))
    assert not past_stop(plan(stop=""), D("1"))


def test_the_reason_names_the_strategy_its_setup_and_the_decision_or_the_llms_own_words():
    assert plan_reason(plan()) == ("A long (15m): bullish order block retest; rules: reward:risk 4.00, "
                                   "confidence 0.70")
    llm = Decision(Action.ENTER, 0.8, "demand holds", "gpt-x")
    assert plan_reason(plan(strategy="llm", reason="gpt-x BUY (0.80): demand holds", decision=llm)) == \
        "gpt-x BUY (0.80): demand holds"
    assert len(plan_reason(plan(reason="x" * 500))) == 300


@given(st.decimals(min_value=D("90000"), max_value=D("110000"), places=2))
def test_a_ticket_moves_by_the_price_and_binds_it_in_its_hash(price):
    first, then = plan_ticket(plan(), BTC, D("100000"), 0), plan_ticket(plan(), BTC, price, 0)
    assert first.same_orders(then)
    assert first.moved_bps(then) == abs(price - D("100000")) / D("100000") * 10_000
    assert first.canonical() != then.canonical() or price == D("100000")     # a moved price is a new hash
