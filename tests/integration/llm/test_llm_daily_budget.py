"""One daily LLM budget for every call the product makes: the decider (its start-up format probe too), /ask, the
symbol universe and the sweep's region advisor (in another process) add to the same day's spend, and each is refused
once it is spent, saying what was refused, the budget, when it resets and how to raise it. All through the real
openai SDK and the fake server."""
import asyncio
import json
from dataclasses import replace
from decimal import Decimal as D

from pydantic import SecretStr

from tests.fakes.openai_api import MODEL, FakeOpenAI, ThreadedFakeOpenAI, decision, text
from tests.fakes.symbol_views import T_VIEW, llm_decider, review, symbol_view
from tests.integration.llm.test_llm_region_advisor import answer, summary
from tests.integration.llm.test_universe_service import service
from trading.adapters.clocks import ManualClock
from trading.adapters.llm_region_advisor import LlmRegionAdvisor
from trading.adapters.openai_client import LlmClient
from trading.adapters.sqlite_store import SqliteStore
from trading.backtest.search_region import around_best, next_region
from trading.domain.decisions import DecisionSource
from trading.engine.llm_budget import BudgetSettings, Prices
from trading.services.questions import QuestionDesk

BUDGET = BudgetSettings(daily_usd=D("0.001"), timezone="UTC")
PRICES = Prices(D("1"), D("1"))             # 1 USD per million tokens: 1,000 tokens spend the budget
MINUTE = 60_000
SPENT = ("today's LLM budget of 0.001 USD is spent (0.0012 USD). The budget resets at midnight UTC (in 11 h 30 min); "
         "raise LLM_DAILY_BUDGET_USD in .env to allow more today.")
AT_NOON = SPENT.replace("11 h 30 min", "12 h 00 min")        # the universe's clock reads 12:00


def advisor(fake, folder, now_ms: int = T_VIEW + 30 * MINUTE) -> LlmRegionAdvisor:
    return LlmRegionAdvisor(MODEL, fake.base_url, SecretStr("sk-test"), timeout_s=5,
                            spend_db=str(folder / "trading.sqlite"), budget=BUDGET, prices=PRICES,
                            clock=ManualClock(now_ms))


async def stored_spend(folder) -> dict:
    store = SqliteStore(folder / "trading.sqlite", ManualClock(T_VIEW))
    await store.open()
    try:
        return await store.load_state("llm_spend")
    finally:
        await store.close()


def test_the_region_advisor_counts_its_calls_and_is_not_asked_once_the_budget_is_spent(tmp_path):
    with ThreadedFakeOpenAI() as fake:
        fake.script(text(answer({"left": [4, 5, 6]}), prompt_tokens=1100, completion_tokens=100))
        first = next_region(summary(), advisor(fake, tmp_path))
        second = next_region(summary(), advisor(fake, tmp_path))

    assert first[1] == "advisor"
    assert second == (around_best(summary()), f"rule (the region advisor's request was not sent to the LLM: {SPENT})")
    assert len(fake.calls) == 1                                   # refused before it reached the server
    assert asyncio.run(stored_spend(tmp_path)) == {"day": "2025-07-01", "calls": 1, "tokens": 1200,
                                                   "usd": "0.0012", "told": False}


def test_what_the_advisor_spent_in_another_process_stops_the_decider_and_the_next_day_resets(tmp_path):
    with ThreadedFakeOpenAI() as threaded:
        threaded.script(text(answer({"left": [4, 5, 6]}), prompt_tokens=1200, completion_tokens=0))
        assert next_region(summary(), advisor(threaded, tmp_path))[1] == "advisor"

    async def decide():
        async with FakeOpenAI() as fake, llm_decider(fake, tmp_path, budget=BUDGET, prices=PRICES) as (decider, _, _):
            fake.default = decision("HOLD", 0.9)
            shown = await decider.current_status(T_VIEW + 31 * MINUTE)         # what /status shows
            cut = await decider.decide(review(symbol_view(T_VIEW + 31 * MINUTE)))
            next_day = await decider.decide(review(symbol_view(T_VIEW + 13 * 60 * MINUTE)))
            return shown, cut, next_day, len(fake.calls)

    shown, cut, next_day, calls = asyncio.run(decide())
    assert (shown.calls_today, shown.cost_today) == (1, D("0.0012")) and shown.budget_spent
    assert cut.source is DecisionSource.BUDGET and "today's LLM budget of 0.001 USD is spent" in cut.reason
    assert next_day.source is DecisionSource.MODEL and calls == 1


def test_what_the_decider_spent_stops_the_advisor_the_universe_and_ask(tmp_path):
    async def spend_then_ask():
        async with FakeOpenAI() as fake, llm_decider(fake, tmp_path, budget=BUDGET, prices=PRICES) as (decider, _, _):
            fake.script(replace(decision("HOLD", 0.9), prompt_tokens=1200, completion_tokens=0))
            await decider.decide(review(symbol_view(T_VIEW + 30 * MINUTE)))
            client = LlmClient("fake-model", base_url=fake.base_url)
            universe, store = await service(tmp_path / "universe", client)
            universe.budget = decider
            desk = QuestionDesk(client, decider, None, None, None, None, ManualClock(T_VIEW + 30 * MINUTE), ())
            try:
                picked = await universe.refresh()
                answered = await desk.answer("why did you buy?")
            finally:
                await client.close()
                await store.close()
            return picked, answered, len(fake.calls)

    picked, answered, calls = asyncio.run(spend_then_ask())
    assert calls == 1                                             # the decision; nothing after it
    assert picked.decided_by == "turnover"
    assert picked.reasons == f"top by 24h turnover (The pick of symbols was not sent to the LLM: {AT_NOON})"
    assert (answered.by, answered.text) == ("bot", f"Your question was not sent to the LLM: {SPENT}")
    with ThreadedFakeOpenAI() as threaded:
        region, why = next_region(summary(), advisor(threaded, tmp_path))
    assert why == f"rule (the region advisor's request was not sent to the LLM: {SPENT})" and threaded.calls == []


def test_the_universe_counts_its_pick_against_the_budget(tmp_path):
    async def pick():
        async with FakeOpenAI(probe_reply=PROBE) as fake, \
                llm_decider(fake, tmp_path, budget=BUDGET, prices=PRICES) as (decider, _, _):
            fake.script(text(json.dumps({"symbols": ["ETH/USDT"], "reasons": "movement"}), prompt_tokens=500,
                             completion_tokens=100))
            client = LlmClient("fake-model", base_url=fake.base_url)
            universe, store = await service(tmp_path / "universe", client)
            universe.budget = decider
            try:
                await universe.refresh()
                spend = decider.spend
            finally:
                await client.close()
                await store.close()
            return spend

    spend = asyncio.run(pick())
    assert (spend.calls, spend.tokens, spend.usd) == (2, 620, D("0.00062"))        # the start-up probe, then the pick
    assert asyncio.run(stored_spend(tmp_path))["tokens"] == 620        # where every other process reads it


PROBE = text('{"ok": true}', prompt_tokens=15, completion_tokens=5)


def test_the_start_up_format_probe_counts_against_the_budget(tmp_path):
    async def start():
        async with FakeOpenAI(probe_reply=PROBE) as fake, \
                llm_decider(fake, tmp_path, budget=BUDGET, prices=PRICES) as (decider, _, _):
            return decider.spend, decider.status(T_VIEW).reply_format, len(fake.probes)

    spend, label, probes = asyncio.run(start())
    assert probes == 1 and label == "json_schema (found by probe)"
    assert (spend.calls, spend.tokens, spend.usd) == (1, 20, D("0.00002"))
    assert asyncio.run(stored_spend(tmp_path)) == {"day": "2025-07-01", "calls": 1, "tokens": 20, "usd": "0.00002",
                                                   "told": False}


def test_a_spent_budget_skips_the_probe_and_start_up_says_the_format_was_not_checked(tmp_path):
    with ThreadedFakeOpenAI() as threaded:
        threaded.script(text(answer({"left": [4, 5, 6]}), prompt_tokens=1200, completion_tokens=0))
        assert next_region(summary(), advisor(threaded, tmp_path))[1] == "advisor"

    async def start():
        async with FakeOpenAI(probe_reply=PROBE) as fake, \
                llm_decider(fake, tmp_path, budget=BUDGET, prices=PRICES) as (decider, _, _):
            said = await decider.start(T_VIEW)            # what start-up logs (the rig's own start was refused too)
            label = decider.status(T_VIEW).reply_format
            fake.script(decision("HOLD", 0.9))
            next_day = await decider.decide(review(symbol_view(T_VIEW + 13 * 60 * MINUTE)))
            return said, label, next_day, len(fake.probes), fake.calls

    said, label, next_day, probes, calls = asyncio.run(start())
    assert said == (f"structured output not checked. The format probe was not sent to the LLM: "
                    f"{AT_NOON} The first LLM call the budget allows will find it.")
    assert probes == 0 and label == "auto: not probed yet"
    assert next_day.source is DecisionSource.MODEL and calls[0].response_format == "json_schema"
    assert asyncio.run(stored_spend(tmp_path))["day"] == "2025-07-02"       # the next day's decision was counted


def test_the_bots_llm_calls_on_a_replay_count_on_todays_date_not_the_replays(tmp_path):
    """A paper bot replaying history reviews candles of a past day, but pays for its calls today: counted on the
    candle's day, the decision replaced today's stored spend (the advisor's here) with a past day's, and /ask on
    the replay's clock found that past day's budget open again."""
    from datetime import datetime, timezone

    from trading.adapters.sqlite_decisions import DecisionJournal
    from trading.bootstrap import llm_decider as bots_decider
    from trading.services.event_bus import EventBus
    from trading.settings import Settings

    today = datetime.now(timezone.utc).strftime("%Y-%m-%d")
    now_ms = int(datetime.now(timezone.utc).timestamp() * 1000)
    with ThreadedFakeOpenAI() as threaded:       # another process spends 600 tokens today
        threaded.script(text(answer({"left": [4, 5, 6]}), prompt_tokens=600, completion_tokens=0))
        assert next_region(summary(), advisor(threaded, tmp_path, now_ms=now_ms))[1] == "advisor"

    async def decide():
        async with FakeOpenAI(probe_reply=PROBE) as fake:
            settings = Settings(_env_file=None, openai_api_key="sk-test", openai_base_url=fake.base_url,
                                llm_model=MODEL, llm_daily_budget_usd="0.001", llm_price_per_1m_input="1",
                                llm_price_per_1m_output="1", timezone="UTC")
            store = SqliteStore(tmp_path / "trading.sqlite", ManualClock(T_VIEW))
            await store.open()
            try:
                decider = await bots_decider(settings, DecisionJournal(store, "paper"), store, EventBus(store))
                fake.script(replace(decision("HOLD", 0.9), prompt_tokens=500, completion_tokens=0))
                made = await decider.decide(review(symbol_view(T_VIEW + 30 * MINUTE)))      # 2025-07-01
                shown = decider.status(T_VIEW + 30 * MINUTE)
                # /ask on the replay's clock: today's budget is spent, whatever day the replay is on
                desk = QuestionDesk(decider.client, decider, None, None, None, None,
                                    ManualClock(T_VIEW + 31 * MINUTE), ())
                fake.script(text("because", prompt_tokens=100, completion_tokens=0))
                asked = await desk.answer("why did you hold?")
                await decider.client.close()
                return made, shown, asked, len(fake.calls)
            finally:
                await store.close()

    made, shown, asked, calls = asyncio.run(decide())
    assert made.source is DecisionSource.MODEL and calls == 1
    assert asked.by == "bot" and asked.text.startswith("Your question was not sent to the LLM: today's LLM budget")
    assert asyncio.run(stored_spend(tmp_path)) == {"day": today, "calls": 3, "tokens": 1120, "usd": "0.00112",
                                                   "told": False}
    assert (shown.calls_today, shown.cost_today) == (3, D("0.00112")) and shown.budget_spent
