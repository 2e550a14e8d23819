"""`trading-assistant evaluate`: the out-of-sample record against random entries and buy and hold."""
import json
import sqlite3

import pandas as pd
import pytest

from bot.cli import main as cli_main
from tests.fakes.shared_data import load_candles
from tests.unit.reports.png_checks import assert_phone_png
from trading.domain.candles import COLUMNS

REQUIRED = {"strategy", "symbol", "out_of_sample", "random_baseline", "buy_and_hold_return_pct", "deflated_sharpe",
            "pbo"}


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)                 # no stray .env
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("MAX_FEE_TO_RISK_PCT", "0")   # A's tight stops trade, so the record has trades to judge
    return tmp_path / "data"


@pytest.fixture(scope="module")
def seven_weeks(tmp_path_factory):
    path = tmp_path_factory.mktemp("candles") / "BTCUSDT-1m.csv.gz"
    candles = load_candles("BTCUSDT-1m.csv.gz")[:50 * 1440]
    columns = {"timestamp_ms": candles.open_ms} | {c: getattr(candles, c) for c in COLUMNS[1:]}
    pd.DataFrame(columns).to_csv(path, index=False)
    return path


def test_json_holds_the_out_of_sample_record_the_baseline_and_the_statistics(data_dir, seven_weeks, capsys):
    assert cli_main(["evaluate", "--strategy", "C", "--data", str(seven_weeks), "--runs", "30", "--json"]) == 0

    record = json.loads(capsys.readouterr().out, parse_constant=lambda c: pytest.fail(f"non-standard {c}"))
    assert REQUIRED <= set(record) and (record["strategy"], record["symbol"]) == ("C", "BTC/USDT")
    oos = record["out_of_sample"]
    assert {"return_pct", "profit_factor", "trades", "sharpe"} <= set(oos)
    # 50 days: folds of 30 in, 10 out roll by 10 -> 2 folds, out of sample 2025-06-19..07-09 only
    assert [f["start"] for f in oos["folds"]] == ["2025-06-19T00:00:00Z", "2025-06-29T00:00:00Z"]
    assert oos["trades"] == sum(f["trades"] for f in oos["folds"]) > 0
    growth = 1.0
    for fold in oos["folds"]:
        growth *= 1 + fold["return_pct"] / 100
    assert oos["return_pct"] == pytest.approx((growth - 1) * 100)
    baseline = record["random_baseline"]
    assert baseline["runs"] == 30 and set(baseline["return_pct"]) == {"p5", "p50", "p95"}
    assert 0 <= baseline["percentile"] <= 100 and record["run_id"] == 1
    assert record["pbo"] is None or 0 <= record["pbo"] <= 1        # None when every variant traded alike
    assert record["variants"] >= 1 and record["verdict"]
    with sqlite3.connect(data_dir / "trading.sqlite") as db:
        assert db.execute("SELECT strategy, source FROM backtests").fetchall() == [
            ("C", "evaluate, out of sample (file BTCUSDT-1m.csv.gz)")]


def test_every_strategy_gets_its_report_and_trend_says_why_it_cannot_trade(data_dir, seven_weeks, capsys, tmp_path):
    chart = tmp_path / "evaluation.png"

    assert cli_main(["evaluate", "--data", str(seven_weeks), "--runs", "10", "--chart", str(chart)]) == 0

    out = capsys.readouterr().out
    for name in ("A", "B", "C"):
        assert f"Evaluation of {name} on BTC/USDT: out of sample only" in out
        assert_phone_png((tmp_path / f"evaluation-{name}-BTCUSDT.png").read_bytes())
    assert "Random entries (10 runs)" in out and "buy and hold" in out and "Deflated Sharpe" in out
    assert "trend cannot trade this data: its daily EMA200 regime needs 201 daily closes" in out


@pytest.mark.parametrize("argv, message", [
    (["--strategy", "Z", "--symbols", "BTC/USDT"], "unknown strategy 'Z'"),
    (["--strategy", "A"], "say which markets: --symbols BTC/USDT (or give --data PATH)"),
    (["--data", "missing.csv.gz"], "no such data file: missing.csv.gz"),
    (["--data", "x", "--runs", "0"], "--runs takes 1 to 10000 runs, not 0"),
])
def test_bad_arguments_get_one_clear_line(data_dir, capsys, argv, message):
    assert cli_main(["evaluate", *argv]) == 2
    assert capsys.readouterr().err.startswith(f"trading-assistant evaluate: {message}")


def test_too_little_data_for_one_fold_says_how_much_it_needs(data_dir, capsys, tmp_path):
    path = tmp_path / "BTCUSDT-1m.csv.gz"
    candles = load_candles("BTCUSDT-1m.csv.gz")[:20 * 1440]
    pd.DataFrame({"timestamp_ms": candles.open_ms} | {c: getattr(candles, c) for c in COLUMNS[1:]}).to_csv(
        path, index=False)

    assert cli_main(["evaluate", "--strategy", "A", "--data", str(path)]) == 2
    assert "walk-forward needs at least 40 days of data; the period holds 20" in capsys.readouterr().err
