"""A backtest's results as plain data: one JSON-able record of a run, and the rows of its trade list.

Decimals become strings (exact, never through a float), a ratio with nothing below the line is the string
"inf", times are ISO 8601 UTC, so the record survives any JSON reader with strict number parsing.
"""
from __future__ import annotations

import math
from dataclasses import fields
from decimal import Decimal
from typing import Any, Mapping, Sequence

import numpy as np

from trading.backtest.comparison import LABELS
from trading.backtest.metrics import BacktestMetrics
from trading.backtest.exit_breakdown import exit_breakdown
from trading.backtest.montecarlo import MonteCarloResult
from trading.backtest.random_baseline import RandomBaseline
from trading.backtest.runner import BacktestResult
from trading.backtest.studies import WalkForwardStudy
from trading.backtest.trades import ClosedTrade
from trading.domain.instruments import Instrument

TRADE_COLUMNS = ("strategy", "symbol", "side", "entry_time", "entry_price", "exit_time", "exit_price", "amount",
                 "fees", "funding", "pnl", "r_multiple", "exit_reason")
MONEY_PLACES = Decimal("0.00000001")
R_PLACES = Decimal("0.0001")


def iso_time(ms: int) -> str:
    """Return epoch ms as an ISO 8601 UTC time to the second, e.g. 2025-05-20T00:01:00Z."""
    return f"{np.datetime64(int(ms), 'ms').astype('datetime64[s]')}Z"


def plain(value: Any) -> Any:
    """Return value as strict JSON data: Decimals as strings, non-finite floats as 'inf', '-inf' or 'nan'."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, float) and not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def metrics_record(metrics: BacktestMetrics) -> dict[str, Any]:
    """Return the metrics by field name, with the first and last bar times in ISO beside their ms."""
    record = {f.name: plain(getattr(metrics, f.name)) for f in fields(metrics)}
    return record | {"start": iso_time(metrics.start_ms), "end": iso_time(metrics.end_ms)}


def run_record(result: BacktestResult, source: str, *, comparison: Mapping[str, BacktestMetrics] | None = None,
               walk_forward: WalkForwardStudy | None = None, monte_carlo: MonteCarloResult | None = None,
               baseline: RandomBaseline | None = None, extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Return one run as a JSON-able record: what ran, its metrics and labels, and the studies asked for."""
    record: dict[str, Any] = {
        "strategy": result.strategy, "symbol": result.symbol, "timeframe": result.timeframe.value,
        "source": source, "bars": int(result.times_ms.size - 1), "signals": result.signals,
        "skipped": dict(result.rejections), "limits_hit": dict(result.breaches), "params": plain(result.params),
        "metrics": metrics_record(result.metrics), "labels": dict(LABELS),
        "exits": [plain({"rule": e.rule, "exits": e.exits, "pnl": e.pnl, "average_r": e.average_r})
                  for e in exit_breakdown(result.trades)]}
    if baseline is not None:
        record["random_baseline"] = baseline_record(baseline)
    if comparison is not None:
        record["comparison"] = {name: metrics_record(m) for name, m in comparison.items()}
    if walk_forward is not None:
        record["walk_forward"] = _walk_forward(walk_forward)
    if monte_carlo is not None:
        record["monte_carlo"] = plain({"resampling": str(monte_carlo.resampling), "runs": monte_carlo.runs,
                                       "trades": monte_carlo.trades,
                                       "max_drawdown_pct": _percentiles(monte_carlo.max_drawdown_pct),
                                       "final_equity": _percentiles(monte_carlo.final_equity)})
    return record | plain(dict(extra or {}))


def baseline_record(baseline: RandomBaseline) -> dict[str, Any]:
    """Return the random-entry baseline as JSON data: its runs, return percentiles and the strategy's rank."""
    return {"runs": baseline.runs, "seed": baseline.seed, "entries": baseline.entries,
            "return_pct": {"p5": baseline.quantile(5), "p50": baseline.quantile(50), "p95": baseline.quantile(95)},
            "percentile": baseline.percentile, "worse_than_chance": baseline.worse_than_chance}


def trade_rows(trades: Sequence[ClosedTrade], instrument: Instrument | None = None,
               strategy: str = "") -> list[dict[str, str]]:
    """Return the trade list as text cells (TRADE_COLUMNS), prices on the market's tick when it is known."""
    def price(value: Decimal) -> str:
        return _text(instrument.round_price(value) if instrument is not None else value)

    return [{"strategy": t.strategy or strategy, "symbol": t.symbol, "side": str(t.side),
             "entry_time": iso_time(t.entry_ms), "entry_price": price(t.entry_price),
             "exit_time": iso_time(t.exit_ms), "exit_price": price(t.exit_price), "amount": _text(t.amount),
             "fees": _text(t.fees.quantize(MONEY_PLACES)), "funding": _text(t.funding.quantize(MONEY_PLACES)),
             "pnl": _text(t.pnl.quantize(MONEY_PLACES)),
             "r_multiple": "" if t.r_multiple is None else _text(t.r_multiple.quantize(R_PLACES)),
             "exit_reason": t.exit_reason} for t in trades]


def _text(value: Decimal) -> str:
    """Return a Decimal in plain notation without trailing zeros (0.00100 -> 0.001, 1E+2 -> 100)."""
    text = f"{value.normalize():f}"
    return "0" if text in ("-0", "0") else text


def _percentiles(p: Any) -> dict[str, float]:
    return {"p5": p.p5, "p50": p.p50, "p95": p.p95}


def _walk_forward(study: WalkForwardStudy) -> dict[str, Any]:
    folds = [{"start": iso_time(f.out_of_sample.metrics.start_ms), "end": iso_time(f.out_of_sample.metrics.end_ms),
              "params": plain(f.params), "metrics": metrics_record(f.out_of_sample.metrics)}
             for f in study.report.folds]
    return {"in_sample_days": study.in_sample_days, "out_of_sample_days": study.out_of_sample_days,
            "compounded_return_pct": study.compounded_return_pct, "trades": study.trades, "folds": folds}
