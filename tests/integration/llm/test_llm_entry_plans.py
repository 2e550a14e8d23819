"""The LLM's entries journal their plans before the order leaves, like the strategies' (a restart arms them)."""
from decimal import Decimal as D

from tests.fakes.openai_api import FakeOpenAI, decision
from tests.integration.llm.test_llm_paper_loop import MINUTE, rig_for
from tests.fakes.symbol_views import T_VIEW
from trading.adapters.sqlite_decisions import DecisionJournal

SYMBOL = "BTC/USDT"


async def test_the_llm_s_entry_plan_is_journaled_under_its_client_id_and_dropped_once_the_state_is_saved(tmp_path):
    async with FakeOpenAI() as fake:
        fake.default = decision("HOLD", 0.9)
        fake.script(decision("BUY", 0.9, size_pct=10, stop_price=104000, reasoning="demand holds"))
        rig = await rig_for(tmp_path, fake)
        try:
            # what the journal held, and how many orders the paper account had, at each write
            await rig.store.db.executescript(
                "CREATE TABLE seen (client_order_id TEXT, plan_json TEXT, orders INTEGER);"
                "CREATE TRIGGER journaled AFTER INSERT ON entry_plans BEGIN INSERT INTO seen VALUES "
                "(NEW.client_order_id, NEW.plan_json, (SELECT COUNT(*) FROM events WHERE kind = 'order_placed')); END;")
            await rig.run_until(T_VIEW + 2 * MINUTE)
            async with rig.store.db.execute("SELECT client_order_id, plan_json, orders FROM seen") as cursor:
                seen = await cursor.fetchall()
            async with rig.store.db.execute("SELECT COUNT(*) FROM entry_plans") as cursor:
                left = (await cursor.fetchone())[0]
            first = (await DecisionJournal(rig.store).page(SYMBOL, None, 50))[-1]
            guard = rig.engine.state.positions[SYMBOL]
        finally:
            await rig.close()
    assert first.action == "BUY" and first.verdict == "allowed: order sent"
    ((client_id, plan, orders_before),) = seen
    assert client_id == first.order_id == guard.key and orders_before == 0      # written before the order left
    assert '"strategy": "llm"' in plan and '"stop": "104000"' in plan and guard.stops.stop == D("104000")
    assert left == 0                                   # the saved engine state holds the position now
