"""compute_ict on real candles: no look-ahead (prefix property) and agreement with a bar-by-bar replay."""
from functools import lru_cache

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.fakes.ict_replay import replay_ict
from tests.fakes.shared_data import load_candles
from trading.indicators.ict import ICTParams, ICTSnapshot, compute_ict

BARS = 2500
DATA = ("BTCUSDT-15m.csv.gz", "BTCUSDT-1m.csv.gz")
VARIANTS = {
    "defaults": ICTParams(left=3, right=3),
    "options": ICTParams(left=2, right=1, break_on="wick", ob_candle="last_opposite", zone="body_to_wick",
                         ob_break_on="body", max_age=60, ob_max_age=40, liq_tol=0.002, sweep_reclaim_bars=3,
                         source="raw", min_gap=0.0003),
}
TABLES = {
    "pivots": lambda s: s.pivots,
    "swings": lambda s: s.swings,
    "structure_breaks": lambda s: s.breaks,
    "fvgs": lambda s: s.fvgs,
    "order_blocks": lambda s: s.order_blocks,
    "breakers": lambda s: s.breakers,
    "liquidity_levels": lambda s: s.liquidity.levels,
    "liquidity_members": lambda s: s.liquidity.members,
    "sweeps": lambda s: s.liquidity.sweeps,
    "period_levels": lambda s: s.liquidity.periods,
}


@lru_cache(maxsize=8)
def _full(data: str, variant: str) -> ICTSnapshot:
    return compute_ict(load_candles(data)[:BARS], VARIANTS[variant])


@pytest.mark.parametrize("table", TABLES)
@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("data", DATA)
@settings(max_examples=25, deadline=None)
@given(t=st.integers(min_value=0, max_value=BARS - 1))
def test_every_indicator_on_a_prefix_equals_the_full_run_cut_at_the_prefix(data, variant, table, t):
    full = _full(data, variant)
    candles = load_candles(data)[: t + 1]

    prefix = compute_ict(candles, VARIANTS[variant])

    assert TABLES[table](prefix).equals(TABLES[table](full.as_of(t)))


@pytest.mark.parametrize("variant", VARIANTS)
@settings(max_examples=25, deadline=None)
@given(t=st.integers(min_value=0, max_value=BARS - 1))
def test_trend_on_a_prefix_equals_the_full_trend_cut_at_the_prefix(variant, t):
    full = _full("BTCUSDT-15m.csv.gz", variant)

    prefix = compute_ict(load_candles("BTCUSDT-15m.csv.gz")[: t + 1], VARIANTS[variant])

    assert np.array_equal(prefix.trend, full.trend[: t + 1])


def test_full_run_cut_at_its_last_bar_is_unchanged():
    full = _full("BTCUSDT-15m.csv.gz", "defaults")

    cut = full.as_of(BARS - 1)

    assert all(TABLES[name](cut).equals(TABLES[name](full)) for name in TABLES)


def test_real_candles_give_every_kind_of_event():
    full = _full("BTCUSDT-15m.csv.gz", "defaults")

    counts = {name: len(TABLES[name](full)) for name in TABLES}

    assert min(counts.values()) > 10, counts
    assert (full.liquidity.levels.count >= 2).sum() > 5
    assert set(full.breaks.kind_trend) == {"BOS", "CHoCH"}


def _replay_frames(data: str, variant: str, bars: int) -> tuple[ICTSnapshot, object]:
    candles = load_candles(data)[:bars]
    return compute_ict(candles, VARIANTS[variant]), replay_ict(candles, VARIANTS[variant])


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("data", DATA)
def test_vectorised_tables_equal_a_bar_by_bar_replay_of_the_spec(data, variant):
    snapshot, replay = _replay_frames(data, variant, 1000)

    for name in ("pivots", "swings", "breaks", "fvgs", "order_blocks", "breakers"):
        got = getattr(snapshot, name).to_frame().drop(columns="expires", errors="ignore")
        expected = pd.DataFrame(getattr(replay, name), columns=got.columns)
        pd.testing.assert_frame_equal(got, expected, check_dtype=False, obj=name)
    assert snapshot.trend.tolist() == replay.trend


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("data", DATA)
def test_liquidity_levels_equal_a_bar_by_bar_replay_of_the_spec(data, variant):
    snapshot, replay = _replay_frames(data, variant, 1000)
    levels = snapshot.liquidity.levels

    expected = pd.DataFrame({
        "index": [lv["index"] for lv in replay.levels],
        "known_at": [lv["known_at"] for lv in replay.levels],
        "count": [len(lv["members"]) for lv in replay.levels],
        "level_max": [max(lv["members"]) for lv in replay.levels],
        "level_min": [min(lv["members"]) for lv in replay.levels],
        "equal_at": [lv["joined"][1] if len(lv["joined"]) > 1 else -1 for lv in replay.levels],
        "taken": [lv["taken"] for lv in replay.levels],
        "swept": [lv["swept"] for lv in replay.levels],
        "run": [lv["run"] for lv in replay.levels],
    })
    got = levels.to_frame()[expected.columns]
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)
    assert (levels.count >= 2).any()
