"""What a live /closeall card and its code reply say of the dust they leave, and of a follow-up that failed."""
from decimal import Decimal as D

from bot.views.approvals import card_text, code_reply, result_text
from trading.domain.approvals import Approval, TapOutcome, TapResult
from trading.domain.confirmations import Confirmation
from trading.domain.manual_orders import Leg, ManualOrder, OrderKind, OrderTicket
from trading.domain.orders import Order, OrderStatus, OrderType, Side

DUST = "0.00004 BTC left: below the smallest order, it cannot be sold alone"
LATE = "The order went out, but reading it back failed (the exchange is not answering): the bot will pick ..."


def close_all() -> Approval:
    leg = Leg("ETH/USDT", Side.SELL, D("0.0388"), D("2575.00"), D("0.0999"))
    ticket = OrderTicket(ManualOrder(OrderKind.CLOSE_ALL), (leg,), 0, notes=(DUST,))
    return Approval(Confirmation("a1", 1, 1, "approval", "h", 0, 120_000), ticket, ("ta-a1-0",), "manual")


def test_the_card_and_the_code_reply_name_the_dust_left_and_a_failed_follow_up():
    approval = close_all()
    order = Order("9", "ta-a1-0", "ETH/USDT", Side.SELL, OrderType.MARKET, D("0.0388"), OrderStatus.FILLED, 0,
                  filled=D("0.0388"), avg_price=D("2575"), fee=D("0.0999"))
    placed = TapResult(TapOutcome.PLACED, approval, orders=(order,), detail=LATE)
    assert f"ℹ️ {DUST}" in card_text(approval).splitlines()
    assert code_reply(placed).splitlines() == ["✅ Code accepted. ✅ Sold 0.0388 ETH/USDT at 2,575.00 (value 99.91, "
                                               "fee 0.0999), order <code>9</code>", f"⚠️ {LATE}", f"ℹ️ {DUST}"]
    assert result_text(placed).endswith(f"⚠️ {LATE}\nℹ️ {DUST}")
