"""What the LLM reads when it advises a sweep's next region: the sweep so far, and the rules of the answer.

The prompt is built from the sweep record only (strategy, market, space, statistics, and the trials'
parameters and returns): nothing from the settings, so no key or token can reach it. The answer's
schema and its parsing sit with the LLM adapter (trading/adapters/llm_region_advisor.py).
"""
from __future__ import annotations

import json
from typing import Any, Mapping

from trading.backtest.search_region import MAX_POINTS, MAX_ROUND_TRIALS, allowed_range

BEST_SHOWN = 40             # the prompt shows the best trials and the worst few, not thousands
WORST_SHOWN = 10
SYSTEM = (
    "You advise a parameter search for a crypto trading strategy. Each trial is a full backtest with one set of "
    "parameters, scored by its compounded out-of-sample return over walk-forward folds (in-sample returns are "
    "shown too; pbo is the probability that picking the best in-sample trial overfits). Propose the next grid "
    f"to search: for every parameter, 1 to {MAX_POINTS} values, at most {MAX_ROUND_TRIALS} combinations in all, "
    "near the values that scored well out of sample and within the bounds given. Prefer regions that are good "
    "for several neighbouring values over a single lucky trial. Reply with one JSON object and nothing else: "
    '{"region": {"<parameter>": [numbers]}, "reason": "one sentence"}.')


def region_messages(record: Mapping[str, Any]) -> list[dict[str, str]]:
    """Return the chat messages asking for the next region of the sweep in record."""
    trials = sorted(record["trials"], key=lambda t: (-t["score_pct"], t["index"]))
    shown = trials if len(trials) <= BEST_SHOWN + WORST_SHOWN else trials[:BEST_SHOWN] + trials[-WORST_SHOWN:]
    brief = {
        "strategy": record["strategy"], "symbol": record["symbol"], "search": record.get("search", "grid"),
        "out_of_sample_period": [record["start"], record["end"]], "folds": record["folds"],
        "space": record["space"], "bounds": bounds(record["space"]), "trials_run": len(trials),
        "pbo": _rounded(record.get("pbo")), "deflated_sharpe": _rounded(record.get("deflated_sharpe")),
        "trials": [{"params": t["params"], "out_of_sample_pct": _rounded(t["score_pct"]), "trades": t["trades"],
                    "in_sample_pct": [_rounded(r) for r in t["in_sample_pct"]]} for t in shown],
    }
    return [{"role": "system", "content": SYSTEM},
            {"role": "user", "content": "The sweep so far:\n" + json.dumps(brief, allow_nan=False)}]


def bounds(space: Mapping[str, Any]) -> dict[str, list[float]]:
    """Return, per parameter, where a next region may lie: the swept range widened by its width each side."""
    return {name: list(allowed_range(values)) for name, values in space.items()}


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(float(value), 4)
