"""Rendering of /backtest (progress, result, caption) and /backtests."""
from __future__ import annotations

from typing import Sequence

from bot.views import esc
from trading.adapters.sqlite_backtests import StoredBacktest
from trading.backtest.comparison import headline_figures
from trading.backtest.summary import stored_runs_text
from trading.services.backtests import BacktestReport, BacktestRequest, EvaluationReport


def progress_text(request: BacktestRequest, stage: str, what: str = "Backtest") -> str:
    """Return the progress message: what runs and where it has got to."""
    return f"⏳ {what} {request.strategy} on {request.symbol} ({request.period}): {esc(stage)}…"


def evaluation_caption(report: EvaluationReport) -> str:
    """Return the evaluation chart's caption: what was judged, out of sample, and the stored run's number."""
    return (f"Evaluation of {esc(report.request.strategy)} on {esc(report.request.symbol)} "
            f"({esc(report.request.period)}), out of sample: {esc(headline_figures(report.run.metrics))} · "
            f"run #{report.run.id}, {report.seconds:.1f} s")


def backtest_text(report: BacktestReport | EvaluationReport) -> str:
    """Return the result: the metrics table and the Monte Carlo spread, monospace."""
    return f"<pre>{esc(report.text)}</pre>"


def backtest_caption(report: BacktestReport) -> str:
    """Return the chart's caption: the headline figures and the stored run's number."""
    return (f"{esc(report.request.strategy)} on {esc(report.request.symbol)} ({esc(report.request.period)}): "
            f"{esc(headline_figures(report.run.metrics))} · run #{report.run.id}, {report.seconds:.1f} s")


def runs_text(runs: Sequence[StoredBacktest]) -> str:
    """Return /backtests: the recent runs, newest first."""
    if not runs:
        return "No backtests yet. Try /backtest A BTC/USDT 30d"
    return f"<pre>{esc(stored_runs_text(runs))}</pre>"
