"""/ask and plain text: the LLM answers questions with the bot's context; a question never places an order.

The context is what the chat could show anyway (positions, balance, recent decisions, current signals,
prices), never a key, token, chat id or path. The answer is plain text; nothing in it is acted on.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Sequence, TYPE_CHECKING

from trading.domain.decisions import LlmFailure
from trading.adapters.sqlite_decisions import DecisionJournal
from trading.domain.errors import TradingError
from trading.domain.figures import signed
from trading.ports import Clock, MarketData
from trading.services.portfolio import PortfolioService
from trading.services.signals import SignalsService

if TYPE_CHECKING:   # the openai SDK loads only when an LLM is configured
    from trading.adapters.openai_client import LlmClient
    from trading.adapters.openai_decider import OpenAIDecider

MAX_QUESTION = 2000
ENABLE_HINT = ("No LLM is configured, so I can't answer questions yet. Set OPENAI_API_KEY (OpenAI, OpenRouter) or "
               "OPENAI_BASE_URL (a local Ollama, vLLM or llama.cpp server, e.g. http://127.0.0.1:11434/v1) and "
               "LLM_MODEL in .env, then restart. Meanwhile /help lists the commands.")
SYSTEM = ("You are the assistant inside a personal crypto trading bot, answering its owner in a chat. Use the "
          "context below; say so when it does not hold the answer. You cannot place, change or cancel orders "
          "and nothing you write is acted on: when asked to trade, say which command the user can type "
          "(/buy, /sell, /close, /kill ...). Answer in plain text, briefly.")


@dataclass(frozen=True, slots=True)
class Answer:
    """The reply to a question, and who wrote it."""

    text: str
    by: str


class QuestionDesk:
    """Answers the owner's questions with an LLM, on the bot's own context."""

    def __init__(self, client: LlmClient | None, decider: OpenAIDecider | None, portfolio: PortfolioService,
                 journal: DecisionJournal, signals: SignalsService, market: MarketData, clock: Clock,
                 symbols: Sequence[str]) -> None:
        self.client, self.decider, self.portfolio, self.journal = client, decider, portfolio, journal
        self.signals, self.market, self.clock, self.symbols = signals, market, clock, tuple(symbols)

    async def answer(self, question: str) -> Answer:
        """Return the LLM's answer to question, or how to enable an LLM; never acts on anything."""
        question = question.strip()
        if not question:
            return Answer("Ask me something after /ask, e.g. /ask why did you buy ETH?", "bot")
        if self.client is None:
            return Answer(ENABLE_HINT, "bot")
        now = self.clock.now_ms()
        refused = await self.decider.refusal(now, "Your question") if self.decider is not None else None
        if refused:
            return Answer(refused, "bot")
        messages = [{"role": "system", "content": SYSTEM},
                    {"role": "user", "content": f"{await self.context()}\n\nQuestion: {question[:MAX_QUESTION]}"}]
        try:
            done = await self.client.complete(messages, None, "answer")
        except LlmFailure as exc:
            return Answer(f"The LLM did not answer ({exc}). Nothing was changed; try again in a moment.", "bot")
        if self.decider is not None:
            await self.decider.record_spend(now, done.prompt_tokens, done.completion_tokens)
        text = (done.text or done.refusal or "").strip() or "(the LLM sent an empty answer)"
        if done.finish_reason == "length":
            text += "\n(cut off at the length limit)"
        return Answer(text, self.client.model)

    async def context(self) -> str:
        """Return the bot's state as the LLM reads it: positions, balance, decisions, signals, prices."""
        lines = [f"Now: {_time(self.clock.now_ms())}"]
        balance = await self.portfolio.balance()
        lines.append(f"Mode {balance.mode} ({balance.market_type}); equity {balance.summary.equity:,.2f}, "
                     f"PnL since start {signed(balance.pnl)}")
        positions = await self.portfolio.positions()
        lines.append("Open positions: " + ("; ".join(
            f"{p.position.symbol} {p.position.side} {p.position.amount.normalize():f} at {p.position.entry_price} "
            f"(mark {p.mark}, {signed(p.unrealized_pct, 2, '%')})" for p in positions) or "none"))
        lines.append("Prices: " + "; ".join(await self._prices()))
        lines += ["Recent decisions (newest first):", *[
            f"- {_time(r.ts_ms)} {r.symbol} {r.action} ({r.confidence:.2f}, {r.source}, by {r.decided_by}): "
            f"{r.reason[:200]}" + (f" -> {r.verdict}" if r.verdict else "")
            for r in await self.journal.page(None, None, 10) if r.action != "HOLD" or r.called]]
        for symbol in self.symbols[:3]:
            report = await self.signals.report(symbol)
            found = "; ".join(f"{s.strategy} {s.side} at {s.entry} ({s.reason})" for s in report.recent[-3:])
            lines.append(f"Latest signals {symbol}: {found or 'none'}")
        return "\n".join(lines)

    async def _prices(self) -> list[str]:
        out = []
        for symbol in self.symbols:
            try:
                t = await self.market.ticker(symbol)
            except TradingError:
                continue
            change = f" ({signed(t.change_24h_pct, 2, '%')} 24h)" if t.change_24h_pct is not None else ""
            out.append(f"{symbol} {t.last}{change}")
        return out or ["unavailable"]


def _time(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
