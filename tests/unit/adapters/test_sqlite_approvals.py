"""Approvals in SQLite: a bot entry's plan is stored with its card and comes back whole; a manual card has none."""
from __future__ import annotations

from dataclasses import replace
from decimal import Decimal as D

from tests.fakes.databases import opened_store
from tests.unit.engine.test_entry_tickets import BTC, plan
from trading.adapters.sqlite_approvals import SqliteApprovals
from trading.domain.approvals import APPROVAL_ACTION, ENTRY_ACTION, Approval
from trading.domain.confirmations import Confirmation
from trading.domain.manual_orders import approval_client_id
from trading.engine.entry_tickets import plan_ticket
from trading.engine.snapshots import to_plain
from trading.services.entry_proposals import stored_plan


def _card(approval_id: str, action: str, entry=None) -> Approval:
    ticket = plan_ticket(entry or plan(), BTC, D("100500"), 1_000)
    confirmation = Confirmation(approval_id, 7, 7, action, "hash", 1_000, 121_000)
    return Approval(confirmation, ticket, (approval_client_id(approval_id),), "why",
                    plan=to_plain(entry) if entry is not None else None)


async def test_a_bot_entrys_plan_comes_back_whole_with_its_exits_costs_and_strategy(tmp_path):
    entry = replace(plan(strategy="ict_b", reason="swept the lows"), exit_cost_rate=D("0.0022024"),
                    price_tick=D("0.1"))
    async with opened_store(tmp_path) as store:
        approvals = SqliteApprovals(store)
        await approvals.add(_card("card-1", ENTRY_ACTION, entry))
        stored = await approvals.get("card-1")
    assert stored is not None and stored_plan(stored) == entry
    assert (entry.stop, entry.take_profit, entry.signal.strategy) == (D("99000"), D("104000"), "ict_b")


async def test_a_manual_card_stores_no_plan(tmp_path):
    async with opened_store(tmp_path) as store:
        approvals = SqliteApprovals(store)
        await approvals.add(_card("card-2", APPROVAL_ACTION))
        stored = await approvals.get("card-2")
    assert stored is not None and stored.plan is None and stored_plan(stored) is None
