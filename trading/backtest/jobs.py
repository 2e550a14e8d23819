"""A whole backtest job, runnable in a worker process: the run, the optional studies, the text and the chart.

run_backtest_job takes one picklable BacktestJob and returns a picklable BacktestOutcome, so the chat can
hand it to a spawned process and the CLI can call it directly. Progress goes to the queue a worker was
initialised with (set_progress_queue), as (job id, stage, fraction done) tuples; without one it is dropped.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from trading.backtest.config import BacktestConfig
from trading.backtest.history import MarketHistory
from trading.backtest.metrics import BacktestMetrics
from trading.backtest.exit_breakdown import exit_breakdown_text
from trading.backtest.strategy_specs import spec_named
from trading.backtest.runner import BacktestResult, backtest
from trading.backtest.warm_up import warm_up_note
from trading.backtest.summary import costs_line, headline, metrics_table, period_note, signals_line
from trading.strategies.parameter_space import params_text

if TYPE_CHECKING:     # the studies, evaluations and sweeps load when a job asks for them: a plain run starts sooner
    from trading.backtest.evaluation import Evaluation
    from trading.backtest.montecarlo import MonteCarloResult
    from trading.backtest.random_baseline import RandomBaseline
    from trading.backtest.search_region import RegionAdvisor
    from trading.backtest.studies import WalkForwardStudy
    from trading.backtest.sweep_report import SweepSummary

_progress_queue: Any = None


@dataclass(frozen=True, slots=True)
class BacktestJob:
    """What to run: one strategy over a history's window, and which studies and chart to add."""

    job_id: str
    strategy: str
    history: MarketHistory
    config: BacktestConfig
    source: str
    start_ms: int | None = None
    end_ms: int | None = None
    compare: bool = False
    walk_forward: bool = False
    monte_carlo: bool = False
    chart: bool = False
    theme: str = "dark"
    baseline_runs: int = 0                # random-entry runs (0: no baseline)
    baseline_seed: int = 0
    in_days: int = 30                     # an evaluation's walk-forward folds
    out_days: int = 10
    params: tuple[tuple[str, float], ...] = ()   # the strategy's parameters in use (tuned over its defaults)
    advisor: RegionAdvisor | None = None  # /optimize: who names a second round's region (the LLM), if anyone


@dataclass(frozen=True, slots=True, repr=False)
class BacktestOutcome:
    """What a job produced, ready to print, store and send."""

    job_id: str
    source: str
    result: BacktestResult
    text: str
    comparison: dict[str, BacktestMetrics] | None = None
    walk_forward: WalkForwardStudy | None = None
    monte_carlo: MonteCarloResult | None = None
    chart: bytes | None = None
    seconds: float = 0.0
    period_note: str = ""                # what period really ran, when the data did not cover the one asked for
    baseline: RandomBaseline | None = None
    warm_up_note: str = ""               # why the strategy could not trade all of the period, if it could not

    def __repr__(self) -> str:
        # short: asyncio.run puts its finished task, result and all, in the text of an error it makes and drops
        # twice at its end; the whole run's repr (every trade, 1.8 MB) took ~35 ms each time
        r = self.result
        return (f"BacktestOutcome(job_id={self.job_id!r}, strategy={r.strategy!r}, symbol={r.symbol!r}, "
                f"timeframe={r.timeframe.value!r}, trades={r.metrics.trades}, seconds={self.seconds:.3f})")


def set_progress_queue(queue: Any) -> None:
    """Send this process's progress to queue (a worker pool's initializer)."""
    global _progress_queue
    _progress_queue = queue


def report_progress(job_id: str, stage: str, fraction: float) -> None:
    """Tell whoever watches how far the job has got (never blocks, never fails the job)."""
    if _progress_queue is not None:
        try:
            _progress_queue.put_nowait((job_id, stage, fraction))
        except Exception:  # noqa: BLE001 - a lost progress note must not lose the backtest
            pass


def run_backtest_job(job: BacktestJob) -> BacktestOutcome:
    """Run the job: the backtest, then the studies asked for, the text and the chart."""
    started = time.perf_counter()
    report_progress(job.job_id, "scanning and trading", 0.0)
    result = backtest(job.history, job.strategy, job.config, params=dict(job.params) or None,
                      start_ms=job.start_ms, end_ms=job.end_ms,
                      progress=lambda f: report_progress(job.job_id, "trading", f))
    note = period_note(job.start_ms, job.end_ms, result)
    tuned = [f"Tuned parameters (as running): {_params_text(job.params)}"] if job.params else []
    parts = [headline(result, job.source), costs_line(job.config, result.strategy), *tuned, *([note] if note else []),
             metrics_table(result.strategy, result.metrics), signals_line(result)]
    window = job.history.window(job.start_ms, job.end_ms)
    warm_up = warm_up_note(result.strategy, job.history, window, result.params)
    exits = exit_breakdown_text(result.trades)
    parts += [text for text in (warm_up, exits) if text]
    comparison = study = spread = baseline = None
    if job.baseline_runs > 0:
        from trading.backtest.random_baseline import random_baseline
        from trading.backtest.summary import baseline_text

        report_progress(job.job_id, "random-entry baseline", 0.0)
        baseline = random_baseline(job.history, result, job.config, window, job.baseline_runs, job.baseline_seed)
        parts.append(baseline_text(baseline))
    if job.compare:
        from trading.backtest.studies import compare
        from trading.backtest.summary import comparison_text

        report_progress(job.job_id, "comparing A, B, C and trend", 0.0)
        comparison = {name: r.metrics for name, r in compare(job.history, job.config, window).items()}
        parts.append(comparison_text(comparison))
    if job.walk_forward:
        from trading.backtest.studies import walk_forward_study
        from trading.backtest.summary import walk_forward_text

        report_progress(job.job_id, "walk-forward", 0.0)
        try:
            study = walk_forward_study(job.history, result.strategy, job.config, window)
            parts.append(walk_forward_text(study))
        except ValueError as exc:
            parts.append(f"Walk-forward skipped: {exc}")
    if job.monte_carlo:
        spread, text = _monte_carlo(result, job.config)
        parts.append(text)
    chart = _chart(job, result) if job.chart else None
    return BacktestOutcome(job.job_id, job.source, result, "\n\n".join(parts), comparison, study, spread, chart,
                           time.perf_counter() - started, note, baseline, warm_up)


def _params_text(params: tuple[tuple[str, float], ...]) -> str:
    return params_text(params, ", ")


@dataclass(frozen=True, slots=True)
class EvaluationOutcome:
    """What an evaluation job produced: the evaluation, its report text and chart."""

    job_id: str
    source: str
    evaluation: Evaluation
    text: str
    chart: bytes | None
    seconds: float


def run_evaluation_job(job: BacktestJob) -> EvaluationOutcome:
    """Evaluate the job's strategy out of sample (walk-forward, random baseline, statistics), text and chart."""
    from trading.backtest.evaluation import evaluate
    from trading.backtest.evaluation_report import evaluation_text
    from trading.backtest.random_baseline import DEFAULT_RUNS

    started = time.perf_counter()
    window = job.history.window(job.start_ms, job.end_ms)
    cannot = warm_up_note(job.strategy, job.history, window)
    if cannot.startswith(f"{spec_named(job.strategy).name} cannot trade"):
        raise ValueError(cannot)
    evaluation = evaluate(job.history, job.strategy, job.config, window, in_days=job.in_days,
                          out_days=job.out_days, runs=job.baseline_runs or DEFAULT_RUNS, seed=job.baseline_seed,
                          stage=lambda stage, done: report_progress(job.job_id, stage, done))
    chart = None
    if job.chart:
        from trading.reports.evaluation_chart import evaluation_chart   # matplotlib only when a chart is wanted

        report_progress(job.job_id, "drawing the chart", 0.0)
        chart = evaluation_chart(evaluation, job.theme)
    return EvaluationOutcome(job.job_id, job.source, evaluation, evaluation_text(evaluation), chart,
                             time.perf_counter() - started)


@dataclass(frozen=True, slots=True)
class OptimisationOutcome:
    """What an optimisation found: its report, and the parameters it proposes (None: keep the current ones)."""

    text: str
    strategy: str
    symbol: str
    proposed: dict[str, float] | None
    summary: SweepSummary | None = None      # every trial, to be stored with the sweeps
    seconds: float = 0.0


def run_optimisation_job(job: BacktestJob) -> OptimisationOutcome:
    """Sweep the strategy's small grid beside its current parameters in this process; return the proposal."""
    from trading.backtest.sweep import sweep_data, trials_of
    from trading.backtest.sweep_execution import SerialTrials, run_serial
    from trading.backtest.sweep_report import proposal, proposal_text, summarise, sweep_text
    from trading.backtest.sweep_search import both_rounds, second_round

    started = time.perf_counter()
    window = job.history.window(job.start_ms, job.end_ms)
    spec = spec_named(job.strategy)
    data = sweep_data(job.history, job.config, spec.name, window, job.in_days, job.out_days)
    current = dict(job.params)
    # trial 0: the parameters in use; each grid point changes its own parameters and keeps the other tuned ones
    trials = [current, *({**current, **point} for point in trials_of(spec.grid))]
    results = run_serial(data, trials, lambda done, total: report_progress(job.job_id, "sweeping", done / total))
    summary = summarise(data, spec.grid, results)
    if job.advisor is not None:       # a second round where the advisor says (the rule's region if it fails)
        name = getattr(job.advisor, "model", "advisor")
        more, second = second_round(summary, SerialTrials(data), job.advisor, name,
                                    lambda done, total: report_progress(job.job_id, "second round", done / total))
        summary = summarise(data, both_rounds(spec.grid, second.region), results + more, second_round=second)
    found = proposal(summary)
    text = f"{proposal_text(found)}\n\n{sweep_text(summary, top=3)}"
    return OptimisationOutcome(text, spec.name, job.history.symbol, dict(found.best.params) if found.better else None,
                               summary, time.perf_counter() - started)


def _monte_carlo(result: BacktestResult, config: BacktestConfig) -> tuple[MonteCarloResult | None, str]:
    from trading.backtest.studies import monte_carlo_study
    from trading.backtest.summary import monte_carlo_text

    if not result.trades:
        return None, "Monte Carlo skipped: no trades to resample"
    try:
        spread = monte_carlo_study(result, config)
    except ValueError as exc:
        return None, f"Monte Carlo skipped: {exc}"
    return spread, monte_carlo_text(spread)


def _chart(job: BacktestJob, result: BacktestResult) -> bytes:
    from trading.reports.backtest_report import report_chart   # matplotlib loads only when a chart is wanted

    report_progress(job.job_id, "drawing the chart", 0.0)
    return report_chart(job.history, result, job.theme)
