"""The live wallet is read at the marks, the book changes at each fill: between the two, the summary says it is not
settled, and the loop's entry gate then judges the limits at the last mark instead of on a false equity."""
from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from decimal import Decimal as D
from pathlib import Path
from typing import AsyncIterator

import pytest

from tests.fakes.exchange_api import FakeExchange
from tests.fakes.live_broker import SPOT, LiveRig, live_rig
from tests.fakes.paper_account import paper_account
from trading.adapters.clocks import ManualClock
from trading.domain.orders import OrderIntent, Side
from trading.engine.rules_decider import RulesDecider
from trading.risk.limits import LimitSettings
from trading.services.trading_loop import LoopSettings, TradingLoop


@pytest.fixture
async def rig(fake_binance: FakeExchange, clock: ManualClock) -> AsyncIterator[LiveRig]:
    rig = await live_rig(fake_binance, clock)
    yield rig
    await rig.close()


async def test_a_sell_filled_after_the_wallet_was_read_leaves_the_summary_unsettled_until_it_is_read_again(
        rig: LiveRig, fake_binance: FakeExchange, clock: ManualClock) -> None:
    await rig.broker.place(OrderIntent(SPOT, Side.BUY, amount=Decimal("0.01"), client_order_id="ta-buy-1"))
    await rig.broker.balances()
    before = rig.broker.summary({SPOT: Decimal("90000")})

    await rig.broker.place(OrderIntent(SPOT, Side.SELL, amount=Decimal("0.01"), client_order_id="ta-sell-1"))
    stale = rig.broker.summary({SPOT: Decimal("90000")})
    await rig.broker.balances()
    fresh = rig.broker.summary({SPOT: Decimal("90000")})

    assert before.settled and before.position_value == Decimal("900.00")
    # the holding is gone, its proceeds not yet in the wallet read before: 900 USDT less, a false loss
    assert not stale.settled and stale.position_value == 0 and stale.cash == before.cash
    assert fresh.settled and fresh.cash > before.cash


async def test_the_loops_gate_does_not_read_a_sells_missing_proceeds_as_a_daily_loss(
        rig: LiveRig, tmp_path: Path) -> None:
    account = await paper_account(tmp_path)        # the engine, its gate and store; the broker is the live one
    try:
        account.engine.settings = replace(account.engine.settings, limits=LimitSettings(daily_loss_pct=D("1")))
        loop = TradingLoop(account.clock, account.market, rig.broker, [], RulesDecider(), account.engine,
                           account.events, account.store, rig.broker.instruments, LoopSettings(symbols=(SPOT,)))
        account.gate.measure_by(loop.equity_now)          # as bootstrap wires it
        await rig.broker.place(OrderIntent(SPOT, Side.BUY, amount=D("0.01"), client_order_id="ta-buy-1"))
        await rig.broker.balances()                       # the mark: the day starts here
        assert account.engine.mark_equity(rig.broker.summary().equity, account.clock.now_ms()) == []

        await rig.broker.place(OrderIntent(SPOT, Side.SELL, amount=D("0.01"), client_order_id="ta-sell-1"))

        assert loop.equity_now() is None
        account.gate.check(SPOT)         # judged at the last mark: no false "Daily loss limit hit"
    finally:
        await account.close()
