"""The rules decision maker: reward:risk and confidence for signals, structure and momentum in the zones."""
from __future__ import annotations

from tests.fakes.ict_candles import ohlc_candles
from tests.fakes.trading_setups import T0, position, signal
from trading.domain.decisions import Action, DecisionRequest
from trading.domain.positions import PositionSide
from trading.engine.rules_decider import RulesDecider, RulesSettings, decide_by_rules

RULES = RulesSettings()
# Ten bars ranging 100..110 (lows 100 and above, highs 110 and below), then a last bar.
RANGE = [(105.0, 110.0, 100.0, 105.0)] * 10


def ask(zone: str, last_close: float, side: PositionSide = PositionSide.LONG, bars=RANGE) -> DecisionRequest:
    candles = ohlc_candles([*bars, (105.0, max(105.0, last_close), min(105.0, last_close), last_close)])
    return DecisionRequest(T0, position=position(side=side), zone=zone, candles=candles)


def test_a_signal_with_enough_reward_and_confidence_is_entered():
    # (56,000 - 50,000) / (50,000 - 48,000) = 3.0 >= 1.5; confidence 0.7 >= 0.5.
    decision = decide_by_rules(DecisionRequest(T0, signal=signal()), RULES)
    assert (decision.action, decision.reason, decision.decided_by) == (
        Action.ENTER, "reward:risk 3.00, confidence 0.70", "rules")


def test_a_signal_below_the_reward_risk_threshold_is_skipped():
    # (52,800 - 50,000) / 2,000 = 1.4 < 1.5
    decision = decide_by_rules(DecisionRequest(T0, signal=signal(take_profit="52800")), RULES)
    assert (decision.action, decision.reason) == (Action.SKIP, "reward:risk 1.40 below 1.5")


def test_a_signal_below_the_confidence_threshold_or_without_target_is_skipped():
    unsure = decide_by_rules(DecisionRequest(T0, signal=signal(confidence=0.3)), RULES)
    aimless = decide_by_rules(DecisionRequest(T0, signal=signal(take_profit=None)), RULES)
    assert unsure.action is Action.SKIP and unsure.reason == "confidence 0.30 below 0.40"
    assert aimless.action is Action.SKIP


def test_a_long_in_the_soft_stop_zone_exits_when_the_low_of_the_range_breaks():
    broken = decide_by_rules(ask("soft_stop", 99.0), RULES)
    intact = decide_by_rules(ask("soft_stop", 101.0), RULES)
    assert broken.action is Action.EXIT and "below the low of the last 10 bars (100)" in broken.reason
    assert intact.action is Action.HOLD


def test_a_short_in_the_soft_stop_zone_exits_when_the_high_of_the_range_breaks():
    assert decide_by_rules(ask("soft_stop", 111.0, PositionSide.SHORT), RULES).action is Action.EXIT
    assert decide_by_rules(ask("soft_stop", 109.0, PositionSide.SHORT), RULES).action is Action.HOLD


def test_in_the_take_profit_zone_a_long_takes_profit_when_the_close_falls_below_its_ema():
    # Closes 100, 102, ..., 118, then the last. EMA9 (alpha 0.2) is seeded with the mean of 100..116 = 108,
    # then 108 + 0.2 x (118 - 108) = 110. A last close of 106 gives 110 + 0.2 x (106 - 110) = 109.2 > 106:
    # fading. A last close of 121 gives 112.2 < 121: still running.
    rising = [(c, c + 1, c - 1, c) for c in range(100, 120, 2)]
    fading = decide_by_rules(ask("take_profit", 106.0, bars=rising), RULES)
    running = decide_by_rules(ask("take_profit", 121.0, bars=rising), RULES)
    assert (fading.action, fading.reason) == (
        Action.EXIT, "momentum fading (close 106 vs EMA9 109.20): take the profit")
    assert running.action is Action.HOLD


def test_without_candles_the_rules_hold():
    request = DecisionRequest(T0, position=position(), zone="soft_stop")
    assert decide_by_rules(request, RULES).action is Action.HOLD


async def test_the_rules_decider_answers_through_the_decision_maker_port():
    decision = await RulesDecider().decide(DecisionRequest(T0, signal=signal()))
    assert decision.action is Action.ENTER
