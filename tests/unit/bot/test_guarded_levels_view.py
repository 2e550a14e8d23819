"""/positions shows the stop and target the engine guards a position with, or says plainly there is none."""
from decimal import Decimal as D

from bot.views.portfolio import positions_text
from trading.domain.positions import Position, PositionSide
from trading.services.guard_levels import GuardLevels
from trading.services.portfolio import PositionView

SHORT = Position("BTC/USDT", PositionSide.SHORT, D("0.0017"), D("117356.88"), 0, leverage=5)
TICK = D("0.01")


def levels_line(view: PositionView) -> str:
    return next(line for line in positions_text([view]).splitlines() if line.startswith("Stop"))


def test_the_engines_stop_is_shown_with_its_rule_and_a_missing_target_said_as_none():
    view = PositionView(SHORT, D("117380.36"), TICK, guard=GuardLevels(D("119704.01"), "hard stop", None), guarded=True)
    assert levels_line(view) == "Stop 119,704.01 (hard stop) · target none"


def test_a_trailing_stop_and_a_target_are_shown_on_the_tick():
    view = PositionView(SHORT, D("117380.36"), TICK, guard=GuardLevels(D("118000"), "trailing", D("110000.5")),
                        guarded=True)
    assert levels_line(view) == "Stop 118,000.00 (trailing) · target 110,000.50"


def test_a_position_the_engine_does_not_guard_says_so():
    view = PositionView(SHORT, D("117380.36"), TICK, guard=None, guarded=True)
    assert levels_line(view) == "Stop none · target none: the bot does not guard this position (/close closes it)"
