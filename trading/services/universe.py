"""The symbol universe: refreshed every UNIVERSE_REFRESH_MINUTES when DYNAMIC_SYMBOLS is on, shown by /universe.

Candidates come from the feed's markets of the traded quote (a ticker each, at most MAX_SCANNED of them);
the LLM, when on, picks N of the top K, else the top N by turnover stand. Each selection is stored with
its prompt and reasons; applying it hands the symbols to whoever trades them (the loop, the assistant).
"""
from __future__ import annotations

import json
from decimal import Decimal
from typing import Callable, Iterable, Sequence, TYPE_CHECKING

from trading.adapters.llm_reply import first_json_object
from trading.domain.decisions import LlmFailure
from trading.adapters.sqlite_store import SqliteStore
from trading.domain.errors import TradingError
from trading.domain.market import Ticker
from trading.engine.universe import (Candidate, Selection, UniverseSettings, by_turnover, candidates, llm_pick,
                                     universe_prompt, universe_schema, with_kept)
from trading.ports import Broker, Clock, LlmBudget, MarketData

if TYPE_CHECKING:   # the openai SDK loads only when an LLM is configured
    from trading.adapters.openai_client import LlmClient

MAX_SCANNED = 200
Apply = Callable[[tuple[str, ...]], None]


class UniverseService:
    """Chooses, stores and applies the symbols to trade."""

    def __init__(self, market: MarketData, broker: Broker, store: SqliteStore, clock: Clock,
                 settings: UniverseSettings, quote: str, client: LlmClient | None = None,
                 on_change: Sequence[Apply] = (), *, fixed: Sequence[str] = (), refresh_minutes: int = 60,
                 budget: LlmBudget | None = None) -> None:
        self.market, self.broker, self.store, self.clock = market, broker, store, clock
        self.settings, self.quote, self.client, self.budget = settings, quote, client, budget
        self._on_change = list(on_change)
        self.dynamic = bool(on_change)          # a selection is applied only when DYNAMIC_SYMBOLS is on
        self.fixed, self.refresh_minutes = tuple(fixed), refresh_minutes

    async def refresh(self) -> Selection:
        """Choose the universe now, store the choice and apply it; return it."""
        pool = candidates(await self._tickers(), self.settings)
        held = [p.symbol for p in await self.broker.positions()]
        selection = await self._choose(pool, held)
        await self._save(selection)
        for apply in self._on_change:
            apply(selection.symbols)
        return selection

    async def latest(self) -> Selection | None:
        """Return the newest stored selection."""
        async with self.store.db.execute("SELECT ts_ms, symbols_json, candidates_json, reasons, decided_by, prompt, "
                                         "reply FROM universe_selections ORDER BY id DESC LIMIT 1") as cur:
            row = await cur.fetchone()
        if row is None:
            return None
        pool = tuple(Candidate(c["symbol"], Decimal(c["turnover"]), _dec(c["spread_bps"]), _dec(c["move_pct"]))
                     for c in json.loads(row[2]))
        return Selection(row[0], tuple(json.loads(row[1])), pool, row[3], row[4], row[5], row[6])

    async def _choose(self, pool: list[Candidate], held: Iterable[str]) -> Selection:
        now = self.clock.now_ms()
        fallback = by_turnover(pool, self.settings)
        if self.client is None or not pool:
            why = "top by 24h turnover (no LLM)" if pool else "no market passed the filters; keeping the kept ones"
            return Selection(now, with_kept(fallback, self.settings, held), tuple(pool), why, "turnover")
        system, user = universe_prompt(pool, self.settings.size)
        refused = await self.budget.refusal(now, "The pick of symbols") if self.budget is not None else None
        if refused:
            return Selection(now, with_kept(fallback, self.settings, held), tuple(pool),
                             f"top by 24h turnover ({refused})", "turnover")
        try:
            done = await self.client.complete([{"role": "system", "content": system},
                                               {"role": "user", "content": user}],
                                              universe_schema(pool, self.settings.size), "symbol_universe")
        except LlmFailure as exc:
            return Selection(now, with_kept(fallback, self.settings, held), tuple(pool),
                             f"top by 24h turnover (the LLM failed: {exc})", "turnover", f"{system}\n\n{user}")
        if self.budget is not None:
            await self.budget.record_spend(now, done.prompt_tokens, done.completion_tokens)
        picked = llm_pick(first_json_object(done.text or ""), pool, self.settings)
        if isinstance(picked, str):
            return Selection(now, with_kept(fallback, self.settings, held), tuple(pool),
                             f"top by 24h turnover (the LLM's pick was invalid: {picked})", "turnover",
                             f"{system}\n\n{user}", done.text)
        symbols, reasons = picked
        return Selection(now, with_kept(symbols, self.settings, held), tuple(pool), reasons or "no reasons given",
                         self.client.model, f"{system}\n\n{user}", done.text)

    async def _tickers(self) -> list[Ticker]:
        markets = await self.market.instruments()
        wanted = [s for s, i in markets.items() if i.quote == self.quote][:MAX_SCANNED]
        found = []
        for symbol in wanted:
            try:
                found.append(await self.market.ticker(symbol))
            except TradingError:
                continue          # one market failing does not stop the choice
        return found

    async def _save(self, s: Selection) -> None:
        pool = [{"symbol": c.symbol, "turnover": str(c.turnover), "spread_bps": _str(c.spread_bps),
                 "move_pct": _str(c.move_pct)} for c in s.candidates]
        async with self.store.transaction() as db:
            await db.execute("INSERT INTO universe_selections (ts_ms, symbols_json, candidates_json, reasons, "
                             "decided_by, prompt, reply) VALUES (?, ?, ?, ?, ?, ?, ?)",
                             (s.ts_ms, json.dumps(list(s.symbols)), json.dumps(pool), s.reasons, s.decided_by,
                              s.prompt, s.reply))


def _str(value: object) -> str | None:
    return None if value is None else str(value)


def _dec(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)
