"""Liquidity levels, equal-highs clusters, sweeps and runs, take-profit targets (ict.md 7)."""
from tests.fakes.ict_candles import bar, ohlc_candles, worked_example
from tests.fakes.shared_data import load_candles
from trading.domain.candles import Timeframe
from trading.indicators.ict import ICTParams, compute_ict
from trading.indicators.timeframes import resample


def _liquidity(candles, **params):
    return compute_ict(candles, ICTParams(left=1, right=1, **params)).liquidity


def test_worked_example_levels_cluster_the_two_highs_and_record_takes():
    levels = _liquidity(worked_example()).levels

    assert levels.index.tolist() == [1, 3, 6, 8]
    assert levels.known_at.tolist() == [2, 4, 7, 9]
    assert levels.direction.tolist() == [1, -1, 1, -1]
    assert levels.count.tolist() == [2, 1, 1, 1]
    assert levels.level.tolist() == [104.975, 100.0, 105.5, 97.0]
    assert levels.level_max.tolist() == [105.0, 100.0, 105.5, 97.0]
    assert levels.pool.tolist() == [105.0, 100.0, 105.5, 97.0]
    assert levels.equal_at.tolist() == [5, -1, -1, -1]
    assert levels.taken.tolist() == [6, 7, 11, -1]
    assert levels.swept.tolist() == [6, -1, -1, -1]
    assert levels.run.tolist() == [-1, 7, 11, -1]


def test_worked_example_sweeps_table_has_one_sweep_and_two_runs():
    sweeps = _liquidity(worked_example()).sweeps

    assert sweeps.index.tolist() == [6, 7, 11]
    assert sweeps.known_at.tolist() == [6, 7, 11]
    assert sweeps.direction.tolist() == [-1, 1, -1]
    assert sweeps.kind.tolist() == ["sweep", "run", "run"]
    assert sweeps.level.tolist() == [105.0, 100.0, 105.5]
    assert sweeps.count.tolist() == [2, 1, 1]


def test_cluster_as_of_a_bar_counts_only_members_known_by_then():
    liquidity = _liquidity(worked_example())

    before, after = liquidity.as_of(4).levels, liquidity.as_of(5).levels

    assert (before.count[0], before.level[0], before.equal_at[0]) == (1, 105.0, -1)
    assert (after.count[0], after.level[0], after.equal_at[0]) == (2, 104.975, 5)


def test_high_just_outside_the_tolerance_makes_its_own_level():
    levels = _liquidity(worked_example(), liq_tol=0.0004).levels  # 0.05 > 0.0004 * 105 = 0.042

    assert levels.index.tolist() == [1, 3, 4, 6, 8]
    assert levels.count.tolist() == [1, 1, 1, 1, 1]
    assert levels.swept.tolist() == [6, -1, 6, -1, -1]


def test_taken_level_gains_no_members():
    # highs 105 (bar 1) taken at bar 4 by 105.5; a later high at 105.02 is within tolerance of 105 but starts anew
    candles = ohlc_candles([bar(101, 99), bar(105, 102), bar(103, 100, up=False), bar(102, 99, up=False),
                            (102, 105.5, 101, 104.5), bar(104, 101, up=False), bar(103, 100, up=False),
                            bar(105.02, 101), bar(104, 101, up=False)])

    levels = _liquidity(candles).levels.take(_liquidity(candles).levels.direction == 1)

    assert levels.index.tolist() == [1, 4, 7]
    assert levels.taken.tolist()[:1] == [4]
    assert levels.count.tolist() == [1, 1, 1]


def test_reclaim_bars_turn_a_close_beyond_into_a_later_sweep():
    levels = _liquidity(worked_example(), sweep_reclaim_bars=2).levels

    assert levels.swept.tolist() == [6, 9, 12, -1]
    assert levels.run.tolist() == [-1, -1, -1, -1]


def test_reclaim_bars_confirm_a_run_when_no_close_returns_in_time():
    liquidity = _liquidity(worked_example(), sweep_reclaim_bars=1)

    assert liquidity.levels.swept.tolist() == [6, -1, 12, -1]
    assert liquidity.levels.run.tolist() == [-1, 8, -1, -1]
    assert liquidity.sweeps.known_at.tolist() == [6, 8, 12]
    assert liquidity.sweeps.kind.tolist() == ["sweep", "run", "sweep"]


def test_take_too_recent_to_judge_is_neither_sweep_nor_run_yet():
    levels = _liquidity(worked_example(12), sweep_reclaim_bars=2).levels

    assert (levels.taken[2], levels.swept[2], levels.run[2]) == (11, -1, -1)


def test_nearest_levels_for_take_profit_are_active_pools_beyond_the_price():
    liquidity = _liquidity(worked_example())

    assert liquidity.nearest_below(8, 97.5) is None  # L3 taken at 7, L8 known only at 9
    assert liquidity.nearest_below(9, 101.5) == 97.0
    assert liquidity.nearest_above(7, 99.0) == 105.5
    assert liquidity.nearest_above(5, 104.6) == 105.0
    assert liquidity.nearest_above(13, 100.0) is None


def test_active_levels_at_a_bar_exclude_taken_ones():
    liquidity = _liquidity(worked_example())

    assert liquidity.active_at(5).index.tolist() == [1, 3]
    assert liquidity.active_at(13).index.tolist() == [8]


def test_raw_source_keeps_one_pivot_of_a_plateau_and_pairs_internal_highs():
    # plateau at bars 1-2 (one level), then an internal lower high at 4 with no swing low in between
    candles = ohlc_candles([bar(101, 99), (102.5, 105, 102, 104.5), (104.5, 105, 102.2, 103),
                            (103, 104, 102.5, 103.5), (103.5, 104.96, 102.6, 104), (104, 104, 101, 101.5)])

    raw = _liquidity(candles, source="raw").levels
    sequence = _liquidity(candles).levels

    assert compute_ict(candles, ICTParams(left=1, right=1)).pivots.index.tolist() == [1, 2, 4]
    assert raw.take(raw.direction == 1).count.tolist() == [2]
    assert raw.take(raw.direction == 1).level.tolist() == [(105.0 + 104.96) / 2]
    assert sequence.take(sequence.direction == 1).count.tolist() == [1]


def test_each_change_of_a_level_is_its_own_row_as_the_level_stood_then():
    # the BSL level of bar 1 (105.0, known at 2) gains the bar 4 high 104.95 at bar 5: two rows, the mean moving
    changes = _liquidity(worked_example()).level_changes()

    assert changes.index.tolist() == [1, 3, 4, 6, 8]
    assert changes.known_at.tolist() == [2, 4, 5, 7, 9]
    assert changes.level_row.tolist() == [0, 1, 0, 2, 3]
    assert changes.level_index.tolist() == [1, 3, 1, 6, 8]
    assert changes.count.tolist() == [1, 1, 2, 1, 1]
    assert changes.level.tolist() == [105.0, 100.0, 104.975, 105.5, 97.0]
    assert changes.level_min.tolist() == [105.0, 100.0, 104.95, 105.5, 97.0]
    assert changes.equal_at.tolist() == [-1, -1, 5, -1, -1]
    assert changes.taken.tolist() == [6, 7, 6, 11, -1]


def test_level_changes_on_a_prefix_equal_the_full_history_as_of_its_last_bar():
    candles = resample(load_candles("BTCUSDT-1m.csv.gz")[:40_000], Timeframe.M15)
    full = compute_ict(candles, ICTParams()).liquidity.level_changes()
    assert (full.count >= 2).sum() > 10           # the real data has many equal highs and lows

    for cut in (300, 1111, 2000, len(candles) - 1):
        prefix = compute_ict(candles[:cut + 1], ICTParams()).liquidity.level_changes()
        assert prefix.equals(full.as_of(cut)), cut
