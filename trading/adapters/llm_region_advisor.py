"""The LLM as a sweep's region advisor: the sweep record in, a strict JSON grid out (a RegionAdvisor).

It talks to the same OpenAI-compatible server as the decision maker, through the same LlmClient (strict
json_schema first, falling back the way local servers need). It is called from synchronous code (the
sweep command; the /optimize job in the backtest worker process), so each call runs its own event loop
around a client that lives only for that call; the advisor itself holds only the connection settings, so
it pickles into the worker. The key is a SecretStr: never in its repr, the prompt, or an error. Anything
but a usable answer raises (LlmFailure, AdviceRefused), and next_region falls back to its rule.

Its calls count against the same daily budget as the bot's: with spend_db (the bot's database) it is
not asked once today's budget is spent (LlmFailure, source budget, saying until when and how to raise
it), and what each call cost is added to the day's spend, whichever process makes it.
"""
from __future__ import annotations

import asyncio
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from pydantic import SecretStr

from trading.adapters.llm_reply import first_json_object
from trading.engine.llm_budget import BudgetSettings, Prices
from trading.ports import Clock
from trading.backtest.region_prompt import region_messages
from trading.backtest.search_region import MAX_POINTS, AdviceRefused

SCHEMA_NAME = "sweep_region"


@dataclass(frozen=True)
class LlmRegionAdvisor:
    """Asks the LLM where a sweep should search next."""

    model: str
    base_url: str = ""
    api_key: SecretStr = field(default_factory=lambda: SecretStr(""), repr=False)
    timeout_s: float = 20.0
    response_format: str = "auto"
    max_reply_tokens: int = 700
    spend_db: str = ""                 # the database holding today's LLM spend ("": not counted, as in a test)
    budget: BudgetSettings = BudgetSettings()
    prices: Prices = Prices()
    clock: Clock | None = None         # whose day the budget is counted on (None: the wall clock)

    def __call__(self, record: Mapping[str, Any]) -> dict[str, list[float]]:
        """Return the LLM's next region for the sweep in record; raise when there is none to use."""
        return asyncio.run(self.ask(record))

    async def ask(self, record: Mapping[str, Any]) -> dict[str, list[float]]:
        """Ask the server once (in the running event loop), within today's budget, and return the parsed region."""
        if not self.spend_db:
            return self._parsed(await self._complete(record), record)
        from trading.adapters.clocks import WallClock
        from trading.adapters.llm_spend import SpendBook, budget_failure
        from trading.adapters.sqlite_store import SqliteStore

        clock = self.clock or WallClock()
        store = SqliteStore(Path(self.spend_db), clock)
        await store.open()
        try:
            book = SpendBook(store, self.budget, self.prices)
            refused = await book.refusal(clock.now_ms(), "the region advisor's request")
            if refused:
                raise budget_failure(refused)
            done = await self._complete(record)
            await book.add(clock.now_ms(), done.prompt_tokens, done.completion_tokens)
        finally:
            await store.close()
        return self._parsed(done, record)

    async def _complete(self, record: Mapping[str, Any]) -> Any:
        """Return the server's completion of the region request."""
        from trading.adapters.openai_client import LlmClient      # the openai SDK loads only when asked

        client = LlmClient(self.model, api_key=self.api_key.get_secret_value(), base_url=self.base_url,
                           timeout_s=self.timeout_s, response_format=self.response_format,
                           max_reply_tokens=self.max_reply_tokens)
        try:
            return await client.complete(region_messages(record), region_schema(record["space"]), SCHEMA_NAME)
        finally:
            await client.close()

    @staticmethod
    def _parsed(done: Any, record: Mapping[str, Any]) -> dict[str, list[float]]:
        """Return the region of a completion; raise AdviceRefused when it holds none."""
        if done.refusal:
            raise AdviceRefused("the model refused to answer")
        if done.finish_reason == "length":
            raise AdviceRefused("the answer was cut off (raise LLM_MAX_REPLY_TOKENS)")
        return parse_region(done.text, record["space"])


def region_schema(space: Mapping[str, Any]) -> dict[str, Any]:
    """Return the strict JSON schema of the answer: every swept parameter a list of numbers, and a reason."""
    numbers = {"type": "array", "items": {"type": "number"}}
    region = {"type": "object", "properties": {name: numbers for name in space}, "required": list(space),
              "additionalProperties": False}
    return {"type": "object", "properties": {"region": region, "reason": {"type": "string"}},
            "required": ["region", "reason"], "additionalProperties": False}


def parse_region(text: str, space: Mapping[str, Any]) -> dict[str, list[float]]:
    """Return the region of the answer; raise AdviceRefused when it is not one over the space's parameters."""
    answer = first_json_object(text or "")
    if answer is None:
        raise AdviceRefused("no JSON object in the answer")
    region = answer.get("region")
    if not isinstance(region, dict) or not region:
        raise AdviceRefused("the answer has no region")
    out: dict[str, list[float]] = {}
    for name, values in region.items():
        if name not in space:
            raise AdviceRefused("the region names a parameter the sweep does not have")
        if not isinstance(values, list) or not 1 <= len(values) <= MAX_POINTS:
            raise AdviceRefused(f"{name} needs a list of 1 to {MAX_POINTS} numbers")
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in values):
            raise AdviceRefused(f"{name} needs finite numbers")
        out[name] = [float(v) for v in values]
    return out
