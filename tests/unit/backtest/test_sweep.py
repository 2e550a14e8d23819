"""Parameter sweeps: the grid from the command line, trials scored out of sample, the same results however run."""
import threading
from decimal import Decimal

import pytest
from distributed import Client, LocalCluster

from tests.fakes.shared_data import load_candles
from trading.backtest.config import BacktestConfig
from trading.backtest.history import history_from_candles
from trading.backtest.sweep import (TrialResult, chosen_out_of_sample, parse_param, sweep_data, sweep_space,
                                    trials_of)
from trading.backtest.sweep_execution import SweepCancelled, run_local_pool, run_on_cluster, run_serial, run_sweep
from trading.domain.errors import TradingError
from trading.domain.instruments import Instrument
from trading.engine.engine_state import EngineSettings

SPOT = Instrument("BTC/USDT", "BTC", "USDT", price_tick=Decimal("0.01"), amount_step=Decimal("0.00001"))


def test_a_parameter_is_a_list_or_a_range_with_its_end_included():
    assert parse_param("left=3,5,8") == ("left", (3.0, 5.0, 8.0))
    assert parse_param("min_gap=0.1:0.5:0.1") == ("min_gap", (0.1, 0.2, 0.3, 0.4, 0.5))
    for bad in ("left", "left=", "left=a,b", "x=1:0:1", "x=0:1:0"):
        with pytest.raises(ValueError, match="--param"):
            parse_param(bad)


def test_the_space_names_only_the_strategys_parameters_and_stays_bounded():
    assert sweep_space("A", ["max_zone_age=48,96", "rules_min_rr=1.5,2.5"]) == {
        "max_zone_age": (48.0, 96.0), "rules_min_rr": (1.5, 2.5)}
    with pytest.raises(ValueError, match="A has no parameter 'nope'; use one of"):
        sweep_space("A", ["nope=1,2"])
    with pytest.raises(ValueError, match="more than 5,000"):
        sweep_space("A", ["max_zone_age=1:10000:1"])


@pytest.mark.parametrize("param, refusal", [
    ("max_zone_age=48,96.5", "--param max_zone_age takes a whole number, not '96.5'"),
    ("max_zone_age=2,96", "--param max_zone_age takes a whole number from 4 to 2000; 2 is out of range"),
    ("confidence=0.5:1.5:0.5", "--param confidence takes a number from 0 to 1; 1.5 is out of range"),
    ("rules_min_rr=0.1,2", "--param rules_min_rr takes a number from 0.5 to 10; 0.1 is out of range"),
])
def test_swept_values_stay_within_what_the_running_strategy_accepts(param, refusal):
    # a sweep must not propose what /params and Apply would refuse (a fractional bar count, a range's outside)
    with pytest.raises(ValueError) as refused:
        sweep_space("A", [param])
    assert str(refused.value) == refusal


def test_fixed_parameters_such_as_timeframes_are_not_swept():
    with pytest.raises(ValueError, match="B has no parameter 'timeframe'; use one of max_wait, confidence"):
        sweep_space("B", ["timeframe=15,60"])


@pytest.fixture(scope="module")
def data():
    history = history_from_candles("BTC/USDT", load_candles("BTCUSDT-1m.csv.gz")[:42 * 1440])
    # the cost gates off, so that the short window has trades whose figures can differ between trials
    config = BacktestConfig(SPOT, engine=EngineSettings(max_fee_to_risk_pct=Decimal(0), min_reward_risk=None))
    return sweep_data(history, config, "C", history.window(None, None), in_days=20, out_days=10)


TRIALS = trials_of({"sweep_lookback": (8.0, 16.0), "rules_min_rr": (1.5, 3.0)})


def test_trials_are_scored_on_the_out_of_sample_windows_only(data):
    # 42 days: folds of 20 in and 10 out -> days 20-30 and 30-40 out of sample
    assert [(f.out_start - f.in_end, f.in_end - f.in_start) for f in data.folds] == [(0, 20 * 1440)] * 2
    results = run_serial(data, TRIALS)
    assert [r.index for r in results] == [0, 1, 2, 3]
    first = results[0]
    growth = (1 + first.out_of_sample_pct[0] / 100) * (1 + first.out_of_sample_pct[1] / 100)
    assert first.score == pytest.approx((growth - 1) * 100)
    assert len({r.out_of_sample_pct for r in results}) > 1             # the parameters change the results


def test_the_walk_forward_over_trials_takes_the_best_in_sample_trial_per_fold():
    a = TrialResult(0, (("x", 1.0),), (5.0, -1.0), (-2.0, 3.0), 4)
    b = TrialResult(1, (("x", 2.0),), (1.0, 2.0), (10.0, -4.0), 4)
    # fold 1: a is best in sample (5 > 1) -> -2%; fold 2: b (2 > -1) -> -4%: 0.98 x 0.96 = 0.9408
    total, chosen = chosen_out_of_sample([a, b])
    assert chosen == [0, 1] and total == pytest.approx(-5.92)


def test_a_local_pool_and_a_dask_cluster_give_the_same_results_as_one_process(data):
    alone = run_serial(data, TRIALS)
    pooled = run_local_pool(data, TRIALS, workers=2)
    seen: list[tuple[int, int]] = []
    # in-process (inproc:// comms), its dashboard only on 127.0.0.1
    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address="127.0.0.1:0") \
            as cluster, Client(cluster) as client:
        clustered = run_on_cluster(data, TRIALS, client, progress=lambda done, total: seen.append((done, total)))

    assert pooled == alone and clustered == alone
    assert seen[-1] == (4, 4) and len(seen) == 4


def test_a_cancelled_sweep_stops_and_says_how_far_it_got(data):
    stop = threading.Event()
    stop.set()
    with pytest.raises(SweepCancelled, match="stopped"):
        run_serial(data, TRIALS, cancel=stop)
    with pytest.raises(SweepCancelled, match="stopped after 0 of 4 trials"):
        run_local_pool(data, TRIALS, workers=2, cancel=stop)


def test_an_unreachable_cluster_is_named(data):
    with pytest.raises(TradingError, match=r"cannot reach the Dask scheduler at tcp://127.0.0.1:9 \(SWEEP_CLUSTER\)"):
        run_sweep(data, TRIALS, cluster="tcp://127.0.0.1:9", connect_timeout_s=1)


def test_a_proposal_needs_the_margin_over_the_current_parameters():
    from trading.backtest.sweep_report import Proposal, proposal_text

    current = TrialResult(0, (), (1.0,), (1.0,), 5)
    close = TrialResult(1, (("x", 2.0),), (2.0,), (2.5,), 5)           # +1.5 points: within the 2-point margin
    clear = TrialResult(2, (("x", 3.0),), (2.0,), (4.0,), 6)           # +3 points

    assert not Proposal("C", current, close, 2.0, None).better
    assert proposal_text(Proposal("C", current, close, 2.0, None)).startswith(
        "Optimisation of C: keep the parameters. No variant beats the current parameters +1.0% out of sample")
    assert Proposal("C", current, clear, 2.0, 0.25).better
    assert proposal_text(Proposal("C", current, clear, 2.0, 0.25)) == (
        "Optimisation of C: x=3 gives +4.0% out of sample (6 trades) against the current parameters +1.0% out "
        "of sample (5 trades); overfitting probability 0.25.")
    assert not Proposal("C", current, current, 0.0, None).better
