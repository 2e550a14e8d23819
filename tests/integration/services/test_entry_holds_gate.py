"""Entry holds live in the one entry gate: a paused live process (or the user's /pause) refuses a manual /buy,
a resting entry at its fill, the loop's entries and an LLM's, each naming the hold and how to lift it; /sell and
/close still go through. (Approval cards at the press and at the code: tests/e2e/test_live_approvals.py.)

Real BTC/USDT minutes of 2025-07-01 (paper account) and of the 2025-08-14 sell-off (loop), as their rigs say.
"""
from __future__ import annotations

import re
from decimal import Decimal as D

import pytest

from tests.fakes.loop_rig import build_rig
from tests.fakes.market_stretches import SELL_OFF, SPOT, long_signal, minutes_around
from tests.fakes.openai_api import FakeOpenAI, decision
from tests.fakes.paper_account import JULY_1_NOON_MS, paper_account
from tests.fakes.scripted_strategy import ScriptedStrategy
from tests.fakes.symbol_views import T_VIEW
from trading.adapters.sqlite_decisions import DecisionJournal
from trading.domain.candles import MINUTE_MS, Timeframe
from trading.domain.errors import EntryRefused
from trading.domain.events import EventKind
from trading.domain.manual_orders import Size, SizeKind
from trading.domain.orders import OrderStatus
from trading.services.entry_holds import EntryHolds
from tests.integration.llm.test_llm_paper_loop import SYMBOL, rig_for

LIVE_PAUSED = "Live trading is paused (a live process always starts paused). /live on and a code lift it."


async def test_a_paused_live_process_refuses_a_buy_and_a_resting_fill_by_name_and_still_sells_and_closes(tmp_path):
    account = await paper_account(tmp_path)
    try:
        await account.portfolio.buy("BTC/USDT", D("200"))
        resting = await account.portfolio.buy("BTC/USDT", D("100"), limit=D("106600"))
        holds = EntryHolds(True, account.store, account.events, account.clock, account.engine)  # starts paused
        with pytest.raises(EntryRefused, match=f"^Not opened: {re.escape(LIVE_PAUSED)}") as refused:
            await account.portfolio.buy("BTC/USDT", D("100"))
        with pytest.raises(EntryRefused, match=f"^Not opened: {re.escape(LIVE_PAUSED)}"):
            await account.portfolio.buy("BTC/USDT", D("100"), limit=D("200000"))
        account.clock.set(JULY_1_NOON_MS + MINUTE_MS)       # the 12:00 bar trades through the resting limit
        candles = await account.market.candles("BTC/USDT", Timeframe.M1, 1)
        await account.venue.on_candles([("BTC/USDT", Timeframe.M1, candles)])
        sold = await account.portfolio.sell("BTC/USDT", Size(SizeKind.PERCENT, D(50)))
        closed = await account.portfolio.close("BTC/USDT")
        await holds.live_on("user:1")
        bought = await account.portfolio.buy("BTC/USDT", D("100"))
    finally:
        await account.close()
    assert refused.value.rule == "entry_hold"
    [cancelled] = account.pushed.of(EventKind.ORDER_CANCELLED)
    assert cancelled.message.startswith(f"Order {resting.id} (buy 0.00093 BTC/USDT) cancelled: not filled: "
                                        f"{LIVE_PAUSED}")
    assert (sold.status, closed.status, bought.status) == (OrderStatus.FILLED,) * 3


async def test_a_user_pause_holds_the_loops_entries_by_name_until_it_is_lifted(tmp_path):
    # targets far enough to clear reward:risk 1.5 after fees and slippage (about 1.9R net)
    signals = [long_signal(SELL_OFF + 20 * MINUTE_MS, "119307.02", "118300", "122000", "while-paused"),
               long_signal(SELL_OFF + 45 * MINUTE_MS, "119249.19", "118200", "122000", "after-resume")]
    rig = await build_rig(tmp_path, minutes_around(SELL_OFF), SPOT, SELL_OFF + 10 * MINUTE_MS,
                          [ScriptedStrategy(signals)])
    try:
        holds = EntryHolds(False, rig.store, rig.loop.events, rig.clock, rig.engine)
        await holds.pause("user:7")
        await rig.run_until(SELL_OFF + 21 * MINUTE_MS)
        held = [(e.data["rule"], e.message) for e in await rig.audit(EventKind.RISK_LIMIT)]
        opened_while_paused = await rig.broker.positions()
        await holds.unpause("user:7")
        await rig.run_until(SELL_OFF + 46 * MINUTE_MS)
    finally:
        await rig.close()
    assert opened_while_paused == [] and len(held) == 1
    assert held[0][0] == "entry_hold" and "New entries are paused by Telegram user 7. /resume lifts it." in held[0][1]
    assert len(rig.notified(EventKind.POSITION_OPENED)) == 1


async def test_a_paused_live_process_does_not_ask_the_llm_and_buys_nothing(tmp_path):
    async with FakeOpenAI() as fake:
        fake.default = decision("BUY", 0.9, size_pct=10)
        rig = await rig_for(tmp_path, fake)
        try:
            EntryHolds(True, rig.store, rig.loop.events, rig.clock, rig.engine)
            await rig.run_until(T_VIEW + 3 * MINUTE_MS)
            rows = await DecisionJournal(rig.store).page(SYMBOL, None, 10)
            positions = await rig.broker.positions()
        finally:
            await rig.close()
    assert fake.calls == [] and positions == [] and rows and {r.source for r in rows} == {"risk_blocked"}
    assert LIVE_PAUSED in rows[0].reason
