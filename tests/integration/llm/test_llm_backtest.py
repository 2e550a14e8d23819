"""An LLM backtest on real candles through the fake server; its rerun reads the cache and reproduces it offline."""
from decimal import Decimal as D

from tests.fakes.openai_api import FakeOpenAI, Received, Reply, decision
from tests.fakes.symbol_views import T_VIEW, bundled_btc
from trading.adapters.clocks import ManualClock
from trading.adapters.openai_client import LlmClient
from trading.adapters.sqlite_decisions import DecisionJournal
from trading.adapters.sqlite_store import SqliteStore
from trading.engine.engine_state import EngineSettings
from trading.engine.llm_settings import LlmSettings
from trading.services.llm_backtest import LlmBacktestRun, llm_backtest

HOUR = 3_600_000


def trader(seen: Received) -> Reply:
    """Buy when flat, sell when held and the last decision is an hour old: a model whose answer follows its prompt."""
    if "Position: none" in seen.prompt:
        return decision("BUY", 0.9, size_pct=20, reasoning="flat: buy")
    if seen.prompt.count("BUY (") and "min ago" in seen.prompt:
        return decision("SELL", 0.9, size_pct=100, reasoning="held an hour: sell")
    return decision("HOLD", 0.8)


def run_named(name: str) -> LlmBacktestRun:
    return LlmBacktestRun("BTC/USDT", T_VIEW, T_VIEW + 8 * HOUR, name)


async def test_a_cached_llm_backtest_reproduces_exactly_offline(tmp_path):
    store = SqliteStore(tmp_path / "trading.sqlite", ManualClock(T_VIEW))
    await store.open()
    settings = LlmSettings("fake-model")
    try:
        async with FakeOpenAI(default=trader) as fake:
            client = LlmClient("fake-model", base_url=fake.base_url, timeout_s=5.0)
            first = await llm_backtest(run_named("backtest:1"), bundled_btc(), store, client, settings,
                                       EngineSettings())
            await client.close()
            served = len(fake.calls)
        # the server is gone: the rerun can only read the cache
        again = await llm_backtest(run_named("backtest:2"), bundled_btc(), store, None,
                                   LlmSettings("fake-model", cache_only=True), EngineSettings())
        exported = await DecisionJournal(store).export_cache(tmp_path / "cache.jsonl")
    finally:
        await store.close()
    assert first.calls == served > 0 and again.calls == 0
    assert "cache_miss" not in again.sources
    assert [(d.ts_ms, d.action, d.source, d.reply) for d in again.decisions] == \
           [(d.ts_ms, d.action, d.source, d.reply) for d in first.decisions]
    assert again.final_equity == first.final_equity and again.fills == first.fills >= 2
    assert again.score == first.score and first.score.compared >= 2
    assert exported == served
    text = first.text(D("0.001"))
    assert "LLM vs rules" in text and "agreement" in text and f"Server calls this run: {served}" in text


async def test_cache_only_holds_on_a_miss_without_any_server(tmp_path):
    store = SqliteStore(tmp_path / "trading.sqlite", ManualClock(T_VIEW))
    await store.open()
    try:
        result = await llm_backtest(LlmBacktestRun("BTC/USDT", T_VIEW, T_VIEW + HOUR, "backtest:x"), bundled_btc(),
                                    store, None, LlmSettings("fake-model", cache_only=True), EngineSettings())
    finally:
        await store.close()
    assert result.fills == 0 and result.final_equity == D("10000")
    assert result.sources.get("cache_miss", 0) >= 1 and set(result.sources) <= {"cache_miss", "skipped"}


async def test_its_server_calls_count_in_todays_budget_and_stop_when_it_is_spent_while_cached_replies_stay_free(
        tmp_path):
    from dataclasses import replace

    from trading.engine.llm_budget import BudgetSettings, Prices

    today = ManualClock(1_765_000_000_000)              # the wall clock's day, not the candles'
    store = SqliteStore(tmp_path / "trading.sqlite", today)
    await store.open()
    priced = LlmSettings("fake-model", budget=BudgetSettings(daily_usd=D("0.002")), prices=Prices(D("1"), D("1")))
    try:
        async with FakeOpenAI(default=lambda seen: replace(trader(seen), prompt_tokens=1000, completion_tokens=0)) \
                as fake:
            client = LlmClient("fake-model", base_url=fake.base_url, timeout_s=5.0)
            first = await llm_backtest(run_named("backtest:1"), bundled_btc(), store, client, priced,
                                       EngineSettings(), spend_clock=today)
            spent = await store.load_state("llm_spend")
            again = await llm_backtest(run_named("backtest:2"), bundled_btc(), store, client, priced,
                                       EngineSettings(), spend_clock=today)
            await client.close()
            served = len(fake.calls)
    finally:
        await store.close()
    # each call is 1,000 tokens at 1 USD a million: the 0.002 USD budget lasts two calls, then every miss falls back
    assert first.calls == 2 and spent["calls"] == 2 and spent["day"] == "2025-12-06"
    assert first.sources.get("budget", 0) >= 1
    assert served == 2 and again.calls == 0            # the rerun: the two cached replies, the rest refused
    assert [d.reply for d in again.decisions if d.reply][:2] == [d.reply for d in first.decisions if d.reply][:2]
