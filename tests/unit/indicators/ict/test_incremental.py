"""ICTState: the ICT indicators kept up bar by bar equal the batch compute_ict at every bar (prefix property)."""
from functools import lru_cache

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.fakes.ict_candles import ohlc_candles, worked_example
from tests.fakes.shared_data import load_candles
from trading.domain.candles import COLUMNS, Candles
from trading.indicators.ict import ICTParams, ICTSnapshot, compute_ict
from trading.indicators.ict.incremental import ICTState

VARIANTS = {
    "live_1m": ICTParams(left=3, right=3),
    "defaults": ICTParams(),
    "options": ICTParams(left=2, right=1, break_on="wick", ob_candle="last_opposite", zone="body_to_wick",
                         ob_break_on="body", max_age=60, ob_max_age=40, liq_tol=0.002, sweep_reclaim_bars=3,
                         source="raw", min_gap=0.0003),
    "wick_reclaim": ICTParams(left=2, right=2, ob_break_on="wick", sweep_reclaim_bars=1, require_body=False),
}
TABLES = {
    "pivots": lambda s: s.pivots,
    "swings": lambda s: s.swings,
    "breaks": lambda s: s.breaks,
    "fvgs": lambda s: s.fvgs,
    "order_blocks": lambda s: s.order_blocks,
    "breakers": lambda s: s.breakers,
    "liquidity_levels": lambda s: s.liquidity.levels,
    "liquidity_members": lambda s: s.liquidity.members,
    "sweeps": lambda s: s.liquidity.sweeps,
    "period_levels": lambda s: s.liquidity.periods,
}
BARS = 700
CASES = [("BTCUSDT-1m.csv.gz", v) for v in VARIANTS] + [(d, v) for d in ("ETHUSDT-15m.csv.gz", "BTCUSDT-1h.csv.gz")
                                                       for v in ("live_1m", "options")]


def differences(got: ICTSnapshot, expected: ICTSnapshot) -> list[str]:
    """Return the names of the tables (and columns' dtypes) that differ; [] when the snapshots are equal."""
    out = [name for name, table in TABLES.items() if not table(got).equals(table(expected))]
    out += [f"{name}.{column} dtype" for name, table in TABLES.items()
            for column, values in table(got).columns().items()
            if values.dtype != table(expected).columns()[column].dtype]
    if not np.array_equal(got.trend, expected.trend) or got.trend.dtype != expected.trend.dtype:
        out.append("trend")
    return out


def candle_rows(candles: Candles) -> list[tuple]:
    return list(zip(*(getattr(candles, c).tolist() for c in COLUMNS)))


@lru_cache(maxsize=8)
def _batch(data: str, variant: str) -> ICTSnapshot:
    return compute_ict(load_candles(data)[:BARS], VARIANTS[variant])


@pytest.mark.parametrize(("data", "variant"), CASES)
def test_on_real_candles_every_bar_equals_the_batch_run_as_of_that_bar(data, variant):
    candles, full = load_candles(data)[:BARS], _batch(data, variant)
    state = ICTState(VARIANTS[variant])
    wrong = {}

    for t, row in enumerate(candle_rows(candles)):
        state.append(*row)
        found = differences(state.snapshot(), full.as_of(t))
        if found:
            wrong[t] = found

    assert wrong == {}
    assert len(state.snapshot().fvgs) > 20 and len(state.snapshot().breaks) > 10


@pytest.mark.parametrize("variant", VARIANTS)
@settings(max_examples=8, deadline=None)
@given(t=st.integers(min_value=0, max_value=BARS - 1))
def test_on_real_candles_a_prefix_fed_bar_by_bar_equals_compute_ict_on_that_prefix(variant, t):
    candles = load_candles("ETHUSDT-1m.csv.gz")[:t + 1]
    state = ICTState(VARIANTS[variant])

    state.extend(candles)

    assert differences(state.snapshot(), compute_ict(candles, VARIANTS[variant])) == []


tick_prices = st.integers(min_value=0, max_value=12).map(lambda k: 100.0 + k * 0.5)   # a coarse grid makes ties


@st.composite
def rough_candles(draw) -> Candles:
    rows, price = [], 103.0
    for _ in range(draw(st.integers(min_value=1, max_value=120))):
        a, b = draw(tick_prices), draw(tick_prices)
        high, low = max(a, b, price), min(a, b, price)
        close = draw(st.sampled_from([high, low, (high + low) / 2, price]))
        rows.append((price, high, low, close))
        price = close
    return ohlc_candles(rows)


@pytest.mark.parametrize("variant", VARIANTS)
@settings(max_examples=20, deadline=None)
@given(candles=rough_candles())
def test_on_candles_full_of_equal_prices_the_state_equals_the_batch_at_the_end(variant, candles):
    state = ICTState(VARIANTS[variant])

    state.extend(candles)

    assert differences(state.snapshot(), compute_ict(candles, VARIANTS[variant])) == []


def test_the_worked_example_of_ict_md_comes_out_bar_by_bar():
    state = ICTState(ICTParams(left=1, right=1))
    state.extend(worked_example())
    s = state.snapshot()

    assert list(zip(s.pivots.index, s.pivots.known_at, s.pivots.level)) == [
        (1, 2, 105.0), (3, 4, 100.0), (4, 5, 104.95), (6, 7, 105.5), (8, 9, 97.0)]
    assert list(zip(s.breaks.index, s.breaks.direction, s.breaks.kind_trend, s.breaks.kind_swing)) == [
        (7, -1, "BOS", "CHoCH"), (11, 1, "CHoCH", "CHoCH")]
    assert list(zip(s.breakers.known_at, s.breakers.direction, s.breakers.retest)) == [(11, 1, 12)]
    sweeps = s.liquidity.sweeps
    assert list(zip(sweeps.index, sweeps.kind, sweeps.level)) == [(6, "sweep", 105.0), (7, "run", 100.0),
                                                                  (11, "run", 105.5)]


def test_a_snapshot_keeps_what_was_known_when_it_was_taken():
    candles = load_candles("BTCUSDT-15m.csv.gz")[:400]
    state = ICTState(ICTParams(left=3, right=3))
    state.extend(candles[:300])
    early = state.snapshot()
    touched = early.fvgs.touched.copy()

    state.extend(candles[300:])

    assert np.array_equal(early.fvgs.touched, touched)
    assert len(state.snapshot().fvgs) > len(early.fvgs)
    assert len(state.candles()) == 400 and state.last_open_ms == int(candles.open_ms[-1])


def test_candles_out_of_time_order_are_refused():
    state = ICTState()
    state.extend(worked_example(3))

    with pytest.raises(ValueError, match="not after the last one"):
        state.append(int(worked_example(3).open_ms[1]), 1.0, 2.0, 0.5, 1.5)


def test_joining_consecutive_gaps_needs_hindsight_and_is_refused():
    with pytest.raises(ValueError, match="join_consecutive"):
        ICTState(ICTParams(join_consecutive=True))
