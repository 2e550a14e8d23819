"""Position sizing, with every expected number worked out by hand in the comments."""
from __future__ import annotations

from decimal import Decimal as D

from trading.domain.instruments import Instrument, MarketKind
from trading.domain.positions import PositionSide
from trading.domain.signals import Signal
from trading.risk.sizing import (PositionSize, SizingRequest, SizingSettings, kelly_fraction,
                                 size_entry, trade_leverage)
from trading.risk.verdicts import RiskRule, Verdict

SPOT = Instrument("BTC/USDT", "BTC", "USDT", amount_step=D("0.001"))
PERP = Instrument("BTC/USDT:USDT", "BTC", "USDT", kind=MarketKind.PERP, amount_step=D("0.001"),
                  max_leverage=20)
LONG, SHORT = PositionSide.LONG, PositionSide.SHORT


def sized(request: SizingRequest, settings: SizingSettings = SizingSettings()) -> PositionSize:
    result = size_entry(request, settings)
    assert isinstance(result, PositionSize), result
    return result


def skipped(request: SizingRequest, settings: SizingSettings = SizingSettings()) -> Verdict:
    result = size_entry(request, settings)
    assert isinstance(result, Verdict), result
    return result


def test_long_risks_two_percent_of_equity_between_entry_and_stop():
    # risk 2% of 10,000 = 200; distance 100 - 95 = 5; 200 / 5 = 40 units, notional 40 x 100 = 4,000
    size = sized(SizingRequest(SPOT, LONG, D(100), D(95), D(10_000)))
    assert (size.amount, size.notional, size.risk, size.leverage) == (D(40), D(4000), D(200), 1)
    assert size.limited_by == "risk"


def test_short_is_sized_from_a_stop_above_entry():
    # distance 105 - 100 = 5; 200 / 5 = 40 units
    assert sized(SizingRequest(SPOT, SHORT, D(100), D(105), D(10_000))).amount == D(40)


def test_spot_size_is_capped_at_one_times_equity():
    # risk: 200 / (100 - 99) = 200 units = 20,000 notional; spot buying power 10,000 x 1 -> 100 units
    size = sized(SizingRequest(SPOT, LONG, D(100), D(99), D(10_000)))
    assert (size.amount, size.limited_by, size.margin) == (D(100), "leverage", D(10_000))


def test_futures_use_five_times_leverage_within_the_symbol_exposure_cap():
    # risk: 200 / 0.5 = 400 units (40,000); leverage 5 -> 50,000 -> 500 units;
    # symbol cap 200% of 10,000 = 20,000 -> 200 units; total cap 400% = 40,000 -> 400 units. min = 200
    size = sized(SizingRequest(PERP, LONG, D(100), D("99.5"), D(10_000)))
    assert (size.amount, size.leverage, size.limited_by) == (D(200), 5, "symbol exposure")
    assert size.margin == D(4000)   # 20,000 / 5


def test_leverage_setting_is_capped_by_max_leverage():
    # asked 20x, capped at 3x: buying power 30,000 -> 300 units, below risk's 400 units
    settings = SizingSettings(futures_leverage=20, max_leverage=3, max_symbol_exposure_pct=D(1000),
                              max_total_exposure_pct=D(1000))
    size = sized(SizingRequest(PERP, LONG, D(100), D("99.5"), D(10_000)), settings)
    assert (size.amount, size.leverage, size.limited_by) == (D(300), 3, "leverage")


def test_leverage_never_exceeds_the_markets_maximum():
    perp_2x = Instrument("ETH/USDT:USDT", "ETH", "USDT", kind=MarketKind.PERP, max_leverage=2)
    assert trade_leverage(perp_2x, SizingSettings()) == 2
    assert trade_leverage(SPOT, SizingSettings(futures_leverage=10)) == 1


def test_total_exposure_cap_counts_positions_in_other_symbols():
    # total cap 40,000 - 38,000 open in ETH = 2,000 room -> 20 units (risk alone would give 40)
    request = SizingRequest(PERP, LONG, D(100), D(95), D(10_000), {"ETH/USDT:USDT": D(38_000)})
    size = sized(request)
    assert (size.amount, size.limited_by) == (D(20), "total exposure")


def test_symbol_exposure_cap_counts_the_open_position_in_that_symbol():
    # symbol cap 20,000 - 19,000 already open = 1,000 room -> 10 units
    request = SizingRequest(PERP, LONG, D(100), D(95), D(10_000), {PERP.symbol: D(19_000)})
    size = sized(request)
    assert (size.amount, size.limited_by) == (D(10), "symbol exposure")


def test_trade_is_skipped_when_exposure_is_full():
    # total cap 40,000 - 40,000 open = 0 room
    verdict = skipped(SizingRequest(PERP, LONG, D(100), D(95), D(10_000), {"ETH/USDT:USDT": D(40_000)}))
    assert verdict.rule is RiskRule.EXPOSURE
    assert "total exposure" in verdict.reason


def test_amount_is_rounded_down_to_the_market_step():
    # 200 / (101 - 98) = 66.6666... -> step 0.001 -> 66.666 (down, never above what was sized)
    assert sized(SizingRequest(SPOT, LONG, D(101), D(98), D(10_000))).amount == D("66.666")


def test_trade_below_the_minimum_amount_is_skipped_with_the_reason():
    # equity 100: risk 2, distance 5 -> 0.4 units, below the 1-unit minimum
    market = Instrument("BTC/USDT", "BTC", "USDT", min_amount=D(1))
    verdict = skipped(SizingRequest(market, LONG, D(100), D(95), D(100)))
    assert verdict.rule is RiskRule.MARKET_MINIMUM
    assert "below the minimum 1 BTC" in verdict.reason


def test_trade_below_the_minimum_order_value_is_skipped():
    # 0.4 units x 100 = 40 USDT, below the 50 USDT minimum notional
    market = Instrument("BTC/USDT", "BTC", "USDT", min_notional=D(50))
    verdict = skipped(SizingRequest(market, LONG, D(100), D(95), D(100)))
    assert verdict.rule is RiskRule.MARKET_MINIMUM
    assert "40.00 USDT is below the minimum 50 USDT" in verdict.reason


def test_stop_on_the_wrong_side_skips_the_trade():
    assert skipped(SizingRequest(SPOT, LONG, D(100), D(101), D(10_000))).rule is RiskRule.INVALID_STOP
    assert skipped(SizingRequest(SPOT, SHORT, D(100), D(100), D(10_000))).rule is RiskRule.INVALID_STOP


def test_no_equity_skips_the_trade():
    assert skipped(SizingRequest(SPOT, LONG, D(100), D(95), D(0))).rule is RiskRule.EXPOSURE


def test_atr_widens_a_stop_tighter_than_the_markets_noise():
    # structural distance 2, ATR 2.5 x 2 = 5 -> distance 5 -> 200 / 5 = 40 units (not 100)
    settings = SizingSettings(atr_stop_multiple=D(2))
    request = SizingRequest(SPOT, LONG, D(100), D(98), D(10_000), atr=D("2.5"))
    assert sized(request, settings).amount == D(40)
    assert sized(request, settings).risk == D(200)   # 40 x 5


def test_atr_leaves_a_wider_structural_stop_alone():
    # structural 5 > ATR 1 x 2 = 2 -> distance 5 -> 40 units
    settings = SizingSettings(atr_stop_multiple=D(2))
    assert sized(SizingRequest(SPOT, LONG, D(100), D(95), D(10_000), atr=D(1)), settings).amount == D(40)


FOUR_WINS_OF_2R = [D(2)] * 4 + [D(-1)] * 6


def test_kelly_fraction_from_win_rate_and_payoff():
    # W = 4/10 = 0.4, B = 2 / 1 = 2 -> 0.4 - 0.6 / 2 = 0.1
    assert kelly_fraction(FOUR_WINS_OF_2R) == D("0.1")
    assert kelly_fraction([D(1), D(3)]) == D(1)          # no losses: W = 1
    assert kelly_fraction([D(-1), D(-2)]) == D(0)        # no wins


def test_kelly_cap_lowers_the_risk_per_trade():
    # Kelly 0.1 x multiplier 0.1 = 1% < 2% -> risk 100 -> 100 / 5 = 20 units
    settings = SizingSettings(kelly_multiplier=D("0.1"), kelly_min_trades=10)
    request = SizingRequest(SPOT, LONG, D(100), D(95), D(10_000), r_multiples=FOUR_WINS_OF_2R)
    assert sized(request, settings).amount == D(20)


def test_half_kelly_above_the_risk_setting_leaves_the_size_alone():
    # Kelly 0.1 x 0.5 = 5% > 2% -> stays 40 units
    settings = SizingSettings(kelly_multiplier=D("0.5"), kelly_min_trades=10)
    request = SizingRequest(SPOT, LONG, D(100), D(95), D(10_000), r_multiples=FOUR_WINS_OF_2R)
    assert sized(request, settings).amount == D(40)


def test_record_without_edge_skips_the_trade():
    # W = 0.4, B = 1.5 -> 0.4 - 0.6 / 1.5 = 0
    settings = SizingSettings(kelly_multiplier=D("0.5"), kelly_min_trades=10)
    record = [D("1.5")] * 4 + [D(-1)] * 6
    verdict = skipped(SizingRequest(SPOT, LONG, D(100), D(95), D(10_000), r_multiples=record), settings)
    assert verdict.rule is RiskRule.NO_EDGE


def test_kelly_cap_waits_for_enough_trades():
    # 9 trades < 10 required: the losing record is ignored, 40 units
    settings = SizingSettings(kelly_multiplier=D("0.5"), kelly_min_trades=10)
    request = SizingRequest(SPOT, LONG, D(100), D(95), D(10_000), r_multiples=[D(-1)] * 9)
    assert sized(request, settings).amount == D(40)


def test_request_for_a_signal_takes_its_side_entry_and_stop():
    signal = Signal("BTC/USDT", "A", SHORT, D(100), D(105), D(90), 0.7, 0, "15m", "test", "s1")
    request = SizingRequest.for_signal(signal, SPOT, D(10_000), {})
    assert (request.side, request.entry, request.stop) == (SHORT, D(100), D(105))
    assert sized(request).amount == D(40)
