"""`trading-assistant backtest` from a file or the candle cache: the printed metrics, the chart, the stored runs,
and one clear line for every bad argument."""
import asyncio
import csv
import json
import sqlite3
import subprocess
import sys
from decimal import Decimal

import pandas as pd
import pytest

from bot.backtest_command import main
from tests.fakes.shared_data import load_candles, shared_data_path
from tests.unit.reports.png_checks import assert_phone_png
from trading.adapters.clocks import ManualClock
from trading.adapters.sqlite_store import SqliteStore
from trading.backtest.random_baseline import ordinal
from trading.domain.candles import COLUMNS, Timeframe


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)                 # no stray .env
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    # the cost gates off: A's tight stops on these three weeks then trade, and the output has trades to show
    monkeypatch.setenv("MAX_FEE_TO_RISK_PCT", "0")
    monkeypatch.setenv("MIN_REWARD_RISK", "0")
    return tmp_path / "data"


@pytest.fixture(scope="module")
def three_weeks(tmp_path_factory):
    path = tmp_path_factory.mktemp("candles") / "BTCUSDT-1m.csv.gz"
    candles = load_candles("BTCUSDT-1m.csv.gz")[:21 * 1440]
    columns = {"timestamp_ms": candles.open_ms} | {c: getattr(candles, c) for c in COLUMNS[1:]}
    pd.DataFrame(columns).to_csv(path, index=False)
    return path


def test_a_backtest_prints_its_metrics_writes_its_chart_and_is_listed(data_dir, three_weeks, capsys, tmp_path):
    chart = tmp_path / "report.png"

    assert main(["--strategy", "a", "--data", str(three_weeks), "--monte-carlo", "--chart", str(chart)]) == 0

    out = capsys.readouterr().out
    assert out.startswith("A on BTC/USDT 1m, 2025-05-20 to 2025-06-09, 30,240 bars (file BTCUSDT-1m.csv.gz)")
    for label in ("Total return", "Buy and hold", "Max drawdown", "Drawdown duration", "Win rate", "Profit factor",
                  "Average win/loss", "Average R", "Expectancy", "Exposure"):
        assert f"\n{label} " in out
    for abbreviation in ("B&H", "Max DD", "DD time", "\nPF  ", "\nWin  ", "R:R", "Expect  "):
        assert abbreviation not in out
    assert "Monte Carlo (bootstrap, 1000 runs of" in out and "stored as run #1." in out
    assert_phone_png(chart.read_bytes())
    assert main(["--list"]) == 0
    assert "#1 " in capsys.readouterr().out
    with sqlite3.connect(data_dir / "trading.sqlite") as db:
        assert db.execute("SELECT strategy, symbol, timeframe FROM backtests").fetchall() == [("A", "BTC/USDT", "1m")]


def test_the_period_and_the_studies_are_applied(data_dir, three_weeks, capsys):
    assert main(["--strategy", "C", "--data", str(three_weeks), "--from", "2025-05-27", "--to", "2025-06-03",
                 "--timeframe", "15m", "--compare", "--walk-forward"]) == 0

    out = capsys.readouterr().out
    assert out.startswith("C on BTC/USDT 15m, 2025-05-27 to 2025-06-03, 768 bars")
    assert "Strategies side by side:\n                        A      B" in out
    assert "Walk-forward skipped: walk-forward needs at least 40 days of data; the period holds 8" in out


def test_without_a_file_the_candle_cache_is_used(data_dir, capsys):
    async def fill_cache():
        store = SqliteStore(data_dir / "trading.sqlite", ManualClock(0))
        await store.open()
        await store.save_candles("ETH/USDT", Timeframe.M15, load_candles("ETHUSDT-15m.csv.gz")[:3000])
        await store.close()
    data_dir.mkdir()
    asyncio.run(fill_cache())

    assert main(["--strategy", "B", "--symbol", "eth/usdt"]) == 0

    assert capsys.readouterr().out.startswith("B on ETH/USDT 15m, 2023-04-01 to 2023-05-02, 3,000 bars (candle cache)")


@pytest.mark.parametrize("argv, message", [
    (["--strategy", "Z", "--symbol", "BTC/USDT"], "unknown strategy 'Z'; use one of A, B, C, trend, ema_cross"),
    (["--symbol", "BTC/USDT"], "say which strategy: --strategy A, B, C, trend or ema_cross"),
    (["--strategy", "A"], "say which market: --symbol BTC/USDT (or give --data PATH)"),
    (["--strategy", "A", "--data", "missing.csv.gz"], "no such data file: missing.csv.gz"),
    (["--strategy", "A", "--symbol", "BTC/USDT", "--from", "2025-13-01"],
     "--from '2025-13-01' is not a date like 2025-06-01"),
    (["--strategy", "A", "--symbol", "BTC/USDT", "--from", "2025-07-01", "--to", "2025-06-01"],
     "--to 2025-06-01 is before --from 2025-07-01"),
    (["--strategy", "A", "--symbol", "BTC/USDT", "--timeframe", "2m"], "unknown timeframe '2m'"),
])
def test_bad_arguments_get_one_clear_line(data_dir, capsys, argv, message):
    assert main(argv) == 2
    assert capsys.readouterr().err.startswith(f"trading-assistant backtest: {message}")


def test_a_period_outside_the_data_names_the_span_there_is(data_dir, three_weeks, capsys):
    assert main(["--strategy", "A", "--data", str(three_weeks), "--from", "2024-01-01", "--to", "2024-01-31"]) == 2
    assert "data covers 2025-05-20 to 2025-06-09" in capsys.readouterr().err


def test_a_period_only_partly_in_the_data_says_which_period_ran(data_dir, three_weeks, capsys):
    assert main(["--strategy", "B", "--data", str(three_weeks), "--from", "2025-05-10", "--to", "2025-05-25",
                 "--json"]) == 0

    record = json.loads(capsys.readouterr().out)
    assert record["period_note"] == ("Asked for 2025-05-10 to 2025-05-25; candles exist only from 2025-05-20 to "
                                     "2025-05-25, so the run used those 6.0 days.")
    assert record["metrics"]["start"] == "2025-05-20T00:00:00Z"


def test_json_prints_one_strict_json_object_with_exact_money(data_dir, three_weeks, capsys, tmp_path):
    trades = tmp_path / "trades.csv"

    assert main(["--strategy", "A", "--data", str(three_weeks), "--json", "--monte-carlo", "--trades",
                 str(trades)]) == 0

    out = capsys.readouterr().out
    record = json.loads(out, parse_constant=lambda name: pytest.fail(f"non-standard JSON constant {name}"))
    assert out.count("\n") == 1 and record["strategy"] == "A" and record["symbol"] == "BTC/USDT"
    assert record["metrics"]["start"] == "2025-05-20T00:00:00Z" and record["metrics"]["end"] == "2025-06-10T00:00:00Z"
    assert isinstance(record["metrics"]["end_equity"], str) and isinstance(record["metrics"]["fees_paid"], str)
    rows = _csv_rows(trades)
    change = Decimal(record["metrics"]["end_equity"]) - Decimal(record["metrics"]["start_equity"])
    assert abs(change - sum((Decimal(row["pnl"]) for row in rows), Decimal(0))) <= Decimal("1E-8") * len(rows)
    assert record["labels"]["max_drawdown_pct"] == "Max drawdown"
    assert record["run_id"] == 1 and record["trades_file"] == str(trades)
    assert set(record["monte_carlo"]) == {"resampling", "runs", "trades", "max_drawdown_pct", "final_equity"}
    assert record["metrics"]["trades"] == len(rows) > 0


def test_trades_csv_lists_each_round_trip_with_its_exit_reason(data_dir, three_weeks, capsys, tmp_path):
    trades = tmp_path / "trades.csv"

    assert main(["--strategy", "B", "--data", str(three_weeks), "--trades", str(trades)]) == 0

    assert f"Trade list written to {trades}" in capsys.readouterr().out
    rows = _csv_rows(trades)
    assert rows and list(rows[0]) == ["strategy", "symbol", "side", "entry_time", "entry_price", "exit_time",
                                      "exit_price", "amount", "fees", "funding", "pnl", "r_multiple", "exit_reason"]
    for row in rows:
        assert row["strategy"] == "B" and row["side"] in ("long", "short") and row["exit_reason"]
        assert row["entry_time"] < row["exit_time"] and row["entry_time"].endswith("Z")
        assert Decimal(row["entry_price"]) % Decimal("0.01") == 0 and Decimal(row["exit_price"]) % Decimal("0.01") == 0
        assert Decimal(row["fees"]) > 0 and row["r_multiple"] != ""


def _csv_rows(path):
    with path.open(newline="") as f:
        return list(csv.DictReader(f))


def test_the_whole_command_runs_on_the_real_file(data_dir, tmp_path):
    # how fast is bench/backtest.py's to measure (backtest_command_*), never a timed test: a loaded machine
    # would fail it at random
    done = subprocess.run([sys.executable, "-m", "bot.backtest_command", "--strategy", "trend", "--data",
                           str(shared_data_path("BTCUSDT-1m.csv.gz"))], cwd=tmp_path, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "trend on BTC/USDT 1m, 2025-05-20 to 2025-08-18, 130,708 bars" in done.stdout


def test_the_random_baseline_reports_its_spread_and_the_strategys_percentile(data_dir, three_weeks, capsys):
    argv = ["--strategy", "A", "--data", str(three_weeks), "--baseline", "random", "--runs", "20", "--seed", "5"]
    assert main([*argv, "--json"]) == 0

    record = json.loads(capsys.readouterr().out)
    baseline = record["random_baseline"]
    assert (baseline["runs"], baseline["seed"], baseline["entries"]) == (20, 5, record["metrics"]["trades"])
    spread = baseline["return_pct"]
    assert spread["p5"] <= spread["p50"] <= spread["p95"] and 0 <= baseline["percentile"] <= 100
    assert {e["rule"] for e in record["exits"]} <= {"stop_loss", "take_profit", "break_even", "end_of_data",
                                                     "partial_take_profit", "trailing_stop", "hard_stop"}
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "Random entries (20 runs, seed 5)" in out
    assert f"sits at the {ordinal(baseline['percentile'])} percentile" in out
    assert "Exits by rule (count, net, average R):" in out


def test_baseline_runs_must_be_a_sane_count(data_dir, three_weeks, capsys):
    with pytest.raises(SystemExit):
        main(["--strategy", "A", "--data", str(three_weeks), "--baseline", "random", "--runs", "0"])
    assert "--runs takes 1 to 10000 runs, not 0" in capsys.readouterr().err


def test_trend_on_too_little_history_says_why_it_made_no_trade(data_dir, three_weeks, capsys):
    assert main(["--strategy", "trend", "--data", str(three_weeks), "--json"]) == 0

    record = json.loads(capsys.readouterr().out)
    assert record["metrics"]["trades"] == 0
    assert record["warm_up_note"].startswith("trend cannot trade this data: its daily EMA200 regime needs 201 daily")
