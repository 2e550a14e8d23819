"""An LLM proposal becomes a decision only when it is in range and consistent; otherwise HOLD says why."""
from dataclasses import replace
from decimal import Decimal as D

from hypothesis import given, strategies as st

from trading.domain.decisions import Action, DecisionSource, OrderKind, TradeAction
from trading.engine.decision_checks import CheckSettings, Proposal, check_proposal
from trading.engine.symbol_view import AllowedActions, SymbolView

MID = D("100000")
ENTRY = AllowedActions((TradeAction.HOLD, TradeAction.BUY, TradeAction.SHORT), D("30"))
LONG_HELD = AllowedActions((TradeAction.HOLD, TradeAction.SELL), D("100"), "BTC/USDT already has a position")
VIEW = SymbolView("BTC/USDT", 0, MID, {}, ENTRY, D("10000"), D("10000"), futures=True)
SETTINGS = CheckSettings(min_confidence=0.65, limit_max_distance_pct=D("2"))


def check(view: SymbolView = VIEW, **fields):
    values = dict(action="BUY", confidence=0.8, reasoning="r", size_pct=D("10"), order_type="market") | fields
    return check_proposal(Proposal(**values), view, SETTINGS, "m")


def test_a_valid_buy_keeps_its_levels_and_a_size_above_the_cap_is_clamped():
    got = check(size_pct=D("45"), stop_price=D("98000"), take_profit=D("104000"))
    assert got.action is Action.ENTER and got.source is DecisionSource.MODEL
    assert got.idea == replace(got.idea, action=TradeAction.BUY, size_pct=D("30"), stop_price=D("98000"),
                               take_profit=D("104000"), order_kind=OrderKind.MARKET, limit_price=None)


def test_a_sell_of_a_held_long_defaults_to_the_whole_position():
    got = check(replace(VIEW, allowed=LONG_HELD), action="SELL", size_pct=None)
    assert got.action is Action.EXIT and got.idea.size_pct == D("100")


def test_contradictions_are_invalid_holds_naming_the_problem():
    cases = {
        "SELL is not allowed now": dict(action="SELL"),
        "not one of": dict(action="YOLO"),
        "without size_pct": dict(size_pct=None),
        "a limit_price on a market order": dict(limit_price=D("99000")),
        "above the mid": dict(order_type="limit", limit_price=D("100100")),
        "below the mid": dict(action="SHORT", order_type="limit", limit_price=D("99900")),
        "more than 2%": dict(order_type="limit", limit_price=D("97000")),
        "stop_price 101000 is on the wrong side": dict(stop_price=D("101000")),
        "take_profit 99000 is on the wrong side": dict(take_profit=D("99000")),
        "take_profit 101000 is on the wrong side": dict(action="SHORT", take_profit=D("101000")),
        "no reasoning": dict(reasoning="  "),
    }
    for expected, fields in cases.items():
        got = check(**fields)
        assert (got.action, got.source) == (Action.HOLD, DecisionSource.INVALID), fields
        assert expected in got.reason, (expected, got.reason)


def test_a_limit_inside_the_distance_on_the_passive_side_is_kept():
    got = check(order_type="limit", limit_price=D("98000"))
    assert got.idea.order_kind is OrderKind.LIMIT and got.idea.limit_price == D("98000")


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_any_confidence_outside_the_threshold_or_range_never_trades(confidence):
    got = check(confidence=confidence)
    assert (got.action is Action.ENTER) == (0.65 <= confidence <= 1)
    if not 0 <= confidence <= 1:
        assert got.source is DecisionSource.INVALID


@given(st.decimals(min_value=D("-1000"), max_value=D("1000"), places=2))
def test_an_entry_size_is_never_above_the_cap_nor_at_or_below_zero(size):
    got = check(size_pct=size)
    if got.action is Action.ENTER:
        assert D(0) < got.idea.size_pct <= D("30")
    else:
        assert not D(0) < size <= D(100)


def test_a_short_position_may_only_be_covered():
    held = AllowedActions((TradeAction.HOLD, TradeAction.COVER), D("100"))
    assert check(replace(VIEW, allowed=held), action="COVER", size_pct=D("50")).idea.size_pct == D("50")
    assert check(replace(VIEW, allowed=held), action="SELL").source is DecisionSource.INVALID
