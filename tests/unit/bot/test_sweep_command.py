"""`trading-assistant sweep`: the grid from the command line, on this machine or a Dask cluster, alike."""
import json
import sqlite3

import pandas as pd
import pytest
from distributed import LocalCluster

from bot.cli import main as cli_main
from tests.fakes.openai_api import MODEL, ThreadedFakeOpenAI, text
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
    assert record["search"] == "grid" and record["seed"] is None and record["second_round"] is None
    assert_phone_png(chart.read_bytes())
    # stored: read back whole, and redrawn
    shown = _sweep(capsys, "--show", str(record["id"]), "--json", "--chart", str(tmp_path / "again.png"))
    assert {k: v for k, v in shown.items() if k != "seconds"} == {k: v for k, v in record.items() if k != "seconds"}
    assert (tmp_path / "again.png").read_bytes() == chart.read_bytes()


def test_the_same_sweep_on_a_dask_cluster_gives_the_same_trials(data_dir, six_weeks, capsys, monkeypatch):
    here = _sweep(capsys, *ARGS, "--data", str(six_weeks), "--workers", "1")
    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False, protocol="tcp", host="127.0.0.1",
                      scheduler_port=0, dashboard_address="127.0.0.1:0") as cluster:
        monkeypatch.setenv("SWEEP_CLUSTER", cluster.scheduler_address)
        there = _sweep(capsys, *ARGS, "--data", str(six_weeks))

    assert there["trials"] == here["trials"] and there["best"] == here["best"]


TPE = ["--strategy", "C", "--param", "sweep_lookback=4:20:2", "--param", "rules_min_rr=1.5:3:0.5", "--search", "tpe",
       "--trials", "6", "--batch", "3", "--seed", "5", "--in-days", "20", "--out-days", "10", "--json"]


def test_a_tpe_search_gives_the_same_trials_for_the_same_seed_on_a_pool_and_on_a_dask_cluster(
        data_dir, six_weeks, capsys, monkeypatch):
    pooled = _sweep(capsys, *TPE, "--data", str(six_weeks), "--workers", "2")
    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False, protocol="tcp", host="127.0.0.1",
                      scheduler_port=0, dashboard_address="127.0.0.1:0") as cluster:
        monkeypatch.setenv("SWEEP_CLUSTER", cluster.scheduler_address)
        clustered = _sweep(capsys, *TPE, "--data", str(six_weeks))
    monkeypatch.delenv("SWEEP_CLUSTER")
    other_seed = _sweep(capsys, *[a if a != "5" else "6" for a in TPE], "--data", str(six_weeks), "--workers", "1")

    assert pooled["search"] == "tpe" and pooled["seed"] == 5 and len(pooled["trials"]) == 6
    assert clustered["trials"] == pooled["trials"] and clustered["best"] == pooled["best"]
    assert len({tuple(sorted(t["params"].items())) for t in pooled["trials"]}) == 6       # distinct trials
    assert [t["params"] for t in other_seed["trials"]] != [t["params"] for t in pooled["trials"]]
    assert clustered["id"] == pooled["id"] + 1


def test_a_second_round_by_the_rule_searches_around_the_best_trial(data_dir, six_weeks, capsys):
    record = _sweep(capsys, *ARGS, "--data", str(six_weeks), "--workers", "1", "--advisor", "rule")

    second = record["second_round"]
    assert second["first_trial"] == 4 and second["chosen_by"] == "rule"
    best = next(t for t in record["trials"] if t["index"] == record["best"][0])
    assert len(record["trials"]) > 4 and all(t["index"] == k for k, t in enumerate(record["trials"]))
    assert len({tuple(sorted(t["params"].items())) for t in record["trials"]}) == len(record["trials"])
    assert {tuple(sorted(t["params"])) for t in record["trials"]} == {("rules_min_rr", "sweep_lookback")}
    assert best["score_pct"] == max(t["score_pct"] for t in record["trials"])


def test_the_llm_names_the_second_round_and_garbage_falls_back_to_the_rule(data_dir, six_weeks, capsys, monkeypatch):
    region = {"region": {"sweep_lookback": [10, 12], "rules_min_rr": [1.5]}, "reason": "between the two best"}
    monkeypatch.setenv("LLM_MODEL", MODEL)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-sweep-secret-42")
    with ThreadedFakeOpenAI() as fake:
        monkeypatch.setenv("OPENAI_BASE_URL", fake.base_url)
        fake.script(text(json.dumps(region)), text("Try a lookback of ten or so."))
        advised = _sweep(capsys, *ARGS, "--data", str(six_weeks), "--workers", "1", "--advisor", "llm")
        refused = _sweep(capsys, *ARGS, "--data", str(six_weeks), "--workers", "1", "--advisor", "llm")

    assert advised["second_round"] == {"first_trial": 4, "chosen_by": f"advisor ({MODEL})",
                                       "region": {"sweep_lookback": [10.0, 12.0], "rules_min_rr": [1.5]},
                                       "skipped": 0, "skip_rule": ""}
    assert [t["params"] for t in advised["trials"][4:]] == [{"rules_min_rr": 1.5, "sweep_lookback": 10.0},
                                                            {"rules_min_rr": 1.5, "sweep_lookback": 12.0}]
    assert refused["second_round"]["chosen_by"] == "rule (the advisor failed: no JSON object in the answer)"
    assert len(refused["trials"]) > 4
    assert "sk-sweep-secret-42" not in fake.calls[0].prompt and '"strategy": "C"' in fake.calls[0].prompt
    assert _stored_sweeps(data_dir) == 2


def _stored_sweeps(data_dir) -> int:
    path = data_dir / "trading.sqlite"
    if not path.exists():
        return 0
    with sqlite3.connect(path) as db:
        return db.execute("SELECT COUNT(*) FROM sweeps").fetchone()[0]


@pytest.mark.parametrize("argv, message", [
    (["--strategy", "C", "--param", "nope=1,2", "--symbol", "BTC/USDT"], "C has no parameter 'nope'"),
    (["--strategy", "C", "--param", "sweep_lookback", "--symbol", "BTC/USDT"],
     "--param 'sweep_lookback' is not like rules_min_rr=1.5:3:0.5 or sweep_lookback=8,12,16"),
    (["--strategy", "C", "--param", "sweep_lookback=20:4:2"],
     "--param 'sweep_lookback=20:4:2': the values must be numbers, a,b,c or low:high:step with step above 0"),
    (["--strategy", "C", "--param", "sweep_lookback=4:20:0"], "--param 'sweep_lookback=4:20:0': the values must"),
    (["--strategy", "C", "--param", "sweep_lookback=4,8", "--param", "sweep_lookback=12"],
     "--param 'sweep_lookback' is given twice"),
    (["--strategy", "C", "--symbol", "BTC/USDT"], "say what to sweep: --param NAME=a,b,c"),
    (["--param", "sweep_lookback=4,8"], "say which strategy: --strategy A, B, C or trend"),
    (["--strategy", "C", "--param", "sweep_lookback=4,8", "--search", "tpe", "--trials", "0"],
     "--trials 0: use a number from 1 to 5,000"),
    (["--strategy", "C", "--param", "sweep_lookback=4,8", "--search", "tpe"], "--search tpe needs --trials N"),
    (["--strategy", "C", "--param", "sweep_lookback=4,8", "--search", "tpe", "--trials", "3"],
     "--trials 3: the space holds only 2 distinct trials"),
    (["--strategy", "C", "--param", "sweep_lookback=4,8", "--trials", "3"], "--trials is for --search tpe"),
    (["--strategy", "C", "--param", "sweep_lookback=4,8", "--search", "bayes"], "--search 'bayes' is not a search"),
    (["--strategy", "C", "--param", "sweep_lookback=4,8", "--advisor", "llm"], "--advisor llm needs the LLM"),
    (["--strategy", "C", "--param", "sweep_lookback=4,8", "--out-days", "0"], "--in-days, --out-days and --top"),
    (["--show", "42"], "No sweep #42. /sweeps (or `trading-assistant sweep --show`) lists the stored ones."),
])
def test_bad_arguments_get_one_clear_line_and_store_nothing(data_dir, capsys, monkeypatch, argv, message):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    assert cli_main(["sweep", *argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"trading-assistant sweep: {message}") and err.count("\n") == 1
    assert _stored_sweeps(data_dir) == 0


def test_the_text_report_names_the_next_region_and_the_stored_sweep(data_dir, six_weeks, capsys):
    argv = [a for a in ARGS if a != "--json"]
    assert cli_main(["sweep", *argv, "--data", str(six_weeks), "--workers", "1"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Sweep of C on BTC/USDT: 4 trials (grid), scored out of sample only")
    assert "Next region to search: --param sweep_lookback=" in out and "trials on this machine in" in out
    assert "Stored as sweep #1: trading-assistant sweep --show 1, or /sweeps 1 in the chat" in out
    assert cli_main(["sweep", "--show"]) == 0
    listed = capsys.readouterr().out
    assert listed.startswith("Parameter sweeps, newest first") and "#1 " in listed and "grid, 4 trials, best " in listed
    assert cli_main(["sweep", "--show", "1"]) == 0
    assert capsys.readouterr().out.startswith("Sweep #1, run ")
    assert cli_main(["sweep", "--show", "--json"]) == 0
    [listed] = json.loads(capsys.readouterr().out)
    assert (listed["id"], listed["strategy"], listed["search"], listed["trials"]) == (1, "C", "grid", 4)


EMA = ["--strategy", "ema_cross", "--param", "fast=10,20,30", "--param", "slow=15,25", "--in-days", "20",
       "--out-days", "10"]


def test_a_sweep_skips_the_trials_that_break_fast_below_slow_and_says_how_many(data_dir, six_weeks, capsys):
    record = _sweep(capsys, *EMA, "--data", str(six_weeks), "--workers", "1", "--json")

    assert [t["params"] for t in record["trials"]] == [{"fast": 10.0, "slow": 15.0}, {"fast": 10.0, "slow": 25.0},
                                                       {"fast": 20.0, "slow": 25.0}]
    assert record["skipped"] == {"combinations": 6, "skipped": 3, "because": "fast must stay below slow"}
    shown = _sweep(capsys, "--show", str(record["id"]), "--json")
    assert shown["skipped"] == record["skipped"]
    assert cli_main(["sweep", *EMA, "--data", str(six_weeks), "--workers", "1"]) == 0
    assert "3 of the 6 combinations skipped before running: fast must stay below slow" in capsys.readouterr().out


def test_a_sweep_whose_every_trial_breaks_the_relation_is_refused_before_loading_anything(data_dir, six_weeks,
                                                                                          capsys):
    assert cli_main(["sweep", "--strategy", "trend", "--param", "fast=60,80", "--data", str(six_weeks)]) == 2
    assert capsys.readouterr().err == (
        "trading-assistant sweep: every combination breaks the rule that fast stays below slow: fast at least 60, "
        "slow is 55 (its default: add --param slow=... to sweep it); sweep fast below 55 or slow above 60\n")
    assert not (data_dir / "trading.sqlite").exists()


def test_a_tpe_search_within_the_relation_is_the_same_on_one_process_and_a_dask_cluster(data_dir, six_weeks,
                                                                                          capsys, monkeypatch):
    tpe = ["--strategy", "ema_cross", "--param", "fast=5:40:5", "--param", "slow=10:30:5", "--search", "tpe",
           "--trials", "6", "--batch", "3", "--seed", "2", "--in-days", "20", "--out-days", "10", "--json",
           "--data", str(six_weeks)]
    alone = _sweep(capsys, *tpe, "--workers", "1")
    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False, protocol="tcp", host="127.0.0.1",
                      scheduler_port=0, dashboard_address="127.0.0.1:0") as cluster:
        monkeypatch.setenv("SWEEP_CLUSTER", cluster.scheduler_address)
        clustered = _sweep(capsys, *tpe)

    assert len(alone["trials"]) == 6 and clustered["trials"] == alone["trials"]
    assert all(t["params"]["fast"] < t["params"]["slow"] for t in alone["trials"])
    assert alone["skipped"]["pruned"] > 0 and clustered["skipped"] == alone["skipped"]      # TPE's own samples
