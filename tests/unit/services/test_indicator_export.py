"""Export of the ICT indicators to one CSV per concept, and of the signals to signals.csv."""
from decimal import Decimal

import pandas as pd
import pytest

from tests.fakes.ict_candles import worked_example
from tests.fakes.shared_data import load_candles
from trading.domain.candles import Timeframe
from trading.indicators.ict import ICTParams, compute_ict
from trading.indicators.timeframes import resample
from trading.services.indicator_export import export_indicators
from trading.services.signal_export import export_signals

CONCEPTS = ["swings", "structure_breaks", "fvgs", "order_blocks", "breakers", "liquidity_levels", "sweeps",
            "period_levels"]


def _write_csv(candles, path):
    frame = pd.DataFrame({"timestamp_ms": candles.open_ms, "open": candles.open, "high": candles.high,
                          "low": candles.low, "close": candles.close, "volume": candles.volume})
    frame.to_csv(path, index=False)
    return path


def test_export_writes_one_csv_per_concept_with_bar_times(tmp_path):
    source = _write_csv(worked_example(), tmp_path / "example.csv")

    written = export_indicators(source, Timeframe.M15, 1, 1, tmp_path / "out")

    assert [p.stem for p in written] == CONCEPTS
    breaks = pd.read_csv(tmp_path / "out" / "structure_breaks.csv", keep_default_na=False)
    assert breaks["index"].tolist() == [7, 11]
    assert breaks["kind_trend"].tolist() == ["BOS", "CHoCH"]
    # bar 0 opens at 2023-11-14 22:00 UTC, bars are 15m
    assert breaks["time"].tolist() == ["2023-11-14T23:45:00Z", "2023-11-15T00:45:00Z"]
    assert breaks["ref_index_time"].tolist() == ["2023-11-14T22:45:00Z", "2023-11-14T23:30:00Z"]


def test_export_leaves_the_time_of_a_state_that_has_not_happened_empty(tmp_path):
    source = _write_csv(worked_example(), tmp_path / "example.csv")

    export_indicators(source, Timeframe.M15, 1, 1, tmp_path)

    gaps = pd.read_csv(tmp_path / "fvgs.csv", keep_default_na=False)
    assert gaps["touched"].tolist() == [7, 9, -1, -1, -1]
    assert gaps["touched_time"].tolist()[2:] == ["", "", ""]
    assert gaps["touched_time"][0] == gaps["time"][1] == "2023-11-14T23:45:00Z"  # bar 7
    sweeps = pd.read_csv(tmp_path / "sweeps.csv")
    assert sweeps["kind"].tolist() == ["sweep", "run", "run"]


def test_export_resamples_finer_candles_to_the_requested_timeframe(tmp_path):
    minutes = load_candles("BTCUSDT-1m.csv.gz")[:3000]
    source = _write_csv(minutes, tmp_path / "btc-1m.csv.gz")

    export_indicators(source, Timeframe.M15, 3, 3, tmp_path)

    expected = compute_ict(resample(minutes, Timeframe.M15), ICTParams(left=3, right=3)).fvgs
    assert pd.read_csv(tmp_path / "fvgs.csv")["index"].tolist() == expected.index.tolist()


def test_export_refuses_candles_coarser_than_the_timeframe(tmp_path):
    source = _write_csv(worked_example(), tmp_path / "example.csv")

    with pytest.raises(ValueError, match="coarser than 1m"):
        export_indicators(source, Timeframe.M1, 1, 1, tmp_path)


def test_no_liquidity_row_reveals_a_member_that_joined_after_its_known_time(tmp_path):
    # the export of a prefix of the data holds exactly the full export's rows known by then (states not yet
    # happened blanked), so a backtest on the CSV reads each level as it stood, never its final mean
    minutes = load_candles("BTCUSDT-1m.csv.gz")[:30_000]
    full_dir, cut_dir = tmp_path / "full", tmp_path / "cut"
    export_indicators(_write_csv(minutes, tmp_path / "full.csv"), Timeframe.M15, 5, 5, full_dir)
    export_indicators(_write_csv(minutes[:15_000], tmp_path / "cut.csv"), Timeframe.M15, 5, 5, cut_dir)
    last = 15_000 // 15 - 1

    full = pd.read_csv(full_dir / "liquidity_levels.csv", keep_default_na=False)
    cut = pd.read_csv(cut_dir / "liquidity_levels.csv", keep_default_na=False)

    assert (full["count"] >= 2).any() and full["known_at"].is_monotonic_increasing
    known = full[full["known_at"] <= last].copy()
    for state in ("taken", "swept", "run"):
        later = known[state] > last
        known.loc[later, state], known.loc[later, f"{state}_time"] = -1, ""
    pd.testing.assert_frame_equal(known.reset_index(drop=True), cut)


def test_a_level_is_written_again_each_time_a_member_joins(tmp_path):
    export_indicators(_write_csv(worked_example(), tmp_path / "example.csv"), Timeframe.M15, 1, 1, tmp_path)

    levels = pd.read_csv(tmp_path / "liquidity_levels.csv", keep_default_na=False)
    first = levels[levels["level_row"] == 0]
    assert first["count"].tolist() == [1, 2] and first["level"].tolist() == [105.0, 104.98]   # on the 0.01 tick
    assert first["known_at_time"].tolist() == ["2023-11-14T22:30:00Z", "2023-11-14T23:15:00Z"]
    assert first["level_index_time"].tolist() == ["2023-11-14T22:15:00Z"] * 2


def test_signals_csv_has_entries_stops_and_targets_on_the_tick(tmp_path):
    source = _write_csv(load_candles("BTCUSDT-1m.csv.gz")[:20_000], tmp_path / "BTCUSDT-1m.csv")

    signals = pd.read_csv(export_signals(source, tmp_path), dtype=str, keep_default_na=False)

    assert len(signals) > 10
    for column in ("entry", "stop", "take_profit"):
        assert all(Decimal(v) == Decimal(v).quantize(Decimal("0.01")) for v in signals[column] if v), column
