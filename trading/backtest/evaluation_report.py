"""An evaluation as text for the terminal and the chat, and as one JSON-able record for scripts."""
from __future__ import annotations

import math
import textwrap
from collections import Counter
from dataclasses import replace
from typing import Any

from trading.backtest.comparison import percent
from trading.backtest.edge_statistics import Interval
from trading.backtest.evaluation import Evaluation
from trading.backtest.metrics import BacktestMetrics, compute_metrics
from trading.backtest.random_baseline import ordinal
from trading.backtest.result_export import iso_time, plain

WIDTH = 60


def skipped(evaluation: Evaluation) -> Counter[str]:
    """Return the out-of-sample signals skipped, by the rule that skipped them."""
    total: Counter[str] = Counter()
    for result in evaluation.study.report.out_of_sample:
        total.update(result.rejections)
    return total


def verdict(evaluation: Evaluation) -> str:
    """Return in one sentence what the record says about the edge."""
    b = evaluation.baseline
    if evaluation.trades == 0:
        return "No out-of-sample trade: nothing to judge; the skipped signals say which rule kept them out."
    if b.worse_than_chance:
        return "Worse than random entries (below their 5th percentile): a bug or a bad rule until shown otherwise."
    if b.percentile >= 95 and (evaluation.deflated_sharpe or 0) >= 0.95:
        return "Better than random entries and than the variants tried would give by luck: an edge, so far."
    if b.percentile >= 95:
        return "Better than random entries, but not beyond what trying several variants gives by luck."
    return "Within what random entries give: no edge shown."


def evaluation_text(e: Evaluation) -> str:
    """Return the evaluation report: the out-of-sample record, its yardsticks, the statistics, the verdict."""
    b, study = e.baseline, e.study
    first, last = study.report.out_of_sample[0].metrics, study.report.out_of_sample[-1].metrics
    lines = [f"Evaluation of {e.strategy} on {e.symbol}: out of sample only",
             f"{len(study.report.folds)} folds, {study.in_sample_days}d in-sample then {study.out_of_sample_days}d "
             f"out, {iso_time(first.start_ms)[:10]} to {iso_time(last.end_ms - 1)[:10]}",
             "",
             f"Return        {percent(e.return_pct):>8}   buy and hold {percent(e.buy_and_hold_return_pct)}",
             f"Trades        {e.trades:>8}",
             f"Profit factor {_interval(e.profit_factor)}",
             f"Sharpe        {_interval(e.sharpe)}",
             f"Random entries ({b.runs} runs): p5 {percent(b.quantile(5))}, p50 {percent(b.quantile(50))}, "
             f"p95 {percent(b.quantile(95))}; {e.strategy} at the {ordinal(b.percentile)} percentile",
             f"Deflated Sharpe {_probability(e.deflated_sharpe)} ({e.variants} variants tried); "
             f"overfitting probability {_probability(e.pbo)}"]
    rules = skipped(e)
    if rules:
        lines.append("Skipped: " + ", ".join(f"{r.replace('_', ' ')} {n}" for r, n in rules.most_common()))
    lines += ["", verdict(e)]
    return "\n".join(textwrap.fill(line, WIDTH, subsequent_indent="  ") if len(line) > WIDTH else line
                     for line in lines)


def evaluation_record(e: Evaluation) -> dict[str, Any]:
    """Return the evaluation as strict JSON data (the --json object)."""
    b = e.baseline
    folds = [{"params": plain(f.params), "start": iso_time(f.out_of_sample.metrics.start_ms),
              "end": iso_time(f.out_of_sample.metrics.end_ms), "return_pct": f.out_of_sample.metrics.total_return_pct,
              "trades": f.out_of_sample.metrics.trades} for f in e.study.report.folds]
    return plain({
        "strategy": e.strategy, "symbol": e.symbol,
        "in_sample_days": e.study.in_sample_days, "out_of_sample_days": e.study.out_of_sample_days,
        "out_of_sample": {"return_pct": e.return_pct, "trades": e.trades,
                          "profit_factor": _finite(e.profit_factor.value),
                          "profit_factor_ci": [_finite(e.profit_factor.low), _finite(e.profit_factor.high)],
                          "sharpe": e.sharpe.value, "sharpe_ci": [e.sharpe.low, e.sharpe.high],
                          "skipped": dict(skipped(e)), "folds": folds},
        "random_baseline": {"runs": b.runs, "seed": b.seed,
                            "return_pct": {"p5": b.quantile(5), "p50": b.quantile(50), "p95": b.quantile(95)},
                            "percentile": b.percentile, "worse_than_chance": b.worse_than_chance},
        "buy_and_hold_return_pct": e.buy_and_hold_return_pct,
        "deflated_sharpe": e.deflated_sharpe, "pbo": e.pbo, "variants": e.variants, "verdict": verdict(e)})


def out_of_sample_metrics(e: Evaluation, starting_balance: float) -> BacktestMetrics:
    """Return the metrics of the out-of-sample record, its folds compounded, as a stored run holds them."""
    trades = [t for r in e.study.report.out_of_sample for t in r.trades]
    metrics = compute_metrics(e.curve_ms, e.curve * starting_balance, trades, buy_hold=e.buy_and_hold_return_pct / 100)
    return replace(metrics, total_return_pct=e.return_pct)


def _finite(value: float | None) -> float | str | None:
    return "inf" if value is not None and math.isinf(value) else value


def _interval(i: Interval) -> str:
    if i.value is None:
        return "       -"
    value = "inf" if math.isinf(i.value) else f"{i.value:.2f}"
    if i.low is None or i.high is None:
        return f"{value:>8}"
    return f"{value:>8}   95% CI {i.low:.2f} to {i.high:.2f}"


def _probability(p: float | None) -> str:
    return "-" if p is None else f"{p:.2f}"
