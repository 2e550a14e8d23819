"""Choosing the symbols to trade: candidates by 24h turnover within spread and volatility limits, then N of them.

Pure: the tickers come in, the selection goes out. The LLM (when on) picks N of the top K candidates; its
reply must name candidates only, else the top N by turnover stand. Symbols always kept and symbols with an
open position stay whatever is picked.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Iterable, Sequence

from trading.domain.market import Ticker


@dataclass(frozen=True, slots=True)
class UniverseSettings:
    """How the universe is chosen."""

    size: int = 5                       # N symbols traded (beside those always kept)
    candidates: int = 20                # K candidates shown to the LLM
    min_turnover: Decimal = Decimal("10000000")
    max_spread_bps: Decimal = Decimal("20")
    max_move_pct: Decimal = Decimal("25")
    keep: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Candidate:
    """A market that passed the filters."""

    symbol: str
    turnover: Decimal
    spread_bps: Decimal | None
    move_pct: Decimal | None


@dataclass(frozen=True, slots=True)
class Selection:
    """One choice of the universe: what was chosen from what, by whom and why."""

    ts_ms: int
    symbols: tuple[str, ...]
    candidates: tuple[Candidate, ...]
    reasons: str
    decided_by: str
    prompt: str | None = None
    reply: str | None = None


def candidates(tickers: Iterable[Ticker], settings: UniverseSettings) -> list[Candidate]:
    """Return the top K markets by 24h quote turnover among those within the spread and move limits."""
    found = []
    for t in tickers:
        turnover = t.quote_volume_24h
        if turnover is None or turnover < settings.min_turnover:
            continue
        spread = t.spread_bps
        if spread is not None and spread > settings.max_spread_bps:
            continue
        if t.change_24h_pct is not None and abs(t.change_24h_pct) > settings.max_move_pct:
            continue
        found.append(Candidate(t.symbol, turnover, spread, t.change_24h_pct))
    found.sort(key=lambda c: (-c.turnover, c.symbol))
    return found[:settings.candidates]


def by_turnover(pool: Sequence[Candidate], settings: UniverseSettings) -> tuple[str, ...]:
    """Return the top N candidates by turnover."""
    return tuple(c.symbol for c in pool[:settings.size])


def llm_pick(reply: Any, pool: Sequence[Candidate], settings: UniverseSettings) -> tuple[tuple[str, ...], str] | str:
    """Return the symbols and reasons of an LLM's reply {"symbols": [...], "reasons": "..."}, or what is wrong."""
    if not isinstance(reply, dict) or not isinstance(reply.get("symbols"), list):
        return "the reply has no list of symbols"
    known = {c.symbol for c in pool}
    picked = tuple(dict.fromkeys(str(s).upper() for s in reply["symbols"]))
    strangers = [s for s in picked if s not in known]
    if strangers:
        return f"{', '.join(strangers)} {'is' if len(strangers) == 1 else 'are'} not among the candidates"
    if not picked or len(picked) > settings.size:
        return f"{len(picked)} symbols picked, expected 1 to {settings.size}"
    return picked, str(reply.get("reasons") or "").strip()[:1000]


def with_kept(picked: Iterable[str], settings: UniverseSettings, open_positions: Iterable[str]) -> tuple[str, ...]:
    """Return the symbols always kept, those with open positions, then the picked ones, each once."""
    return tuple(dict.fromkeys([*settings.keep, *open_positions, *picked]))


def universe_schema(pool: Sequence[Candidate], size: int) -> dict[str, Any]:
    """Return the strict JSON schema of the LLM's pick: symbols among the candidates, and the reasons."""
    return {"type": "object", "additionalProperties": False, "required": ["symbols", "reasons"],
            "properties": {"symbols": {"type": "array", "items": {"type": "string",
                                                                  "enum": [c.symbol for c in pool]},
                                       "description": f"1 to {size} symbols to trade"},
                           "reasons": {"type": "string", "description": "why these, in a few sentences"}}}


def universe_prompt(pool: Sequence[Candidate], size: int) -> tuple[str, str]:
    """Return the (system, user) messages asking the LLM to pick size symbols from pool."""
    system = (f"You choose which crypto markets a trading assistant trades for the next hours. Pick 1 to {size} "
              f"of the candidates: liquid, not erratic, with room to move. Reply with one JSON object: "
              f'{{"symbols": [...], "reasons": "..."}} naming only candidates.')
    rows = [f"- {c.symbol}: 24h turnover {c.turnover:,.0f}, spread "
            f"{'n/a' if c.spread_bps is None else f'{c.spread_bps:.1f} bps'}, 24h move "
            f"{'n/a' if c.move_pct is None else f'{c.move_pct:+.2f}%'}" for c in pool]
    return system, "Candidates by 24h quote turnover (largest first):\n" + "\n".join(rows)
