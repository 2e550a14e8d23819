"""Builders for the LLM's side: symbol views on real bundled candles, and an LLM decider on a fake server."""
from __future__ import annotations

import contextlib
from dataclasses import replace
from decimal import Decimal as D
from functools import lru_cache
from pathlib import Path
from typing import Any, AsyncIterator

from tests.fakes.openai_api import FakeOpenAI
from tests.fakes.recording_notifier import RecordingNotifier
from trading.adapters.clocks import ManualClock
from trading.adapters.openai_client import LlmClient
from trading.adapters.openai_decider import OpenAIDecider
from trading.adapters.replay_market_data import bundled_files, read_candle_csv
from trading.adapters.sqlite_decisions import DecisionJournal
from trading.adapters.sqlite_store import SqliteStore
from trading.domain.candles import Candles, Timeframe
from trading.domain.decisions import DecisionRequest, TradeAction
from trading.engine.decision_checks import CheckSettings
from trading.engine.llm_settings import LlmSettings
from trading.engine.symbol_view import AllowedActions, SymbolView
from trading.indicators.timeframes import resample
from trading.services.event_bus import EventBus
from trading.strategies.base import MarketView
from trading.strategies.book import default_book

SYMBOL = "BTC/USDT"
T_VIEW = 1_751_371_200_000          # 2025-07-01 12:00 UTC, inside the bundled sample
ENTRIES = AllowedActions((TradeAction.HOLD, TradeAction.BUY), D("30"))


@lru_cache(maxsize=1)
def bundled_btc() -> Candles:
    """Return the bundled BTC/USDT 1m sample."""
    return read_candle_csv(next(f for f in bundled_files() if f.name.startswith("BTCUSDT")))


def frames_at(ts_ms: int = T_VIEW, minutes: int = 1500) -> dict[Timeframe, Candles]:
    """Return the 1m, 15m and 1h candles closed by ts_ms, as the loop hands them over."""
    closed = bundled_btc().closed_before(ts_ms - Timeframe.M1.ms + 1)
    m1 = closed[-minutes:]
    return {Timeframe.M1: m1, Timeframe.M15: resample(m1, Timeframe.M15), Timeframe.H1: resample(m1, Timeframe.H1)}


def symbol_view(ts_ms: int = T_VIEW, allowed: AllowedActions = ENTRIES, **overrides: Any) -> SymbolView:
    """Return a view of BTC/USDT at ts_ms on real candles: 10,000 USDT, no position, BUY allowed."""
    frames = frames_at(ts_ms)
    picture = default_book().zones(MarketView(SYMBOL, frames))
    mark = D(repr(float(frames[Timeframe.M1].close[-1])))
    base = SymbolView(SYMBOL, ts_ms, mark, frames, allowed, D("10000"), D("10000"), picture=picture)
    return replace(base, **overrides)


def review(view: SymbolView, **overrides: Any) -> DecisionRequest:
    """Return the request of a symbol review of view."""
    return DecisionRequest(view.ts_ms, view=view, **overrides)


@contextlib.asynccontextmanager
async def llm_decider(fake: FakeOpenAI | None, folder: Path, *, timeout_s: float = 2.0, response_format: str = "auto",
                      waits: list[float] | None = None, **settings: Any
                      ) -> AsyncIterator[tuple[OpenAIDecider, DecisionJournal, RecordingNotifier]]:
    """Return a started OpenAIDecider on the fake server (None: cache only), its journal and what it told the user.

    Retry waits are recorded in waits and not slept (the 5xx default of 1 s would slow the suite).
    """
    recorded = waits if waits is not None else []

    async def record_wait(seconds: float) -> None:
        recorded.append(seconds)

    store = SqliteStore(folder / "trading.sqlite", ManualClock(T_VIEW))
    await store.open()
    notes = RecordingNotifier()
    events = EventBus(store)
    events.attach(notes)
    client = None
    if fake is not None:
        client = LlmClient("fake-model", api_key="sk-test-key", base_url=fake.base_url, timeout_s=timeout_s,
                           response_format=response_format, retry_wait_max_s=2.0, sleep=record_wait)
    journal = DecisionJournal(store, settings.pop("run", "live"))
    values: dict[str, Any] = {"checks": CheckSettings(min_confidence=0.65)} | settings
    decider = OpenAIDecider(client, journal, LlmSettings("fake-model", **values), state=store, notify=events.emit)
    await decider.start(T_VIEW)
    try:
        yield decider, journal, notes
    finally:
        await decider.close()
        await store.close()
