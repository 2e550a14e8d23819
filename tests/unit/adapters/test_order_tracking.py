from dataclasses import replace
from decimal import Decimal

from trading.adapters.order_tracking import (LimitTimeout, acknowledged, can_place_remainder, follow, on_timeout,
                                             plain, timed_out)
from trading.domain.instruments import Instrument
from trading.domain.orders import Order, OrderStatus, OrderType, Side

BTC = Instrument("BTC/USDT", "BTC", "USDT", maker_fee=Decimal("0.001"), taker_fee=Decimal("0.002"),
                 min_notional=Decimal("5"))
OPEN = Order("1", "ta-1", "BTC/USDT", Side.BUY, OrderType.LIMIT, Decimal("0.03"), OrderStatus.OPEN, 1_000,
             price=Decimal("100"))


def test_the_fill_between_two_looks_is_priced_from_the_change_in_cost():
    before = replace(OPEN, status=OrderStatus.PARTIALLY_FILLED, filled=Decimal("0.01"), avg_price=Decimal("100"))
    after = replace(OPEN, status=OrderStatus.FILLED, filled=Decimal("0.03"), avg_price=Decimal("98"), updated_ms=5)

    update = follow(before, after, BTC, 9)

    # 0.03 x 98 - 0.01 x 100 = 1.94 for 0.02: 97 each; a resting limit pays the maker fee
    assert (update.fill.amount, update.fill.price, update.fill.ts_ms) == (Decimal("0.02"), Decimal("97"), 5)
    assert update.fill.fee == Decimal("0.02") * 97 * Decimal("0.001") and update.fill.is_maker
    assert update.ended and update.order.fee == update.fill.fee


def test_a_reported_fee_wins_over_the_estimate():
    after = replace(OPEN, status=OrderStatus.FILLED, filled=Decimal("0.03"), avg_price=Decimal("100"),
                    fee=Decimal("0.5"))

    assert follow(OPEN, after, BTC, 9, resting=False).fill.fee == Decimal("0.5")


def test_a_stale_answer_never_undoes_a_fill():
    before = replace(OPEN, status=OrderStatus.PARTIALLY_FILLED, filled=Decimal("0.01"), avg_price=Decimal("100"))

    update = follow(before, OPEN, BTC, 9)

    assert update.fill is None and update.order.filled == Decimal("0.01")


def test_a_first_look_starts_open_and_unfilled_so_its_fills_are_told():
    seen = replace(OPEN, status=OrderStatus.FILLED, filled=Decimal("0.03"), avg_price=Decimal("100"))

    first = acknowledged(seen, "entry")

    assert (first.status, first.filled, first.reason) == (OrderStatus.OPEN, Decimal(0), "entry")


def test_limit_timeout_and_what_is_left_to_place():
    assert not timed_out(OPEN, 60_999, 60_000) and timed_out(OPEN, 61_000, 60_000)
    assert not timed_out(replace(OPEN, type=OrderType.STOP_MARKET), 10**9, 60_000)
    dust = replace(OPEN, filled=Decimal("0.0299"))
    assert can_place_remainder(OPEN, BTC, Decimal("1000")) and not can_place_remainder(dust, BTC, Decimal("1000"))


def test_plain_numbers_never_use_exponents():
    assert str(plain(Decimal("90000.00000000"))) == "90000" and str(plain(Decimal("0.01000"))) == "0.01"


ENTRY = "ta-0123456789abcdef0123"


def test_only_the_engine_s_limits_time_out_its_entries_by_a_cancel_alone():
    reprice, cancel = LimitTimeout.REPRICE, LimitTimeout.CANCEL
    # the engine's exit (and a reducing order of the engine's) follows the rule; its entry is only cancelled
    assert on_timeout(OPEN, f"{ENTRY}-x2", reprice) is reprice and on_timeout(OPEN, f"{ENTRY}-x2", cancel) is cancel
    assert on_timeout(replace(OPEN, reduce_only=True), "ta-0badc0ffee-sl", reprice) is reprice
    assert on_timeout(OPEN, ENTRY, reprice) is cancel and on_timeout(OPEN, ENTRY, cancel) is cancel
    # the user's limits (typed, or approved on a card) and orders the bot did not place rest: even reduce-only
    approved = "ta-a0123456789abcdef0123-0"
    for origin in ("manual-0123456789abcdef", approved, f"{approved}.r1", "web-1"):
        assert on_timeout(OPEN, origin, reprice) is None and on_timeout(OPEN, origin, cancel) is None, origin
        assert on_timeout(replace(OPEN, reduce_only=True), origin, reprice) is None, origin
    # an entry is never re-placed: one bid again under an older version (<id>.r1) is only cancelled
    assert on_timeout(OPEN, f"{ENTRY}.r1", reprice) is cancel
    # once partly filled, its rest is PositionSync's to cancel, which tells what stays open
    partly = replace(OPEN, status=OrderStatus.PARTIALLY_FILLED, filled=Decimal("0.01"), avg_price=Decimal("100"))
    assert on_timeout(partly, ENTRY, reprice) is None and on_timeout(partly, ENTRY, cancel) is None
    assert on_timeout(partly, f"{ENTRY}-x2", reprice) is reprice


def test_a_re_placed_exit_adopted_after_a_restart_still_times_out():
    # the broker's map from a re-placed id to its origin is in memory: after a restart the origin is the id itself
    reprice, cancel = LimitTimeout.REPRICE, LimitTimeout.CANCEL
    for origin in (f"{ENTRY}-x1.r1", f"{ENTRY}-x3.r2", f"{ENTRY}-x1.r1.r1"):
        assert on_timeout(OPEN, origin, reprice) is reprice and on_timeout(OPEN, origin, cancel) is cancel, origin
