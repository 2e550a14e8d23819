"""An LLM entry that names no stop is stopped where the guard's hard stop is: HARD_STOP_PCT is a loss on the
position, so the price move is HARD_STOP_PCT / leverage (10% at 5x: a 2% move), as protective_stops enforces it."""
from __future__ import annotations

from decimal import Decimal as D

from trading.domain.decisions import Action, Decision, DecisionSource, TradeAction, TradeIdea
from trading.engine.llm_orders import idea_signal

MARK = D(100_000)


def llm(action: TradeAction, stop: D | None = None) -> Decision:
    return Decision(Action.ENTER, 0.8, "idea", "model", DecisionSource.MODEL, TradeIdea(action, D(10),
                                                                                         stop_price=stop))


def test_without_its_own_stop_a_5x_long_is_stopped_at_a_2_percent_move_and_a_short_above():
    long = idea_signal("BTC/USDT:USDT", llm(TradeAction.BUY), MARK, 0, D(10), leverage=5)
    short = idea_signal("BTC/USDT:USDT", llm(TradeAction.SHORT), MARK, 0, D(10), leverage=5)
    # 100,000 x (1 - 10% / 5) = 98,000; 100,000 x (1 + 10% / 5) = 102,000
    assert (long.entry, long.stop) == (MARK, D(98_000))
    assert (short.entry, short.stop) == (MARK, D(102_000))


def test_on_spot_the_hard_stop_is_the_whole_move():
    spot = idea_signal("BTC/USDT", llm(TradeAction.BUY), MARK, 0, D(10))
    assert spot.stop == D(90_000)               # 100,000 x (1 - 10%): leverage 1


def test_the_llm_s_own_stop_is_kept_whatever_the_leverage():
    signal = idea_signal("BTC/USDT:USDT", llm(TradeAction.BUY, D(99_000)), MARK, 0, D(10), leverage=5)
    assert signal.stop == D(99_000)
