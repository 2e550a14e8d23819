"""Batched first-crossing search: agrees with a direct scan, exact at ties, bounded by the range end."""
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.fakes.ict_candles import ohlc_candles
from trading.indicators.ict.price_crossings import CrossingSearch, PriceSearch


def _scan(values, start, end, level, strict):
    for j in range(max(start, 0), min(end, len(values) - 1) + 1):
        if values[j] > level or (not strict and values[j] == level):
            return j
    return -1


@settings(max_examples=25, deadline=None)
@given(values=st.lists(st.integers(0, 20), min_size=1, max_size=150),
       queries=st.lists(st.tuples(st.integers(0, 160), st.integers(-5, 170), st.integers(-1, 21)), min_size=1,
                        max_size=40),
       strict=st.booleans())
def test_first_above_equals_a_direct_scan(values, queries, strict):
    x = np.asarray(values, dtype=np.float64)
    start, end, level = (np.array(col) for col in zip(*queries))

    got = CrossingSearch(x).first_above(start, end, level.astype(np.float64), strict)

    assert got.tolist() == [_scan(x, s, e, v, strict) for s, e, v in queries]


def test_search_crosses_block_boundaries_far_from_the_start():
    x = np.zeros(1000)
    x[777] = 5.0

    got = CrossingSearch(x).first_above(np.array([3, 3, 778]), np.array([999, 700, 999]), np.array([4.0, 4.0, 4.0]))

    assert got.tolist() == [777, -1, -1]


def test_price_search_below_is_inclusive_only_when_not_strict():
    candles = ohlc_candles([(10, 11, 9, 10), (10, 11, 8, 10), (10, 11, 7, 10)])
    search = PriceSearch(candles)

    inclusive = search.first_below("low", np.array([0]), np.array([2]), np.array([8.0]), strict=False)
    strict = search.first_below("low", np.array([0]), np.array([2]), np.array([8.0]), strict=True)

    assert (inclusive.tolist(), strict.tolist()) == ([1], [2])


def test_chained_search_skips_queries_whose_previous_state_never_happened():
    candles = ohlc_candles([(10, 11, 9, 10), (10, 11, 8, 10), (10, 11, 7, 10)])

    got = PriceSearch(candles).chain_below("low", np.array([-1, 1]), np.array([2, 2]), np.array([9.0, 9.0]), False)

    assert got.tolist() == [-1, 1]
