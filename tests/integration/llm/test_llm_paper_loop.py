"""A paper loop where an LLM decides: its BUY becomes an order through the entry gate, its SELL reduces."""
import asyncio
from decimal import ROUND_DOWN, Decimal as D

from tests.fakes.loop_rig import build_rig
from tests.fakes.openai_api import FakeOpenAI, decision
from tests.fakes.symbol_views import T_VIEW, bundled_btc
from trading.adapters.openai_client import LlmClient
from trading.adapters.openai_decider import OpenAIDecider
from trading.adapters.sqlite_decisions import DecisionJournal
from trading.domain.candles import Timeframe
from trading.domain.events import EventKind
from trading.engine.decision_schedule import ScheduleSettings
from trading.engine.llm_settings import LlmSettings
from trading.services.symbol_reviews import ReviewSettings

MINUTE = 60_000
SYMBOL = "BTC/USDT"


def llm(fake: FakeOpenAI, **settings):
    def build(store, events):
        client = LlmClient("fake-model", api_key="sk-test", base_url=fake.base_url, timeout_s=2.0)
        values = dict(schedule=ScheduleSettings(max_age_ms=30 * MINUTE)) | settings
        return OpenAIDecider(client, DecisionJournal(store), LlmSettings("fake-model", **values), state=store,
                             notify=events.emit)
    return build


async def rig_for(tmp_path, fake, **settings):
    return await build_rig(tmp_path, bundled_btc(), SYMBOL, T_VIEW, [], windows={Timeframe.M1: 300},
                           decider=llm(fake, **settings), reviews=ReviewSettings(max_size_pct=D("30")),
                           journal=DecisionJournal)


async def test_the_llm_buy_goes_through_the_gate_sized_to_its_share_and_its_sell_halves_the_position(tmp_path):
    async with FakeOpenAI() as fake:
        fake.default = decision("HOLD", 0.9)
        fake.script(decision("BUY", 0.9, size_pct=10, reasoning="demand holds"))
        rig = await rig_for(tmp_path, fake)
        try:
            await rig.run_until(T_VIEW + 2 * MINUTE)
            positions = await rig.broker.positions()
            journal = DecisionJournal(rig.store)
            first = (await journal.page(SYMBOL, None, 50))[-1]
            calls_after_entry = len(fake.calls)
            await rig.run_until(T_VIEW + 20 * MINUTE)          # nothing moved enough: no call, HOLD skipped
            quiet_calls = len(fake.calls)
            fake.script(decision("SELL", 0.9, size_pct=50, reasoning="momentum fades"))
            await rig.run_until(T_VIEW + 34 * MINUTE)          # the last call is 30 min old: asked again
            after_sell = await rig.broker.positions()
            rows = await journal.page(SYMBOL, None, 100)
        finally:
            await rig.close()
    mark = first.mark
    assert first.action == "BUY" and first.verdict == "allowed: order sent" and first.order_id.startswith("ta-")
    assert first.shadow_action == "HOLD"                        # the rules had no signal to act on
    expected = (D("10000") * D("0.10") / mark).quantize(D("0.00001"), ROUND_DOWN)   # 10% of equity at the mark
    assert len(positions) == 1 and positions[0].amount == expected
    entered = rig.notified(EventKind.POSITION_OPENED)
    assert entered and "[llm]" in entered[0] and "demand holds" in entered[0]
    assert calls_after_entry == 1 and quiet_calls == 1
    assert {r.source for r in rows if r.prompt is None} == {"skipped"}
    sell = next(r for r in rows if r.action == "SELL")
    assert sell.verdict == "allowed (reducing): order sent"
    assert after_sell[0].amount == expected - (expected / 2).quantize(D("0.00001"), ROUND_DOWN)


async def test_a_buy_the_gate_refuses_is_stored_with_the_rule_that_refused_it(tmp_path):
    async with FakeOpenAI() as fake:
        rig = await rig_for(tmp_path, fake)
        try:
            mark = D(repr(float(bundled_btc().closed_before(T_VIEW + 1).close[-1])))
            # a stop 0.05% away: the round-trip fees (0.2%) would eat several times the risk
            fake.script(decision("BUY", 0.9, size_pct=10, stop_price=float(mark * D("0.9995"))))
            await rig.run_until(T_VIEW + 2 * MINUTE)
            rows = await DecisionJournal(rig.store).page(SYMBOL, None, 10)
            positions = await rig.broker.positions()
        finally:
            await rig.close()
    buy = next(r for r in rows if r.action == "BUY")
    assert buy.verdict.startswith("refused by fees") and buy.order_id == "" and positions == []


async def test_with_the_kill_switch_on_the_llm_is_not_asked_and_nothing_is_bought(tmp_path):
    async with FakeOpenAI() as fake:
        fake.default = decision("BUY", 0.9, size_pct=10)
        rig = await rig_for(tmp_path, fake)
        try:
            await rig.loop.kill(False, "test", "stop everything")
            await rig.run_until(T_VIEW + 3 * MINUTE)
            rows = await DecisionJournal(rig.store).page(SYMBOL, None, 10)
            positions = await rig.broker.positions()
        finally:
            await rig.close()
    assert fake.calls == [] and positions == []
    assert rows and {r.source for r in rows} == {"risk_blocked"} and "kill switch is on" in rows[0].reason.lower()


async def test_the_kill_switch_closes_the_position_at_once_while_an_llm_call_hangs(tmp_path):
    from tests.fakes.openai_api import late
    async with FakeOpenAI() as fake:
        fake.default = decision("HOLD", 0.9)
        fake.script(decision("BUY", 0.9, size_pct=10))
        rig = await rig_for(tmp_path, fake)
        try:
            await rig.run_until(T_VIEW + 2 * MINUTE)
            assert len(await rig.broker.positions()) == 1
            fake.script(late(5.0))                           # the next call hangs past the client's timeout
            await rig.run_until(T_VIEW + 33 * MINUTE, settle=False)   # 30 min later: a review is asked for
            await fake.wait_for_calls(2)
            started = asyncio.get_running_loop().time()
            await asyncio.wait_for(rig.loop.kill(True, "test", "flatten now"), 1.0)
            took = asyncio.get_running_loop().time() - started
            await rig.run_until(T_VIEW + 34 * MINUTE, settle=False)
            flat = await rig.broker.positions()
            await rig.loop.settle()
        finally:
            await rig.close()
    assert took < 1.0 and flat == []


async def test_a_futures_llm_buy_with_no_stop_is_stopped_and_sized_at_the_hard_stop_of_its_leverage(tmp_path):
    perp = "BTC/USDT:USDT"
    async with FakeOpenAI() as fake:
        fake.default = decision("HOLD", 0.9)
        fake.script(decision("BUY", 0.9, size_pct=100, reasoning="demand holds"))
        rig = await build_rig(tmp_path, bundled_btc(), perp, T_VIEW, [], futures=True, windows={Timeframe.M1: 300},
                              decider=llm(fake), reviews=ReviewSettings(max_size_pct=D("100")),
                              journal=DecisionJournal)
        try:
            await rig.run_until(T_VIEW + 2 * MINUTE)
            guard = rig.engine.state.positions[perp]
            first = (await DecisionJournal(rig.store).page(perp, None, 50))[-1]
        finally:
            await rig.close()
    # the default 10% hard stop at the default 5x is a 2% move (not 10%): at the mark 106,593.58 the stop is
    # 106,593.58 x 0.98 = 104,461.7084 -> 104,461.71 up on the tick; 2% of 10,000 equity risked over
    # 106,593.58 - 104,461.71 = 2,131.87 is 200 / 2,131.87 = 0.093814 -> 0.09381 BTC (a 10% move: 0.01876)
    assert first.mark == D("106593.58") and first.verdict == "allowed: order sent"
    assert (guard.stops.leverage, guard.stops.stop, guard.amount) == (5, D("104461.71"), D("0.09381"))


async def test_an_llm_sell_of_90_percent_that_would_strand_the_rest_below_the_minimum_sells_it_all(tmp_path):
    async with FakeOpenAI() as fake:
        fake.default = decision("HOLD", 0.9)
        fake.script(decision("BUY", 0.9, size_pct=0.2, reasoning="a small one"))
        rig = await rig_for(tmp_path, fake)
        try:
            await rig.run_until(T_VIEW + 2 * MINUTE)
            bought = await rig.broker.positions()
            fake.script(decision("SELL", 0.9, size_pct=90, reasoning="mostly out"))
            await rig.run_until(T_VIEW + 34 * MINUTE)          # the last call is 30 min old: asked again
            after_sell = await rig.broker.positions()
            sell = next(r for r in await DecisionJournal(rig.store).page(SYMBOL, None, 100) if r.action == "SELL")
        finally:
            await rig.close()
    # 0.2% of 10,000 is 20 USDT: 0.00018 BTC near 106,600; 90% of it, 0.000162 -> 0.00016 on the step, would leave
    # 0.00002 BTC (~2 USDT), below the smallest sell 5 / ~106,600 -> 0.00005 BTC: every later stop would be refused
    assert [p.amount for p in bought] == [D("0.00018")] and after_sell == []
    assert sell.verdict == ("allowed (reducing): order sent; the rest, 0.00002 BTC, would be below the smallest "
                            "order 0.00005 BTC: the whole position exits")
