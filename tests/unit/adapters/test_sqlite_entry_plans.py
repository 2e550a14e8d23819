"""The entry plans journal in SQLite: a plan comes back whole under its client id, and goes when dropped."""
from __future__ import annotations

from dataclasses import replace
from decimal import Decimal as D

from tests.fakes.databases import opened_store
from tests.unit.engine.test_entry_tickets import plan
from trading.adapters.sqlite_entry_plans import SqliteEntryPlans
from trading.engine.entry_pipeline import EntryPlan


def _under(client_id: str, **fields: str) -> EntryPlan:
    entry = plan(**fields)
    return replace(entry, intent=replace(entry.intent, client_order_id=client_id), exit_cost_rate=D("0.0022024"),
                   price_tick=D("0.1"))


async def test_journaled_plans_come_back_whole_by_client_id_in_the_order_written_and_go_when_dropped(tmp_path):
    first, second = _under("ta-1", strategy="ict_b", stop="98500"), _under("ta-2", target="106000")
    async with opened_store(tmp_path) as store:
        journal = SqliteEntryPlans(store)
        await journal.write(first, 1_000)
        await journal.write(second, 2_000)
        await journal.write(first, 1_000)            # written again (an approval resent): still one row
        both = await journal.plans()
        await journal.drop(["ta-1", "ta-unknown"])
        await journal.drop([])
        left = await journal.plans()
    assert both == {"ta-1": first, "ta-2": second}
    assert list(both) == ["ta-1", "ta-2"] and both["ta-1"].stop == D("98500")
    assert left == {"ta-2": second}
