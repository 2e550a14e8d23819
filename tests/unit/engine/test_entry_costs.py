"""The round trip after costs: the fee gate, the reward:risk at the expected fill, and break-even's offset."""
from decimal import Decimal as D

from trading.domain.instruments import Instrument
from trading.domain.positions import PositionSide
from trading.domain.signals import Signal
from trading.engine.entry_costs import cost_problem, exit_cost_rate, net_reward
from trading.engine.slippage import SlippageModel

SPOT = Instrument("BTC/USDT", "BTC", "USDT")          # 0.1% taker fee
TWO_BPS = SlippageModel()


def signal(entry: str = "100", stop: str = "98", target: str = "106",
           side: PositionSide = PositionSide.LONG) -> Signal:
    return Signal("BTC/USDT", "A", side, D(entry), D(stop), D(target), 0.7, 0, "1m", "test", "A:1")


def test_the_reward_and_the_risk_after_costs_match_the_hand_computation():
    # fill 100 x 1.0002 = 100.02; target exit 106 x 0.9998 = 105.9788; stop exit 98 x 0.9998 = 97.9804
    # reward 105.9788 - 100.02 - 0.001 x (100.02 + 105.9788) = 5.7528012
    # risk 100.02 - 97.9804 + 0.001 x (100.02 + 97.9804) = 2.2376004
    trip = net_reward(signal(), SPOT, TWO_BPS, D(100), D(1))
    assert (trip.fill, trip.reward, trip.risk) == (D("100.0200"), D("5.7528012"), D("2.2376004"))
    assert round(trip.ratio, 4) == D("2.5710")           # 3.0 at the signal's own prices


def test_an_entry_below_the_minimum_after_costs_is_refused_naming_both_ratios():
    assert cost_problem(signal(), SPOT, TWO_BPS, D(100), D(1), D("2.5")) is None
    refused = cost_problem(signal(), SPOT, TWO_BPS, D(100), D(1), D("2.6"))
    assert refused is not None and "reward:risk 2.57 after fees and slippage" in refused
    assert "MIN_REWARD_RISK=2.6" in refused and "3.00 at the signal's own price" in refused


def test_a_fill_past_the_target_or_the_stop_is_refused_whatever_the_minimum():
    assert "already past the target 106" in cost_problem(signal(), SPOT, TWO_BPS, D(106), D(1), None)
    assert "already past the stop 98" in cost_problem(signal(), SPOT, TWO_BPS, D(97), D(1), None)
    short = signal("100", "102", "94", PositionSide.SHORT)
    assert "already past the target 94" in cost_problem(short, SPOT, TWO_BPS, D(93), D(1), None)


def test_a_short_is_priced_the_mirror_way():
    # fill 100 x 0.9998 = 99.98; target exit 94 x 1.0002 = 94.0188; stop exit 102 x 1.0002 = 102.0204
    # reward 99.98 - 94.0188 - 0.001 x 194.0 (99.98 + 94.0188 = 193.9988) = 5.9612 - 0.1939988 = 5.7672012
    trip = net_reward(signal("100", "102", "94", PositionSide.SHORT), SPOT, TWO_BPS, D(100), D(1))
    assert (trip.fill, trip.reward) == (D("99.9800"), D("5.7672012"))
    assert trip.risk == D("2.0404") + D("0.001") * (D("99.98") + D("102.0204"))


def test_closing_flat_costs_both_fees_and_the_exit_slippage_exactly():
    # fee 0.1%, slippage 2 bps: 1.001 / (0.999 x 0.9998) - 1 = 1.001 / 0.9988002 - 1 = 0.00220244..., a little
    # more than the 2f + s = 0.0022 that left a long stopped at 100.22 netting 100.22 x 0.9998 x 0.999
    # - 100 x 1.001 = -0.000244 a unit
    rate = exit_cost_rate(SPOT, TWO_BPS, D(1), D(100))
    assert rate == D("1.001") / D("0.9988002") - 1
    assert D("0.0022024") < rate < D("0.0022025")
    exit_fill = D(100) * (1 + rate) * D("0.9998")
    assert exit_fill * D("0.999") - D(100) * D("1.001") >= 0 > D("100.22") * D("0.9998") * D("0.999") - D("100.1")
