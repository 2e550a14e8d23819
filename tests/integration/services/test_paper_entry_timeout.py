"""Paper rehearses live: an entry limit of the engine's own (an LLM's BUY as a limit) unfilled after
LIMIT_ORDER_TIMEOUT_MINUTES (10) is cancelled by the same rule as live (PositionSync), whether it was sent by itself
or approved on a card (an approval's client id), and the engine lets its pending entry go with live's notice.
The user's own resting limits are no entries of the engine's: they rest (test_live_entry_timeout is the live twin).

The paper futures loop (tests/fakes/loop_rig.py) on the real BTCUSDT 1m candles of the 2025-07-10 squeeze
(21:16 close 113,691.10, rising): a buy limit at 105,000 never fills.
"""
from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

import pytest

from tests.fakes.loop_rig import LoopRig, build_rig
from tests.fakes.market_stretches import PERP, SQUEEZE, long_signal, minutes_around
from tests.integration.services.test_live_entry_timeout import LIMIT_BUY
from trading.domain.candles import MINUTE_MS
from trading.domain.client_ids import approval_client_id
from trading.domain.orders import OrderIntent, OrderStatus, OrderType, Side
from trading.engine.engine_state import EngineSettings
from trading.engine.entry_pipeline import AccountView, EntryPlan
from trading.engine.llm_orders import capped_plan

CANCELLED = "the order was cancelled before it filled: not filled within 10 min"


async def _paper(tmp_path: Path, settings: EngineSettings = EngineSettings()) -> LoopRig:
    rig = await build_rig(tmp_path, minutes_around(SQUEEZE), PERP, SQUEEZE - 2 * MINUTE_MS, [], futures=True,
                          settings=settings)
    await rig.run_until(SQUEEZE)
    return rig


async def _llm_limit_entry(rig: LoopRig, client_id: str | None = None) -> str:
    """Send the LLM's limit buy at 105,000 as the loop sends its own entries; return its client id."""
    instruments = await rig.market.instruments()
    signal = long_signal(SQUEEZE, "113691.10", "100000", "140000", "dip", PERP)
    plan = rig.engine.plan_entry(signal, LIMIT_BUY, AccountView(D(10_000), D(10_000), {}, instruments),
                                 SQUEEZE, None, D("113691.10"))
    assert isinstance(plan, EntryPlan)
    plan = capped_plan(plan, LIMIT_BUY, D(10_000), instruments[PERP])
    assert (plan.intent.type, plan.intent.price) == (OrderType.LIMIT, D("105000"))
    client_id = client_id or plan.intent.client_order_id
    await rig.loop.enter_approved(plan, client_id)
    assert list(rig.engine.state.pending) == [client_id] and rig.engine.state.busy(PERP)
    return client_id


@pytest.mark.parametrize("approved", [False, True], ids=["autonomous", "approved-on-a-card"])
async def test_a_paper_engine_entry_limit_past_the_timeout_is_cancelled_and_its_pending_entry_released(
        tmp_path: Path, approved: bool) -> None:
    rig = await _paper(tmp_path)
    client_id = await _llm_limit_entry(rig, approval_client_id("7") if approved else None)

    await rig.run_until(SQUEEZE + 9 * MINUTE_MS)
    assert list(rig.engine.state.pending) == [client_id]      # not yet: 9 minutes

    await rig.run_until(SQUEEZE + 11 * MINUTE_MS)
    # before: nothing expired it in paper (nor an approved one live): the symbol stayed busy for ever
    assert rig.engine.state.pending == {} and not rig.engine.state.busy(PERP)
    order = await rig.broker.find_by_client_id(client_id, PERP)
    assert order is not None and (order.status, order.filled) == (OrderStatus.CANCELLED, 0)
    assert await rig.broker.open_orders() == [] and await rig.broker.positions() == []
    assert rig.notified() == [f"Entry order for {PERP} failed: {CANCELLED}"]
    await rig.close()


async def test_the_user_s_own_resting_limits_are_not_timed_out_in_paper(tmp_path: Path) -> None:
    rig = await _paper(tmp_path)
    mine = [await rig.broker.place(OrderIntent(PERP, Side.BUY, OrderType.LIMIT, amount=D("0.00100"),
                                               price=D("100000"), client_order_id=client_id))
            for client_id in ("manual-0123456789abcdef", approval_client_id("8"))]
    await rig.run_until(SQUEEZE + 30 * MINUTE_MS)
    assert sorted(o.id for o in await rig.broker.open_orders()) == sorted(o.id for o in mine)
    await rig.close()


async def test_a_zero_timeout_lets_an_engine_entry_limit_wait(tmp_path: Path) -> None:
    rig = await _paper(tmp_path, EngineSettings(entry_timeout_ms=0))
    client_id = await _llm_limit_entry(rig)
    await rig.run_until(SQUEEZE + 30 * MINUTE_MS)
    assert list(rig.engine.state.pending) == [client_id]
    await rig.close()
