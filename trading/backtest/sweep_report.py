"""A sweep's results: the best trials by out-of-sample score, and whether choosing among them overfits."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import numpy as np

from trading.backtest.comparison import percent
from trading.backtest.edge_statistics import deflated_sharpe, overfitting_probability, per_period_sharpe
from trading.backtest.sweep import SweepData, TrialResult, chosen_out_of_sample, fold_matrix
from trading.backtest.sweep_relations import RelationCheck
from trading.backtest.result_export import iso_time, plain
from trading.strategies.parameter_space import params_text


@dataclass(frozen=True, slots=True)
class SecondRound:
    """A second round of trials, from first_trial on, over the region chosen_by chose (an advisor or the rule)."""

    first_trial: int
    region: Mapping[str, tuple[float, ...]]
    chosen_by: str
    skipped: int = 0                    # the region's combinations that broke a relation (never run)
    skip_rule: str = ""


@dataclass(frozen=True, slots=True, eq=False)
class SweepSummary:
    """The trials ranked, the walk-forward over them, and the overfitting statistics of the choice."""

    strategy: str
    symbol: str
    space: Mapping[str, tuple[float, ...]]
    results: tuple[TrialResult, ...]
    chosen_return_pct: float            # per fold, the best in-sample trial traded out of sample
    chosen: tuple[int, ...]
    pbo: float | None                   # over the trials' out-of-sample fold returns
    deflated_sharpe: float | None       # of the best trial's fold returns, for the number of trials
    folds: int
    first_ms: int
    last_ms: int
    search: str = "grid"                # grid | tpe
    seed: int | None = None             # TPE's seed
    second_round: SecondRound | None = None
    relations: RelationCheck | None = None    # the grid's combinations, or TPE's samples, the relations kept out

    def best(self, n: int) -> list[TrialResult]:
        """Return the n best trials by out-of-sample score (the lower index first on ties)."""
        return sorted(self.results, key=lambda r: (-r.score, r.index))[:n]


def summarise(data: SweepData, space: Mapping[str, tuple[float, ...]], results: Sequence[TrialResult], *,
              search: str = "grid", seed: int | None = None, second_round: SecondRound | None = None,
              relations: RelationCheck | None = None) -> SweepSummary:
    """Return the summary of a sweep's results (every round's trials: the statistics count all of them)."""
    total, chosen = chosen_out_of_sample(results)
    matrix = fold_matrix(results)
    ranked = sorted(results, key=lambda r: (-r.score, r.index))
    sharpes = [per_period_sharpe(np.array(r.out_of_sample_pct)) for r in results]
    known = [s for s in sharpes if s is not None]
    spread = float(np.var(known, ddof=1)) if len(known) > 1 else 0.0
    dsr = deflated_sharpe(np.array(ranked[0].out_of_sample_pct) / 100, len(results), spread) if ranked else None
    candles = data.history.candles
    return SweepSummary(data.strategy, data.history.symbol, dict(space), tuple(results), total, tuple(chosen),
                        overfitting_probability(matrix, blocks=len(data.folds)) if results else None, dsr,
                        len(data.folds), int(candles.open_ms[data.folds[0].out_start]),
                        int(candles.open_ms[data.folds[-1].out_end - 1]) + data.history.timeframe.ms,
                        search, seed, second_round, relations)


def sweep_text(summary: SweepSummary, top: int = 5) -> str:
    """Return the best trials and the overfitting statistics as text."""
    s = summary
    how = "TPE search, seed " + str(s.seed) if s.search == "tpe" else "grid"
    lines = [f"Sweep of {s.strategy} on {s.symbol}: {len(s.results)} trials ({how}), scored out of sample only",
             f"{s.folds} folds, out of sample {iso_time(s.first_ms)[:10]} to {iso_time(s.last_ms - 1)[:10]}"]
    if s.relations is not None and s.relations.skipped:
        lines.append(_relations_line(s.relations))
    if s.second_round is not None:
        lines.append(_second_round_line(s.second_round, len(s.results)))
    lines += ["", f"Best {min(top, len(s.results))} by out-of-sample return:"]
    for r in s.best(top):
        params = params_text(r.params) or "(the strategy's defaults)"
        lines.append(f"  #{r.index:<4} {percent(r.score):>7} {r.trades:>4} trades  {params}")
    lines += ["",
              f"Picking the best in-sample trial each fold gives {percent(s.chosen_return_pct)} out of sample.",
              f"Overfitting probability {_p(s.pbo)}; deflated Sharpe of the best {_p(s.deflated_sharpe)} "
              f"({len(s.results)} trials)."]
    if s.pbo is not None and s.pbo > 0.5:
        lines.append("More often than not the in-sample winner does worse than the median out of sample: "
                     "the ranking is mostly luck.")
    return "\n".join(lines)


def sweep_record(summary: SweepSummary, top: int = 5) -> dict[str, Any]:
    """Return the sweep as strict JSON data."""
    s = summary
    trials = [{"index": r.index, "params": dict(r.params), "score_pct": r.score, "trades": r.trades,
               "in_sample_pct": list(r.in_sample_pct), "out_of_sample_pct": list(r.out_of_sample_pct)}
              for r in s.results]
    second = s.second_round
    rounds = None if second is None else {"first_trial": second.first_trial, "chosen_by": second.chosen_by,
                                          "region": {k: list(v) for k, v in second.region.items()},
                                          "skipped": second.skipped, "skip_rule": second.skip_rule}
    c = s.relations
    skipped = None if c is None else ({"samples": c.total, "pruned": c.skipped, "because": c.rules} if c.sampled
                                      else {"combinations": c.total, "skipped": c.skipped, "because": c.rules})
    return plain({"strategy": s.strategy, "symbol": s.symbol, "search": s.search, "seed": s.seed,
                  "space": {k: list(v) for k, v in s.space.items()}, "second_round": rounds, "skipped": skipped,
                  "folds": s.folds, "start": iso_time(s.first_ms), "end": iso_time(s.last_ms),
                  "best": [r.index for r in s.best(top)],
                  "walk_forward_return_pct": s.chosen_return_pct, "walk_forward_chosen": list(s.chosen),
                  "pbo": s.pbo, "deflated_sharpe": s.deflated_sharpe, "trials": trials})


def _relations_line(c: RelationCheck) -> str:
    """Return what the relations kept out: the grid's combinations, or the samples TPE drew and pruned."""
    if c.sampled:
        return (f"{c.skipped:,} of the {c.total:,} parameter sets TPE sampled were pruned before running: "
                f"{c.rules}")
    return f"{c.skipped:,} of the {c.total:,} combinations skipped before running: {c.rules}"


def _second_round_line(second: SecondRound, trials: int) -> str:
    """Return which trials the second round ran, and who chose its region."""
    by = f"the region chosen by the {second.chosen_by}"
    skipped = (f" ({second.skipped} combination{'s' if second.skipped != 1 else ''} skipped before running: "
               f"{second.skip_rule})" if second.skipped else "")
    if trials == second.first_trial:
        return f"Second round: {by} held no new trials{skipped}"
    return f"Second round, trials #{second.first_trial} to #{trials - 1}: {by}{skipped}"


def _p(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


MARGIN_PCT = 2.0       # an optimisation proposes new parameters only when they beat the current ones by this much


@dataclass(frozen=True, slots=True)
class Proposal:
    """What a small sweep says about a strategy's current parameters."""

    strategy: str
    current: TrialResult
    best: TrialResult
    margin_pct: float
    pbo: float | None

    @property
    def better(self) -> bool:
        """Return True when the best trial beats the current parameters out of sample by the margin."""
        return self.best.index != self.current.index and self.best.score - self.current.score >= self.margin_pct


def proposal(summary: SweepSummary, current_index: int = 0, margin_pct: float = MARGIN_PCT) -> Proposal:
    """Return the proposal of a sweep whose trial current_index holds the current parameters."""
    current = next(r for r in summary.results if r.index == current_index)
    return Proposal(summary.strategy, current, summary.best(1)[0], margin_pct, summary.pbo)


def proposal_text(p: Proposal) -> str:
    """Return the proposal in words: keep the parameters, or which ones to change and why."""
    now = f"current parameters {percent(p.current.score)} out of sample ({p.current.trades} trades)"
    if not p.better:
        return (f"Optimisation of {p.strategy}: keep the parameters. No variant beats the {now} by "
                f"{p.margin_pct:g} points or more.")
    params = params_text(p.best.params)
    caution = f"; overfitting probability {_p(p.pbo)}" if p.pbo is not None else ""
    return (f"Optimisation of {p.strategy}: {params} gives {percent(p.best.score)} out of sample "
            f"({p.best.trades} trades) against the {now}{caution}.")
