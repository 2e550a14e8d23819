"""Export of the ICT indicators to one CSV per concept."""
import pandas as pd
import pytest

from tests.fakes.ict_candles import worked_example
from tests.fakes.shared_data import load_candles
from trading.domain.candles import Timeframe
from trading.indicators.ict import ICTParams, compute_ict
from trading.indicators.timeframes import resample
from trading.services.indicator_export import export_indicators

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
