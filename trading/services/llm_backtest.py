"""LLM backtests: the trading loop, the LLM decider and the paper broker on replayed history, reproducibly.

The same loop, engine and decider as paper trading, on a manual clock stepped one base candle at a time
(15m by default: an LLM is asked at most once per candle and symbol). Replies are cached by the hash of
(model, prompt, schema) in the bot's database, so a rerun on the same data reads every reply from the
cache and gives identical results offline; cache_only holds on a miss instead of calling. The loop's own
state and audit go to a scratch database; the decisions are logged under the run's name beside the live
ones, so the score section and /decisions can read them.
"""
from __future__ import annotations

import tempfile
from collections import Counter
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path

from trading.adapters.clocks import ManualClock
from trading.adapters.openai_client import LlmClient
from trading.adapters.openai_decider import OpenAIDecider
from trading.adapters.paper_broker import PaperBroker
from trading.adapters.replay_market_data import ReplayMarketData
from trading.adapters.sqlite_decisions import DecisionJournal
from trading.adapters.sqlite_store import SqliteStore
from trading.backtest.decision_score import Score, ScoredDecision, score
from trading.backtest.llm_summary import day, score_lines, sources_line
from trading.domain.candles import Candles, Timeframe
from trading.domain.decision_log import DecisionRecord
from trading.domain.events import EventKind
from trading.domain.figures import counted, signed
from trading.domain.instruments import MarketKind
from trading.engine.engine_state import EngineSettings
from trading.engine.llm_budget import BudgetSettings
from trading.engine.llm_settings import LlmSettings
from trading.engine.trading_engine import TradingEngine
from trading.ports import Clock
from trading.services.event_bus import EventBus
from trading.services.paper_feed import PaperFeed
from trading.services.symbol_reviews import ReviewSettings
from trading.services.trading_loop import LoopSettings, TradingLoop

from trading.strategies.book import default_book

HUNDRED = Decimal(100)
WINDOWS = {Timeframe.M1: 120, Timeframe.M15: 200, Timeframe.H1: 120}


@dataclass(frozen=True, slots=True)
class LlmBacktestRun:
    """What to replay and how."""

    symbol: str
    start_ms: int
    end_ms: int
    run: str                                # the name its decisions are logged under, e.g. backtest:1751328000000
    base: Timeframe = Timeframe.M15
    starting_balance: Decimal = Decimal("10000")


@dataclass(frozen=True, slots=True)
class LlmBacktestResult:
    """The run's account, its decisions, and the LLM against the rules."""

    run: LlmBacktestRun
    model: str
    final_equity: Decimal
    fills: int
    decisions: tuple[DecisionRecord, ...]
    score: Score
    cost_usd: Decimal
    calls: int                              # replies that came from the server in this run (0 on a cached rerun)

    @property
    def return_pct(self) -> Decimal:
        """Return the account's return over the run in percent."""
        return (self.final_equity / self.run.starting_balance - 1) * HUNDRED

    @property
    def sources(self) -> dict[str, int]:
        """Return how many decisions each source gave."""
        return dict(Counter(d.source for d in self.decisions))

    def text(self, fee_rate: Decimal) -> str:
        """Return the report: the account, the decisions by source, and the LLM against the rules."""
        r = self.run
        return "\n".join([
            f"LLM backtest {r.symbol} {day(r.start_ms)} .. {day(r.end_ms)} UTC on {r.base} candles, model {self.model}",
            f"Account: {r.starting_balance:,.2f} -> {self.final_equity:,.2f} ({signed(self.return_pct, 2, '%')}), "
            f"{counted(self.fills, 'fill')}",
            sources_line(self.sources),
            f"Server calls this run: {self.calls} (the rest from the reply cache); decisions logged as {r.run}",
            *score_lines(self.score, fee_rate, self.cost_usd)])


async def llm_backtest(run: LlmBacktestRun, candles: Candles, store: SqliteStore, client: LlmClient | None,
                       settings: LlmSettings, engine: EngineSettings,
                       spend_clock: Clock | None = None) -> LlmBacktestResult:
    """Replay candles (1m) through the loop with the LLM deciding; replies cached in store.

    A backtest spends real money on cache misses only. With spend_clock (the wall clock), they count against
    today's budget in store, with the bot's own calls, and once it is spent a miss falls back like a live
    decision (source budget); without it, no budget applies.
    """
    journal = DecisionJournal(store, run.run)
    llm = replace(settings, read_cache=True, budget=settings.budget if spend_clock is not None else BudgetSettings())
    with tempfile.TemporaryDirectory(prefix="llm-backtest-") as folder:
        scratch = SqliteStore(Path(folder) / "loop.sqlite", ManualClock(run.start_ms))
        await scratch.open()
        try:
            return await _replay(run, candles, scratch, journal, client, llm, engine,
                                 store if spend_clock is not None else None, spend_clock)
        finally:
            await scratch.close()


async def _replay(run: LlmBacktestRun, candles: Candles, scratch: SqliteStore, journal: DecisionJournal,
                  client: LlmClient | None, settings: LlmSettings, engine: EngineSettings,
                  spend: SqliteStore | None = None, spend_clock: Clock | None = None) -> LlmBacktestResult:
    clock = ManualClock(run.start_ms)
    market = ReplayMarketData({run.symbol: candles}, clock, "llm backtest")
    instruments = await market.instruments()
    instrument = instruments[run.symbol]
    events = EventBus(scratch)
    build = PaperBroker.futures if instrument.kind is MarketKind.PERP else PaperBroker.spot
    venue = PaperFeed(events, clock, lambda sink: build(instruments, run.starting_balance, on_event=sink,
                                                        clock=clock))
    calls_before = client.calls if client is not None else 0
    decider = OpenAIDecider(client, journal, settings, state=spend, notify=None, spend_clock=spend_clock)
    loop_settings = LoopSettings((run.symbol,), WINDOWS, run.base, decision_timeout_s=3600.0,
                                 reviews=ReviewSettings(settings.max_size_pct, quote=instrument.quote,
                                                        base_timeframe=run.base))
    loop = TradingLoop(clock, market, venue.broker, default_book(), decider, TradingEngine(engine), events, scratch,
                       instruments, loop_settings, venue=venue, journal=journal)
    await market.poll([run.symbol], [run.base])
    await loop.start()
    while clock.now_ms() < run.end_ms:
        clock.advance(run.base.ms)
        await loop.on_candles_closed(await market.poll([run.symbol], [run.base]))
        await loop.settle()
    last = Decimal(repr(float(candles.closed_before(run.end_ms - Timeframe.M1.ms + 1).close[-1])))
    decisions = tuple(await journal.since(run.start_ms))
    fills = len(await scratch.events(EventKind.ORDER_FILLED, limit=1_000_000))
    scored = [ScoredDecision(d.mark or last, d.action, d.shadow_action, d.called) for d in decisions]
    cost = sum((d.cost_usd for d in decisions), Decimal(0))
    return LlmBacktestResult(run, settings.model, venue.broker.equity({run.symbol: last}), fills, decisions,
                             score(scored, last, instrument.taker_fee), cost,
                             (client.calls if client is not None else 0) - calls_before)

