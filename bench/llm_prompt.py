"""What the LLM decision maker adds to a tick per symbol, without the call: the prompt built, the reply parsed
and checked (DESIGN/issue target: under 5 ms per symbol).

Builds the view of BTC/USDT on the bundled real 1m candles (1m/15m/1h windows as the loop holds them, the
ICT picture computed once beforehand, as the strategy scan leaves it cached) at successive minutes, then
times build_prompt + decision_schema + parse_reply + check_proposal. Prints one JSON line.
Run: python3 bench/llm_prompt.py [--symbols 200]
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.fakes.openai_api import decision  # noqa: E402
from tests.fakes.symbol_views import T_VIEW, symbol_view  # noqa: E402
from trading.adapters.llm_reply import decision_schema, parse_reply  # noqa: E402
from trading.engine.decision_checks import CheckSettings, check_proposal  # noqa: E402
from trading.engine.decision_prompt import PromptSettings, build_prompt  # noqa: E402
from trading.strategies.base import MarketView  # noqa: E402
from trading.strategies.market_analysis import MarketAnalysis  # noqa: E402
from trading.strategies.market_picture import market_picture  # noqa: E402

MINUTE = 60_000


def run(count: int) -> dict[str, object]:
    views = [symbol_view(T_VIEW + i * MINUTE) for i in range(count)]
    reply = decision("BUY", 0.8, size_pct=10, reasoning="demand holds under the sweep").content or ""
    prompt_settings, checks = PromptSettings(), CheckSettings()
    times, prompt_chars = [], 0
    for view in views:
        started = time.perf_counter()
        system, user = build_prompt(view, prompt_settings)
        decision_schema(view.allowed.actions)
        parsed = parse_reply(reply)
        assert not isinstance(parsed, str)
        check_proposal(parsed.proposal(), view, checks, "bench")
        times.append((time.perf_counter() - started) * 1000)
        prompt_chars = max(prompt_chars, len(system) + len(user))
    times.sort()
    return {"bench": "llm_prompt_and_parse", "symbols": count, "median_ms": round(statistics.median(times), 3),
            "p95_ms": round(times[int(len(times) * 0.95) - 1], 3), "max_ms": round(times[-1], 3),
            "prompt_chars": prompt_chars, "target_ms": 5, "picture_warm_median_ms": _picture_ms(views)}


def _picture_ms(views: list) -> float:
    """Return the median time of the view's ICT picture once the strategy scan has cached its snapshots."""
    times = []
    for view in views:
        market_picture(MarketAnalysis(MarketView(view.symbol, view.frames)))      # the scan's own computation
        started = time.perf_counter()
        market_picture(MarketAnalysis(MarketView(view.symbol, view.frames)))
        times.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(times), 3)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--symbols", type=int, default=200, help="views to time (one per replayed minute)")
    print(json.dumps(run(parser.parse_args().symbols)))


if __name__ == "__main__":
    main()
