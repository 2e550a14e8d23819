"""Benchmark parameter sweeps: one process, a local process pool and a Dask LocalCluster, side by side.

Usage: python3 bench/sweep.py [--data DIR] [--trials 200] [--workers N] [--serial-trials 4]

Strategy A over the chained year of the real BTCUSDT 1m file (a year of minutes), walk-forward folds of
30 days in and 10 out, the cost gates off so every trial trades. The trials are a grid over max_zone_age
and the rules' reward:risk. Prints one JSON line per way of running: trials, seconds, trials per second,
the speed-up over one process (from the per-trial time of --serial-trials warm trials run alone, after one
untimed trial that fills the caches) and two overheads:

- dispatch_overhead_pct: the workers' time outside trials (start-up, receiving the data, waiting for work,
  idle at the end) as a share of their time inside trials (timed in the workers): wall x workers / busy - 1.
  What dispatching costs per trial, whatever else runs on the machine.
- vs_one_process_pct: wall x workers against the same trials run one after another in one process. It adds
  what running the cores together costs each trial (a shared machine's load, memory bandwidth, clock
  speed) and each worker's first, cold trial; it is the figure this script printed as dispatch_overhead_pct
  before 2026-12 (then from a serial time that included the cold trial).

The pool and the cluster must give the same results; the script says so, or fails.

On this 2-core machine, idle (200 trials, 1.09 s a trial alone, the serial time then including the cold
trial): local pool 1.71 trials/s (speed-up 1.87, 7.0% against one process), LocalCluster 1.70 trials/s
(1.85, 8.1%). Timed inside the workers, dispatch itself is 1-3% of the trials' time, before and after the
chunked runners (100 trials, machine shared, load 2.6-5.3: per-trial tasks 1.1-2.9%, chunks 1.0-2.5%): the
rest of the gap to one process is the cores running together, not dispatching.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from decimal import Decimal
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from trading.adapters.replay_market_data import replay_instrument  # noqa: E402
from trading.backtest.chained_history import chained_year  # noqa: E402
from trading.backtest.config import BacktestConfig  # noqa: E402
from trading.backtest.history import MarketHistory, read_candles  # noqa: E402
from trading.backtest.sweep import SweepData, sweep_data, trials_of  # noqa: E402
from trading.backtest.sweep_execution import ClusterTrials, PoolTrials, run_serial  # noqa: E402
from trading.domain.candles import Timeframe  # noqa: E402
from trading.engine.engine_state import EngineSettings  # noqa: E402

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def grid(trials: int) -> list[dict[str, float]]:
    """Return about `trials` trials of A: max_zone_age by the rules' reward:risk."""
    ages = max(1, trials // 10)
    space = {"max_zone_age": tuple(float(24 + 8 * k) for k in range(ages)),
             "rules_min_rr": tuple(round(1.5 + 0.1 * k, 2) for k in range(10))}
    return trials_of(space)[:trials]


def data_for(folder: Path) -> SweepData:
    """Return the sweep's shared data: A over a chained year, costs gated off."""
    candles = chained_year(read_candles(folder / "BTCUSDT-1m.csv.gz"))
    history = MarketHistory("BTC/USDT", Timeframe.M1, candles)
    config = BacktestConfig(replay_instrument("BTC/USDT", float(candles.close[0])),
                            engine=EngineSettings(max_fee_to_risk_pct=Decimal(0), min_reward_risk=None))
    return sweep_data(history, config, "A", history.window(None, None), in_days=30, out_days=10)


def main() -> None:
    """Time the sweep three ways and print one JSON line each."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--trials", type=int, default=200)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--serial-trials", type=int, default=4)
    args = parser.parse_args()
    data, trials = data_for(args.data), grid(args.trials)
    run_serial(data, trials[:1])                        # fills this process's caches, as a worker's first trial does
    started = time.perf_counter()
    run_serial(data, trials[1:1 + args.serial_trials])
    per_trial = (time.perf_counter() - started) / args.serial_trials
    print(json.dumps({"run": "one_process", "trials": args.serial_trials, "seconds_per_trial": round(per_trial, 3),
                      "load": os.getloadavg()[0]}))
    started = time.perf_counter()
    pool = PoolTrials(data, args.workers)
    try:
        pooled = pool.run(list(enumerate(trials)))
    finally:
        pool.close()
    _report("local_pool", time.perf_counter() - started, len(trials), args.workers, per_trial, pool.busy_s)
    import dask
    from distributed import Client, LocalCluster

    # the workers' statistical profiler samples every thread 100 times a second: a third of the time of
    # these pure-Python trials (30 trials: 25.7 s with it, 18.7 s without, on 2 cores)
    dask.config.set({"distributed.worker.profile.enabled": False})
    with LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address="127.0.0.1:0") as cluster, Client(cluster) as client:
        started = time.perf_counter()
        runner = ClusterTrials(data, client)
        try:
            clustered = runner.run(list(enumerate(trials)))
        finally:
            runner.close()
        _report("dask_local_cluster", time.perf_counter() - started, len(trials), args.workers, per_trial,
                runner.busy_s)
    if pooled != clustered:
        raise SystemExit("the pool and the cluster gave different results")
    scores = np.array([r.score for r in pooled])
    print(json.dumps({"identical_results": True, "best_score_pct": round(float(scores.max()), 3)}))


def _report(name: str, seconds: float, trials: int, workers: int, per_trial: float, busy: float) -> None:
    alone = per_trial * trials
    print(json.dumps({"run": name, "trials": trials, "workers": workers, "seconds": round(seconds, 2),
                      "trials_per_second": round(trials / seconds, 3), "speed_up": round(alone / seconds, 2),
                      "seconds_per_trial_in_workers": round(busy / trials, 3),
                      "dispatch_overhead_pct": round((seconds * workers / busy - 1) * 100, 1),
                      "vs_one_process_pct": round((seconds * workers / alone - 1) * 100, 1),
                      "load": os.getloadavg()[0]}))


if __name__ == "__main__":
    main()
