"""A backtest's results as plain monospace text, for the terminal and (inside <pre>) for the chat."""
from __future__ import annotations

import textwrap
from decimal import Decimal
from typing import TYPE_CHECKING, Mapping, Sequence

import numpy as np

from trading.backtest.config import BacktestConfig
from trading.backtest.strategy_specs import config_for
from trading.strategies.exit_rules import describe_exits
from trading.backtest.comparison import headline_figures, money, percent, render_comparison
from trading.backtest.metrics import DAY_MS, BacktestMetrics
from trading.strategies.parameter_space import params_text

if TYPE_CHECKING:     # the studies load when a job asks for one: a plain backtest command starts without them
    from trading.adapters.sqlite_backtests import StoredBacktest
    from trading.backtest.montecarlo import MonteCarloResult
    from trading.backtest.random_baseline import RandomBaseline
    from trading.backtest.runner import BacktestResult
    from trading.backtest.studies import WalkForwardStudy


HOUR_MS = 3_600_000
PHONE_WIDTH = 60


def _money(value: float) -> Decimal:
    return Decimal(repr(value))


def _day(ms: int) -> str:
    return str(np.datetime64(int(ms), "ms").astype("datetime64[D]"))


def headline(result: BacktestResult, source: str) -> str:
    """Return what was run: strategy, market, bars, period (first to last day, inclusive) and the data's source."""
    m = result.metrics
    bars = result.times_ms.size - 1
    return (f"{result.strategy} on {result.symbol} {result.timeframe}, {_day(m.start_ms)} to {_day(m.end_ms - 1)}, "
            f"{bars:,} bars ({source})")


def costs_line(config: BacktestConfig, strategy: str) -> str:
    """Return the costs and exit rules the run assumed, as the header states them."""
    engine = config_for(strategy, config).engine
    fee = config.instrument.taker_fee * 100
    gates = (f"entries need reward:risk {engine.min_reward_risk} after costs"
             if engine.min_reward_risk is not None else "no reward:risk check after costs")
    if engine.max_fee_to_risk_pct > 0:
        gates += f", costs at most {engine.max_fee_to_risk_pct}% of the risk"
    text = (f"Costs: taker fee {fee.normalize():f}% a side, {engine.slippage.describe()}; {gates}. "
            f"Exits: {describe_exits(engine.protection_for(strategy))}.")
    return textwrap.fill(text, PHONE_WIDTH)


def period_note(start_ms: int | None, end_ms: int | None, result: BacktestResult) -> str:
    """Return what period was really run when the data does not cover the one asked for, else ''."""
    m, slack = result.metrics, max(2 * result.timeframe.ms, HOUR_MS)
    short_start = start_ms is not None and m.start_ms - start_ms > slack
    short_end = end_ms is not None and end_ms - m.end_ms > slack
    if not (short_start or short_end):
        return ""
    asked = f"{_day(start_ms) if start_ms is not None else 'the start'} to " \
            f"{_day(end_ms - 1) if end_ms is not None else 'the end'}"
    days = (m.end_ms - m.start_ms) / DAY_MS
    return (f"Asked for {asked}; candles exist only from {_day(m.start_ms)} to {_day(m.end_ms - 1)}, "
            f"so the run used those {days:.1f} days.")


def signals_line(result: BacktestResult) -> str:
    """Return how many signals there were, how many became trades, and why the others were skipped."""
    skipped = ", ".join(f"{rule.replace('_', ' ')} {count}"
                        for rule, count in sorted(result.rejections.items(), key=lambda kv: -kv[1]))
    line = f"Signals {result.signals}, trades {result.metrics.trades}"
    return line + (f"; skipped: {skipped}" if skipped else "")


def metrics_table(name: str, metrics: BacktestMetrics) -> str:
    """Return the one-column metrics table of a run."""
    return render_comparison({name: metrics})


def walk_forward_text(study: WalkForwardStudy) -> str:
    """Return the out-of-sample folds, one line each, and their compounded return."""
    lines = [f"Walk-forward ({study.in_sample_days}d in-sample, {study.out_of_sample_days}d out-of-sample; "
             f"out-of-sample results only)"]
    for fold in study.report.folds:
        m = fold.out_of_sample.metrics
        params = params_text(fold.params)
        lines.append(f"  {_day(m.start_ms)} {percent(m.total_return_pct):>7} {m.trades:>3} trades  {params}")
    lines.append(f"  compounded {percent(study.compounded_return_pct)} over {study.trades} trades")
    return "\n".join(lines)


def monte_carlo_text(spread: MonteCarloResult) -> str:
    """Return the 5th, 50th and 95th percentiles of drawdown and final equity, naming the resampling."""
    dd, final = spread.max_drawdown_pct, spread.final_equity
    return (f"Monte Carlo ({spread.resampling}, {spread.runs} runs of {spread.trades} trades), p5 / p50 / p95:\n"
            f"  max drawdown  {dd.p5:.1f}% / {dd.p50:.1f}% / {dd.p95:.1f}%\n"
            f"  final equity  {money(_money(final.p5))} / {money(_money(final.p50))} / {money(_money(final.p95))}")


def baseline_text(baseline: RandomBaseline) -> str:
    """Return the random-entry baseline's spread and where the strategy sits in it."""
    from trading.backtest.random_baseline import ordinal

    name = baseline.strategy
    if not baseline.entries:
        return f"Random baseline skipped: {name} made no trade to shape random entries after"
    head = (f"Random entries ({baseline.runs} runs, seed {baseline.seed}): {name}'s {baseline.entries} entries on "
            f"random days at the same minute, with its stop and target distances, costs and exits")
    spread = (f"  return p5 / p50 / p95: {percent(baseline.quantile(5))} / {percent(baseline.quantile(50))} / "
              f"{percent(baseline.quantile(95))} ({float(baseline.trades.mean()):.1f} trades a run)")
    verdict = (f"  {name} {percent(baseline.strategy_return_pct)} sits at the {ordinal(baseline.percentile)} "
               f"percentile")
    if baseline.worse_than_chance:
        verdict += ": worse than chance, a bug or a bad rule until shown otherwise"
    elif baseline.percentile < 95:
        verdict += ": within what chance gives"
    else:
        verdict += ": above the 95th, better than chance"
    return "\n".join([textwrap.fill(head, PHONE_WIDTH), spread, verdict])


def comparison_text(metrics: Mapping[str, BacktestMetrics]) -> str:
    """Return the side-by-side table of strategies."""
    return "Strategies side by side:\n" + render_comparison(metrics)


def stored_runs_text(runs: Sequence[StoredBacktest]) -> str:
    """Return recent stored runs, newest first, one line each."""
    if not runs:
        return "No backtests yet. Run one with: backtest --strategy A --symbol BTC/USDT"
    lines = ["Recent backtests"]
    for run in runs:
        when = str(np.datetime64(int(run.created_ms), "ms").astype("datetime64[m]")).replace("T", " ")
        lines.append(f"#{run.id} {when}  {run.strategy} {run.symbol} {run.timeframe} "
                     f"{_day(run.start_ms)}..{_day(run.end_ms - 1)}")
        lines.append(f"   {headline_figures(run.metrics)}")
    return "\n".join(lines)
