"""What the user reads when the entry gate cancels resting entry orders, or a position opened while it refused:
amounts on the market's step, prices on its tick, the refusing rule's reason (how to lift it) and what to type."""
from __future__ import annotations

from decimal import Decimal as D

from tests.fakes.trading_setups import MARKETS, PERP, SPOT, T0, position
from trading.domain.events import EventKind, Severity
from trading.domain.orders import Order, OrderStatus, OrderType, Side
from trading.engine.trading_engine import TradingEngine
from trading.risk.verdicts import RiskRule, Verdict
from trading.services import loop_notices as notices

DAILY = Verdict(RiskRule.DAILY_LOSS, "Daily loss limit hit: -700.00 today. New positions are refused until midnight.")
FULL = Verdict(RiskRule.MAX_OPEN_POSITIONS, "3 positions open, the maximum is 3 (MAX_OPEN_POSITIONS). Close one "
                                            "to open another.")


def limit(order_id: str, symbol: str, amount: str, price: str | None, filled: str = "0") -> Order:
    kind = OrderType.LIMIT if price is not None else OrderType.MARKET
    return Order(order_id, f"manual-{order_id}", symbol, Side.BUY, kind, D(amount), OrderStatus.OPEN, T0,
                 price=D(price) if price is not None else None, filled=D(filled))


def test_a_cancelled_order_shows_what_is_left_on_the_step_and_its_limit_on_the_tick() -> None:
    # 0.0100 BTC of which 0.0025 filled: 0.0075 left, on the perp's 0.001 step 0.007; 99,000.05 on its 0.1 tick
    perp = limit("7", PERP, "0.0100", "99000.05", filled="0.0025")
    assert notices.order_line(perp, MARKETS[PERP]) == f"buy 0.007 {PERP} limit 99,000.0 (id 7)"
    assert notices.order_line(limit("8", SPOT, "0.5", None), MARKETS[SPOT]) == f"buy 0.50000 {SPOT} (id 8)"
    assert notices.order_line(limit("9", "XRP/USDT", "1200", "0.5"), None) == "buy 1,200 XRP/USDT limit 0.50 (id 9)"


def test_the_kill_switch_notice_lists_on_the_step_and_tick() -> None:
    event = notices.entries_cancelled([limit("1", PERP, "0.00100", "100000")], T0, MARKETS)
    assert event.message == f"Kill switch cancelled 1 open entry order: buy 0.001 {PERP} limit 100,000.0 (id 1)."


def test_one_notice_groups_the_cancelled_orders_under_each_refusing_rule() -> None:
    event = notices.entries_refused([(limit("1", PERP, "0.002", "100000"), DAILY),
                                     (limit("2", SPOT, "0.01", "101000.126"), DAILY),
                                     (limit("3", "ETH/USDT", "0.3", "3000"), FULL)], T0, MARKETS)
    assert event.message == (
        "Cancelled 3 resting entry orders the entry gate refuses now (left open, it could fill and open a position "
        "no rule allowed; lifting the rule does not place it again). "
        f"buy 0.002 {PERP} limit 100,000.0 (id 1); buy 0.01000 {SPOT} limit 101,000.13 (id 2): {DAILY.reason} "
        f"buy 0.3 ETH/USDT limit 3,000.00 (id 3): {FULL.reason}")
    assert (event.kind, event.severity, event.notify) == (EventKind.RISK_LIMIT, Severity.WARNING, True)
    assert event.data == {"cancelled": ["1", "2", "3"], "rules": ["daily_loss", "max_open_positions"]}


def test_a_position_opened_while_refused_names_the_rule_its_stop_and_close() -> None:
    engine = TradingEngine()
    guard = engine.on_position_opened(position(PERP, amount="0.0025"), T0, None, D("0.001"), D("0.1"))
    told = notices.filled_while_refused(guard, DAILY, (D("45000.04"), "hard stop"), False, T0)
    assert told.message == (f"FILLED WHILE REFUSED: long 0.002 {PERP} opened although new positions are refused "
                            f"(daily_loss): {DAILY.reason} It is guarded by the protective exits (its hard stop at "
                            f"45,000.0). Type /close {PERP} to close it now.")
    flat = notices.filled_while_refused(guard, DAILY, (None, ""), True, T0)
    assert flat.message.endswith(f"{DAILY.reason} The kill switch (flat) closes it at market now.")
    assert flat.severity is Severity.WARNING and flat.data["rule"] == "daily_loss"


def test_the_command_to_place_a_cancelled_limit_again_gives_the_same_amount_back() -> None:
    from trading.domain.instruments import Instrument
    from trading.services.resting_entries import RestingEntries
    shib = Instrument("SHIB/USDT", "SHIB", "USDT", price_tick=D("0.00000001"), amount_step=D("1"))
    again = RestingEntries(None, None, None, {"SHIB/USDT": shib})._again(  # type: ignore[arg-type]
        [limit("5", "SHIB/USDT", "1000100", "0.00001234")])
    # 1,000,100 x 0.00001234 = 12.341234 exactly; /buy sizes 12.341234 / 0.00001234 = 1,000,100 on the step
    # (a quote rounded up to the cent, 12.35, bought 1,000,810)
    assert again == "\nTo place again once it is lifted: /buy SHIB/USDT 12.341234 limit 0.00001234"
    assert D("12.341234") / D("0.00001234") == D("1000100")
