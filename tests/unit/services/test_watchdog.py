"""The watchdog: one alert when a part goes wrong, one when it recovers, nothing in between."""
import asyncio

import pytest

from tests.fakes.databases import opened_store
from trading.adapters.clocks import ManualClock
from trading.domain.decisions import Action, Decision, DecisionRequest
from trading.domain.health import EndpointStats
from trading.services.event_bus import EventBus
from trading.services.watchdog import WatchedDecisions, Watchdog


class Flaky:
    def __init__(self):
        self.fail = True

    async def decide(self, request):
        if self.fail:
            raise ConnectionError("LLM down")
        return Decision(Action.SKIP, 0.5, "ok", "llm")


async def messages(store):
    async with store.db.execute("SELECT message FROM events ORDER BY id") as cursor:
        return [m for (m,) in await cursor.fetchall()]


async def test_loop_stall_failing_decisions_and_a_degraded_exchange_alert_once_and_recover(tmp_path):
    async with opened_store(tmp_path) as store:
        clock, ticked, endpoints = ManualClock(1_000_000), {"ms": None}, {}
        flaky = Flaky()
        decisions = WatchedDecisions(flaky)
        dog = Watchdog(lambda: ticked["ms"], lambda: endpoints, decisions, EventBus(store), clock, 60_000)
        await dog.check()
        clock.advance(61_000)
        for _ in range(3):
            with pytest.raises(ConnectionError):
                await decisions.decide(DecisionRequest(1))
        endpoints["fetch_ticker"] = EndpointStats(calls=3, errors=3, consecutive_errors=3, last_error="503")
        await dog.check()
        await dog.check()
        ticked["ms"], flaky.fail = clock.now_ms(), False
        await decisions.decide(DecisionRequest(1))
        endpoints["fetch_ticker"] = EndpointStats(calls=4, errors=3, consecutive_errors=0)
        await dog.check()
        said = await messages(store)
    assert said[0].startswith("⚠️ Watchdog: the trading loop has not ticked for 61 s")
    assert "decision maker failed 3 times in a row (ConnectionError)" in said[1]
    assert "fetch_ticker failed 3 times in a row (503)" in said[2]
    assert sorted(said[3:]) == ["✅ Watchdog: the decision maker answers again.",
                                "✅ Watchdog: the exchange connection has recovered.",
                                "✅ Watchdog: the trading loop is ticking again."]


async def test_a_decision_cut_off_by_its_deadline_counts_as_a_failure():
    class Slow:
        async def decide(self, request):
            await asyncio.sleep(10)

    decisions = WatchedDecisions(Slow())
    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(decisions.decide(DecisionRequest(1)), 0.01)
    assert decisions.failures == 1 and decisions.last_error == "no answer in time"
