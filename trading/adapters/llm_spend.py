"""Today's LLM spend, one book for every call the product makes: decisions and the decider's start-up format
probe, /ask, the universe, the sweep advisor.

The book is one row of the state table (key llm_spend): the trading day's calls, tokens and USD, and
whether the user was told it is spent. The bot and a sweep in another process (the CLI, the backtest
worker) add to the same row; each addition takes the database's write lock before it reads the row (its
first statement is a write), so no call's cost is lost to another's. A call is asked for only while the
day's budget lasts; once it is spent the refusal says what was refused, the budget, when it resets and
how to raise it.
"""
from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Callable
from zoneinfo import ZoneInfo

from trading.adapters.sqlite_store import SqliteStore
from trading.domain.decisions import DecisionSource, LlmFailure
from trading.engine.llm_budget import BudgetSettings, DailySpend, Prices, spent_reason

SPEND_KEY = "llm_spend"


class SpendBook:
    """Reads and adds to today's LLM spend in the database, against the daily budget."""

    def __init__(self, store: SqliteStore, budget: BudgetSettings, prices: Prices) -> None:
        self.store, self.budget, self.prices = store, budget, prices

    async def load(self) -> DailySpend:
        """Return the spend as stored (of whichever day it was last added to)."""
        return _spend(await self.store.load_state(SPEND_KEY))

    async def refusal(self, now_ms: int, what: str) -> str | None:
        """Return why `what` may not ask the LLM now (the budget is spent), or None."""
        return refusal_text(await self.load(), now_ms, self.budget, what)

    async def add(self, now_ms: int, prompt_tokens: int, completion_tokens: int) -> DailySpend:
        """Add one call's tokens and cost to today's spend; return today's spend after it."""
        usd = self.prices.cost(prompt_tokens, completion_tokens)
        return await self._update(now_ms, lambda s: s.add(now_ms, prompt_tokens + completion_tokens, usd, self.budget))

    async def mark_told(self, now_ms: int) -> bool:
        """Mark today's spent budget as told; return False when it already was (tell the user once)."""
        before = await self.load()
        after = await self._update(now_ms, lambda s: replace(s.on(now_ms, self.budget), told=True))
        return not before.on(now_ms, self.budget).told and after.told

    async def _update(self, now_ms: int, change: Callable[[DailySpend], DailySpend]) -> DailySpend:
        async with self.store.transaction() as db:
            # a write first: the transaction holds the write lock before it reads, so another process's
            # addition waits for this one instead of being overwritten by it
            await db.execute("INSERT OR IGNORE INTO state VALUES (?, '{}', 0)", (SPEND_KEY,))
            async with db.execute("SELECT value_json FROM state WHERE key = ?", (SPEND_KEY,)) as cur:
                row = await cur.fetchone()
            spend = change(_spend(json.loads(row[0]) if row else None))
            await db.execute("UPDATE state SET value_json = ?, updated_ms = ? WHERE key = ?",
                             (json.dumps(_record(spend)), now_ms, SPEND_KEY))
        return spend


def refusal_text(spend: DailySpend, now_ms: int, budget: BudgetSettings, what: str) -> str | None:
    """Return the refusal of an LLM call for `what` once today's budget is spent, or None while some is left."""
    spent = spent_reason(spend, now_ms, budget)
    if spent is None:
        return None
    zone = ZoneInfo(budget.timezone)
    now = datetime.fromtimestamp(now_ms / 1000, zone)
    midnight = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), zone)
    left = int((midnight - now).total_seconds() // 60)
    knob = "LLM_DAILY_BUDGET_USD" if "budget" in spent else "LLM_DAILY_TOKEN_CAP"
    return (f"{what} was not sent to the LLM: {spent}. The budget resets at midnight {budget.timezone} "
            f"(in {left // 60} h {left % 60:02d} min); raise {knob} in .env to allow more today.")


def budget_failure(text: str) -> LlmFailure:
    """Return the refusal as the LLM failure callers already handle (source: budget)."""
    return LlmFailure(text, DecisionSource.BUDGET)


def _spend(saved: object) -> DailySpend:
    if not isinstance(saved, dict) or "day" not in saved:
        return DailySpend()
    return DailySpend(saved["day"], int(saved.get("calls", 0)), int(saved.get("tokens", 0)),
                      Decimal(str(saved.get("usd", "0"))), bool(saved.get("told", False)))


def _record(s: DailySpend) -> dict[str, object]:
    return {"day": s.day, "calls": s.calls, "tokens": s.tokens, "usd": str(s.usd), "told": s.told}
