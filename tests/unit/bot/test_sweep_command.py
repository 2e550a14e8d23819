"""`trading-assistant sweep`: the grid from the command line, on this machine or a Dask cluster, alike."""
import json

import pandas as pd
import pytest
from distributed import LocalCluster

from bot.cli import main as cli_main
from tests.fakes.shared_data import load_candles
from tests.unit.reports.png_checks import assert_phone_png
from trading.domain.candles import COLUMNS

ARGS = ["--strategy", "C", "--param", "sweep_lookback=8,16", "--param", "rules_min_rr=1.5:3:1.5",
        "--in-days", "20", "--out-days", "10", "--json"]


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)                 # no stray .env
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("MAX_FEE_TO_RISK_PCT", "0")   # C's tight stops trade, so the trials differ
    monkeypatch.setenv("MIN_REWARD_RISK", "0")
    return tmp_path / "data"


@pytest.fixture(scope="module")
def six_weeks(tmp_path_factory):
    path = tmp_path_factory.mktemp("candles") / "BTCUSDT-1m.csv.gz"
    candles = load_candles("BTCUSDT-1m.csv.gz")[:42 * 1440]
    pd.DataFrame({"timestamp_ms": candles.open_ms} | {c: getattr(candles, c) for c in COLUMNS[1:]}).to_csv(
        path, index=False)
    return path


def _sweep(capsys, *argv: str) -> dict:
    assert cli_main(["sweep", *argv]) == 0
    return json.loads(capsys.readouterr().out)


def test_a_sweep_ranks_its_trials_out_of_sample_and_writes_them_all(data_dir, six_weeks, capsys, tmp_path):
    chart = tmp_path / "surface.png"
    record = _sweep(capsys, *ARGS, "--data", str(six_weeks), "--workers", "1", "--chart", str(chart))

    assert [t["params"] for t in record["trials"]] == [
        {"rules_min_rr": 1.5, "sweep_lookback": 8.0}, {"rules_min_rr": 3.0, "sweep_lookback": 8.0},
        {"rules_min_rr": 1.5, "sweep_lookback": 16.0}, {"rules_min_rr": 3.0, "sweep_lookback": 16.0}]
    scores = {t["index"]: t["score_pct"] for t in record["trials"]}
    assert [scores[i] for i in record["best"]] == sorted(scores.values(), reverse=True)
    assert record["folds"] == 2 and record["start"] == "2025-06-09T00:00:00Z"
    assert "pbo" in record and "deflated_sharpe" in record
    assert json.loads(open(record["file"]).read())["trials"] == record["trials"]
    assert_phone_png(chart.read_bytes())


def test_the_same_sweep_on_a_dask_cluster_gives_the_same_trials(data_dir, six_weeks, capsys, monkeypatch):
    here = _sweep(capsys, *ARGS, "--data", str(six_weeks), "--workers", "1")
    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False, protocol="tcp", host="127.0.0.1",
                      scheduler_port=0, dashboard_address="127.0.0.1:0") as cluster:
        monkeypatch.setenv("SWEEP_CLUSTER", cluster.scheduler_address)
        there = _sweep(capsys, *ARGS, "--data", str(six_weeks))

    assert there["trials"] == here["trials"] and there["best"] == here["best"]


@pytest.mark.parametrize("argv, message", [
    (["--strategy", "C", "--param", "nope=1,2", "--symbol", "BTC/USDT"], "C has no parameter 'nope'"),
    (["--strategy", "C", "--param", "sweep_lookback", "--symbol", "BTC/USDT"],
     "--param 'sweep_lookback' is not like min_gap=0.1:0.5:0.1"),
    (["--strategy", "C", "--symbol", "BTC/USDT"], "say what to sweep: --param NAME=a,b,c"),
])
def test_bad_arguments_get_one_clear_line(data_dir, capsys, argv, message):
    assert cli_main(["sweep", *argv]) == 2
    assert capsys.readouterr().err.startswith(f"trading-assistant sweep: {message}")


def test_the_text_report_names_the_next_region_to_search(data_dir, six_weeks, capsys):
    argv = [a for a in ARGS if a != "--json"]
    assert cli_main(["sweep", *argv, "--data", str(six_weeks), "--workers", "1"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Sweep of C on BTC/USDT: 4 trials, scored out of sample only")
    assert "Next region to search: --param sweep_lookback=" in out and "trials on this machine in" in out
