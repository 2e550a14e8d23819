import time

import pandas as pd

from bot.cli import main
from tests.fakes.shared_data import shared_data_path


def test_indicators_export_writes_one_csv_per_concept_and_the_signals(tmp_path, capsys):
    source = shared_data_path("ETHUSDT-1m.csv.gz")
    assert main(["indicators", "--data", str(source), "--timeframe", "1h", "--left", "3", "--right", "3",
                 "--out", str(tmp_path)]) == 0
    names = {p.name for p in tmp_path.iterdir()}
    assert {"swings.csv", "structure_breaks.csv", "fvgs.csv", "order_blocks.csv", "breakers.csv",
            "liquidity_levels.csv", "sweeps.csv", "signals.csv"} <= names
    fvgs = pd.read_csv(tmp_path / "fvgs.csv")
    assert {"index", "known_at", "direction", "top", "bottom", "touched", "filled"} <= set(fvgs.columns)
    assert (fvgs["known_at"] == fvgs["index"] + 1).all()        # an FVG is known at its third candle
    signals = pd.read_csv(tmp_path / "signals.csv")
    assert len(signals) > 0 and set(signals["strategy"]) <= {"A", "B", "C", "trend"}
    assert str(tmp_path / "signals.csv") in capsys.readouterr().out


def test_indicators_export_refuses_a_missing_file_and_a_finer_timeframe_than_the_data(tmp_path, capsys):
    assert main(["indicators", "--data", str(tmp_path / "nope.csv")]) == 2
    assert "no such file" in capsys.readouterr().err
    assert main(["indicators", "--data", str(shared_data_path("BTCUSDT-1h.csv.gz")), "--timeframe", "15m",
                 "--out", str(tmp_path)]) == 2
    assert "coarser than 15m" in capsys.readouterr().err


def test_health_reports_a_fresh_and_a_stale_heartbeat(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    assert main(["health"]) == 1
    (tmp_path / "heartbeat").write_text(str(time.time_ns() // 1_000_000))
    assert main(["health"]) == 0
    (tmp_path / "heartbeat").write_text(str(time.time_ns() // 1_000_000 - 300_000))
    assert main(["health"]) == 1
    assert "unhealthy: last heartbeat 300 s ago" in capsys.readouterr().err


def test_a_bad_setting_stops_start_up_with_one_line(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MARKET_DATA", "csv")
    assert main(["run"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("trading-assistant: Invalid setting MARKET_DATA") and "\n" not in err
