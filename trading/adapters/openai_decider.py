"""The LLM decision maker: the DecisionMaker port over an OpenAI-compatible server.

For a symbol review it asks only when the schedule says so (else HOLD, source skipped), only when risk
allows more than HOLD (else source risk_blocked), and only while today's budget lasts (else the fallback:
the rules or HOLD, source budget). The reply is validated at the boundary (pydantic) and checked against
the view; anything wrong is HOLD (source invalid), a timeout or a server failure falls back (source
timeout / error). Every answer is logged with its prompt, raw reply, tokens, cost and the rules' shadow
decision on the same request. Backtests read replies from the cache by the hash of (model, prompt, schema).
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from typing import TYPE_CHECKING, Awaitable, Callable

from trading.adapters.llm_reply import SCHEMA_NAME, decision_schema, parse_reply
from trading.adapters.llm_spend import SpendBook, refusal_text
from trading.adapters.openai_client import LlmClient, LlmFailure
from trading.domain.decision_log import CachedReply, DecisionRecord
from trading.domain.decisions import Action, Decision, DecisionRequest, DecisionSource, TradeAction
from trading.domain.events import Event, EventKind, Severity
from trading.domain.positions import PositionSide
from trading.engine.decision_checks import check_proposal, hold
from trading.engine.decision_prompt import build_prompt
from trading.engine.decision_schedule import Schedule, call_trigger
from trading.engine.llm_budget import DailySpend, spent_reason
from trading.engine.llm_settings import LlmSettings, LlmStatus
from trading.engine.rules_decider import decide_by_rules
from trading.engine.symbol_view import PastDecision, SymbolView
from trading.ports import Clock, DecisionLog

if TYPE_CHECKING:
    from trading.adapters.sqlite_store import SqliteStore

Notify = Callable[[Event], Awaitable[None]]


class OpenAIDecider:
    """Decides with an LLM; holds or follows the rules when it cannot, and says which."""

    def __init__(self, client: LlmClient | None, log: DecisionLog, settings: LlmSettings, *,
                 state: SqliteStore | None = None, notify: Notify | None = None,
                 spend_clock: Clock | None = None) -> None:
        self.client, self.log, self.settings = client, log, settings
        self._notify = notify
        # whose day a call is counted on: the wall clock's when given (the bot's, and a backtest's whose candles
        # are history), else the reviewed candle's
        self._spend_clock = spend_clock
        # today's spend is shared with every other LLM call (/ask, the universe, a sweep's advisor in another
        # process): kept in the database, re-read before each call; without a store (a backtest) in memory
        self._book = SpendBook(state, settings.budget, settings.prices) if state is not None else None
        self.schedule = Schedule()
        self.spend = DailySpend()
        self.failure = ""            # the last call's failure, "" once a call succeeds

    @property
    def model(self) -> str:
        """Return the model name."""
        return self.settings.model

    async def start(self, now_ms: int) -> str:
        """Restore today's spend and probe the server's format, counted in today's budget; return what was found."""
        if self._book is not None:
            self.spend = await self._book.load()
        if self.client is None:
            return "no LLM server (cache only)"
        day_ms = self._day_ms(now_ms)
        refused = await self.refusal(day_ms, "The format probe")
        if refused is not None:
            return f"structured output not checked. {refused} The first LLM call the budget allows will find it."
        try:
            probed = await self.client.probe()
        except LlmFailure as exc:
            self.failure = str(exc)
            return f"probe failed: {exc}; the first decision will try again"
        await self.record_spend(day_ms, probed.prompt_tokens, probed.completion_tokens)
        return f"structured output: {probed.format}"

    def status(self, now_ms: int) -> LlmStatus:
        """Return who decides now and today's calls and cost."""
        day_ms = self._day_ms(now_ms)
        today = self.spend.on(day_ms, self.settings.budget)
        budget = spent_reason(self.spend, day_ms, self.settings.budget)
        fmt = self.client.format_label if self.client is not None else "cache only"
        return LlmStatus(self.model, fmt, self.settings.fallback, today.calls, today.tokens, today.usd, budget,
                         self.failure)

    async def current_status(self, now_ms: int) -> LlmStatus:
        """Return status() after re-reading today's spend (a sweep in another process may have spent since)."""
        if self._book is not None:
            self.spend = await self._book.load()
        return self.status(now_ms)

    async def decide(self, request: DecisionRequest) -> Decision:
        """Return the decision on a symbol review (a request without a view is answered by the rules)."""
        shadow = decide_by_rules(request, self.settings.rules)
        view = request.view
        if view is None:
            return replace(shadow, source=DecisionSource.LLM_OFF)
        if view.allowed.only_hold:
            return await self._hold_logged(view, shadow, request, f"risk allows only HOLD: {view.allowed.blocked}",
                                           "risk", DecisionSource.RISK_BLOCKED)
        trigger = call_trigger(self.schedule, view, self.settings.schedule)
        if trigger is None:
            return await self._hold_logged(view, shadow, request, "nothing changed enough to ask the LLM",
                                           self.model, DecisionSource.SKIPPED)
        view = replace(view, trigger=trigger, history=await self._history(view.symbol))
        return await self._ask(view, shadow, request)

    async def _ask(self, view: SymbolView, shadow: Decision, request: DecisionRequest) -> Decision:
        system, user = build_prompt(view, self.settings.prompt)
        schema = decision_schema(view.allowed.actions)
        key = reply_key(self.model, system, user, schema)
        cached = await self.log.cached(key) if self.settings.read_cache else None
        calling = cached is None and not (self.settings.cache_only or self.client is None)
        spent = await self._spent_reason(view) if calling else None     # a cached reply costs nothing
        if spent is not None:
            await self._tell_budget_spent(self._budget_ms(view), spent)
            return await self._fallback(view, shadow, request, spent, DecisionSource.BUDGET)
        self.schedule = self.schedule.called(view)
        if cached is None and not calling:
            return await self._hold_logged(view, shadow, request, "no cached reply for this prompt (cache only)",
                                           self.model, DecisionSource.CACHE_MISS, f"{system}\n\n{user}")
        if cached is None:
            try:
                completion = await self.client.complete(  # type: ignore[union-attr]
                    [{"role": "system", "content": system}, {"role": "user", "content": user}], schema, SCHEMA_NAME)
            except LlmFailure as exc:
                await self._failing(view.ts_ms, str(exc))
                return await self._fallback(view, shadow, request, f"LLM {exc}", exc.source, f"{system}\n\n{user}")
            cached = CachedReply(completion.text, completion.finish_reason, completion.refusal,
                                 completion.prompt_tokens, completion.completion_tokens)
            await self.log.cache(key, self.model, cached)
            await self._succeeded(view.ts_ms)
            latency: int | None = completion.latency_ms
        else:
            latency = None
        return await self._answered(view, shadow, request, f"{system}\n\n{user}", cached, latency)

    async def _answered(self, view: SymbolView, shadow: Decision, request: DecisionRequest, prompt: str,
                        reply: CachedReply, latency_ms: int | None) -> Decision:
        cost = self.settings.prices.cost(reply.prompt_tokens, reply.completion_tokens)
        if latency_ms is not None:      # a cached reply costs nothing today
            await self.record_spend(self._budget_ms(view), reply.prompt_tokens, reply.completion_tokens)
        decision, parsed = self._interpret(view, reply)
        record = self._record(view, decision, shadow, request, prompt=prompt, reply=reply.text or reply.refusal,
                              parsed_json=parsed, latency_ms=latency_ms, prompt_tokens=reply.prompt_tokens,
                              completion_tokens=reply.completion_tokens, cost_usd=cost)
        return replace(decision, ref=await self.log.record(record))

    def _interpret(self, view: SymbolView, reply: CachedReply) -> tuple[Decision, str | None]:
        if reply.finish_reason == "length":
            return hold("invalid reply: cut off by the token limit (finish_reason=length)", self.model,
                        DecisionSource.INVALID), None
        if reply.refusal:
            return hold(f"invalid reply: the model refused: {reply.refusal[:200]}", self.model,
                        DecisionSource.INVALID), None
        parsed = parse_reply(reply.text)
        if isinstance(parsed, str):
            return hold(f"invalid reply: {parsed}", self.model, DecisionSource.INVALID), None
        return check_proposal(parsed.proposal(), view, self.settings.checks, self.model), parsed.model_dump_json()

    async def _fallback(self, view: SymbolView, shadow: Decision, request: DecisionRequest, why: str,
                        source: DecisionSource, prompt: str | None = None) -> Decision:
        if self.settings.fallback == "rules":
            decision = replace(shadow, source=source, reason=f"{why}; the rules decide: {shadow.reason}")
        else:
            decision = hold(f"{why}; holding", "hold", source)
        record = self._record(view, decision, shadow, request, prompt=prompt)
        return replace(decision, ref=await self.log.record(record))

    async def _hold_logged(self, view: SymbolView, shadow: Decision, request: DecisionRequest, why: str,
                           decided_by: str, source: DecisionSource, prompt: str | None = None) -> Decision:
        decision = hold(why, decided_by, source)
        return replace(decision, ref=await self.log.record(self._record(view, decision, shadow, request,
                                                                        prompt=prompt)))

    def _record(self, view: SymbolView, decision: Decision, shadow: Decision, request: DecisionRequest,
                **call: object) -> DecisionRecord:
        return DecisionRecord(view.ts_ms, view.symbol, trade_action(decision, request), decision.confidence,
                              decision.source, decision.decided_by, decision.reason[:2000], view.mark, view.trigger,
                              shadow_action=trade_action(shadow, request), shadow_reason=shadow.reason[:500],
                              **call)  # type: ignore[arg-type]

    async def _history(self, symbol: str) -> tuple[PastDecision, ...]:
        rows = await self.log.recent(symbol, self.settings.history)
        return tuple(PastDecision(r.ts_ms, r.action, r.confidence, r.source, r.mark, _outcome(r)) for r in rows)

    def _budget_ms(self, view: SymbolView) -> int:
        return self._day_ms(view.ts_ms)

    def _day_ms(self, now_ms: int) -> int:
        # every caller's clock may be a replay's (/ask's, the universe's): the money is spent today all the same
        return self._spend_clock.now_ms() if self._spend_clock is not None else now_ms

    async def _spent_reason(self, view: SymbolView) -> str | None:
        """Return why today's budget allows no call, re-reading what every process spent; None while some is left."""
        if self._book is not None:
            self.spend = await self._book.load()
        return spent_reason(self.spend, self._budget_ms(view), self.settings.budget)

    async def refusal(self, now_ms: int, what: str) -> str | None:
        """Return why `what` may not call the LLM now (today's budget is spent), or None."""
        if self._book is not None:
            self.spend = await self._book.load()
        return refusal_text(self.spend, self._day_ms(now_ms), self.settings.budget, what)

    async def record_spend(self, ts_ms: int, prompt_tokens: int, completion_tokens: int) -> None:
        """Count a call (a decision, the format probe, /ask, the universe) against today's budget."""
        ts_ms = self._day_ms(ts_ms)
        if self._book is not None:
            self.spend = await self._book.add(ts_ms, prompt_tokens, completion_tokens)
            return
        cost = self.settings.prices.cost(prompt_tokens, completion_tokens)
        self.spend = self.spend.add(ts_ms, prompt_tokens + completion_tokens, cost, self.settings.budget)

    async def _tell_budget_spent(self, ts_ms: int, why: str) -> None:
        ts_ms = self._day_ms(ts_ms)
        if self._book is not None:
            if not await self._book.mark_told(ts_ms):
                return
        else:
            today = self.spend.on(ts_ms, self.settings.budget)
            if today.told:
                return
            self.spend = replace(today, told=True)
        who = "the rules decide" if self.settings.fallback == "rules" else "the bot holds (no new LLM trades)"
        await self._emit(Event(EventKind.RISK_LIMIT, ts_ms, f"LLM off until the next trading day: {why}; {who}. "
                               f"Raise LLM_DAILY_BUDGET_USD or LLM_DAILY_TOKEN_CAP to lift it.",
                               {"llm": "budget"}, Severity.WARNING))

    async def _failing(self, ts_ms: int, why: str) -> None:
        if not self.failure:
            who = "the rules decide" if self.settings.fallback == "rules" else "the bot holds"
            await self._emit(Event(EventKind.ERROR, ts_ms, f"The LLM is not answering: {why}. Meanwhile {who}; "
                                   f"see /status.", {"llm": "failing"}, Severity.WARNING))
        self.failure = why

    async def _succeeded(self, ts_ms: int) -> None:
        if self.failure:
            await self._emit(Event(EventKind.DECISION, ts_ms, f"The LLM ({self.model}) is answering again.",
                                   {"llm": "recovered"}))
        self.failure = ""

    async def _emit(self, event: Event) -> None:
        if self._notify is not None:
            await self._notify(event)

    async def close(self) -> None:
        """Close the connection to the server."""
        if self.client is not None:
            await self.client.close()


def trade_action(decision: Decision, request: DecisionRequest) -> str:
    """Return a decision as HOLD/BUY/SELL/SHORT/COVER (the rules' ENTER/EXIT read from the request)."""
    if decision.idea is not None:
        return decision.idea.action.value
    if decision.action is Action.ENTER and request.signal is not None:
        return (TradeAction.BUY if request.signal.side is PositionSide.LONG else TradeAction.SHORT).value
    if decision.action is Action.EXIT and request.position is not None:
        return (TradeAction.SELL if request.position.side is PositionSide.LONG else TradeAction.COVER).value
    return TradeAction.HOLD.value


def reply_key(model: str, system: str, user: str, schema: dict) -> str:
    """Return the cache key of a request: the hash of (model, prompt, schema)."""
    text = json.dumps([model, system, user, schema], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _outcome(record: DecisionRecord) -> str:
    if record.action == TradeAction.HOLD:
        return "held"
    return record.verdict or "not acted on"

