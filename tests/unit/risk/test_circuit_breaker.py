"""Circuit breaker: trips on a fast move, a wide spread, latency or an error burst, and resumes by itself."""
from __future__ import annotations

from decimal import Decimal as D

from trading.domain.market import Ticker
from trading.risk.circuit_breaker import (BreakerChange, BreakerSettings, BreakerState, BreakerTrigger,
                                          advance, observe_error, observe_latency, observe_price,
                                          observe_ticker)
from trading.risk.verdicts import RiskRule

MIN = 60_000
SETTINGS = BreakerSettings()     # 3% within 15 min, 50 bps, 5,000 ms, 5 errors per 60 s, 30 min cooldown


def feed(state: BreakerState, *observations: tuple[str, int, str]):
    changes = []
    for symbol, ts_ms, price in observations:
        state, found = observe_price(state, symbol, ts_ms, D(price), SETTINGS)
        changes.extend(found)
    return state, changes


def test_price_drop_of_more_than_three_percent_in_fifteen_minutes_trips():
    # from the window's high 100: 98 is -2%, 96.9 is -3.1% -> trip at 10 min
    state, changes = feed(BreakerState(), ("BTC/USDT", 0, "100"), ("BTC/USDT", 5 * MIN, "98"),
                          ("BTC/USDT", 10 * MIN, "96.9"))
    [tripped] = changes
    assert (tripped.change, tripped.trigger, tripped.ts_ms) == (
        BreakerChange.TRIPPED, BreakerTrigger.PRICE_MOVE, 10 * MIN)
    assert "BTC/USDT fell 3.10% within 15 min" in tripped.reason
    verdict = state.vet_entry(11 * MIN)
    assert verdict.rule is RiskRule.CIRCUIT_BREAKER and "29 min" in verdict.reason


def test_breaker_resumes_by_itself_after_the_cooldown():
    state, _ = feed(BreakerState(), ("BTC/USDT", 0, "100"), ("BTC/USDT", 10 * MIN, "96.9"))
    state, still = advance(state, 40 * MIN - 1)
    assert still == () and state.tripped
    state, [resumed] = advance(state, 40 * MIN)            # tripped at 10 + 30 min cooldown
    assert (resumed.change, resumed.trigger) == (BreakerChange.RESUMED, BreakerTrigger.PRICE_MOVE)
    assert not state.tripped and state.vet_entry(40 * MIN).allowed
    assert advance(state, 41 * MIN)[1] == ()                # reported once


def test_a_move_of_exactly_the_limit_does_not_trip():
    # (100 - 97) / 100 = 3.00%: the limit is "more than"
    _, changes = feed(BreakerState(), ("BTC/USDT", 0, "100"), ("BTC/USDT", 5 * MIN, "97"))
    assert changes == []


def test_sharp_rise_trips_too():
    # from the window's low 100 to 103.5: +3.5%
    _, [tripped] = feed(BreakerState(), ("BTC/USDT", 0, "100"), ("BTC/USDT", MIN, "103.5"))
    assert "rose 3.50%" in tripped.reason


def test_prices_older_than_the_window_are_forgotten():
    # at 16 min the window is [1 min, 16 min]: the 100 at 0 is gone, 96 is compared with 99 only
    _, changes = feed(BreakerState(), ("BTC/USDT", 0, "100"), ("BTC/USDT", 8 * MIN, "99"),
                      ("BTC/USDT", 16 * MIN, "96.5"))
    assert changes == []


def test_each_symbol_has_its_own_price_window():
    _, changes = feed(BreakerState(), ("BTC/USDT", 0, "100"), ("ETH/USDT", MIN, "90"))
    assert changes == []


def test_a_new_trigger_while_tripped_extends_the_pause_without_a_second_notice():
    # tripped at 10 min (until 40); at 14 min the 100 is still in the window and 96.5 is -3.5%:
    # the end moves to 14 + 30 = 44 min
    state, changes = feed(BreakerState(), ("BTC/USDT", 0, "100"), ("BTC/USDT", 10 * MIN, "96.9"),
                          ("BTC/USDT", 14 * MIN, "96.5"))
    assert [c.change for c in changes] == [BreakerChange.TRIPPED]
    assert state.until_ms == 44 * MIN
    assert advance(state, 40 * MIN)[1] == ()
    assert [c.change for c in advance(state, 44 * MIN)[1]] == [BreakerChange.RESUMED]


def test_trigger_after_an_unreported_expiry_reports_resume_then_trip():
    state, _ = feed(BreakerState(), ("BTC/USDT", 0, "100"), ("BTC/USDT", 10 * MIN, "96.9"))
    _, changes = observe_latency(state, 45 * MIN, 9_000, SETTINGS)
    assert [c.change for c in changes] == [BreakerChange.RESUMED, BreakerChange.TRIPPED]


def test_wide_spread_trips():
    # (100.6 - 100) / 100.3 x 10,000 = 59.8 bps > 50; (100.5 - 100) / 100.25 x 10,000 = 49.9 bps
    narrow = Ticker("BTC/USDT", 0, D("100.2"), bid=D(100), ask=D("100.5"))
    wide = Ticker("BTC/USDT", MIN, D("100.3"), bid=D(100), ask=D("100.6"))
    state, none = observe_ticker(BreakerState(), narrow, SETTINGS)
    state, [tripped] = observe_ticker(state, wide, SETTINGS)
    assert none == ()
    assert tripped.trigger is BreakerTrigger.SPREAD and "59.8 bps" in tripped.reason


def test_high_latency_trips():
    state, calm = observe_latency(BreakerState(), 0, 5_000, SETTINGS)
    state, [tripped] = observe_latency(state, 1_000, 5_001, SETTINGS)
    assert calm == () and tripped.trigger is BreakerTrigger.LATENCY


def test_five_errors_within_a_minute_trip():
    # errors at 0, 10, 20, 30 s then 75 s: the window (15 s, 75 s] holds only 20, 30, 75
    state = BreakerState()
    for second in (0, 10, 20, 30, 75):
        state, changes = observe_error(state, second * 1000, SETTINGS)
        assert changes == ()
    state, changes = observe_error(state, 85_000, SETTINGS)    # (25 s, 85 s]: 30, 75, 85
    assert changes == ()
    for second in (86, 87):                        # (27 s, 87 s]: 30, 75, 85, 86, 87 = five
        state, changes = observe_error(state, second * 1000, SETTINGS)
    assert [c.trigger for c in changes] == [BreakerTrigger.ERROR_BURST]
