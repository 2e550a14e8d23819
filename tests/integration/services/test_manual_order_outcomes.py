"""A manual exit whose answer is lost, on the fake Binance over ccxt (tests/fakes/live_futures_loop.py): the fake
takes the order and loses its answer, and the look-ups by its client id fail through the broker's retries. Found
by a last look-up, the /close stands as a plain fill; not found either, it is told as an order that MAY have
reached the exchange (never as nothing changed), and exactly one order went out. A /closeall cut short after
its first leg tells that leg, not only the refusal (on the paper account).
"""
from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path
from typing import AsyncIterator

import pytest

from tests.fakes.exchange_faults import Fault, FaultKind
from tests.fakes.live_futures_loop import PERP, LiveLoopRig, live_loop_around
from tests.fakes.paper_account import paper_account
from tests.fakes.market_stretches import SQUEEZE, long_signal
from tests.fakes.scripted_strategy import ScriptedStrategy
from trading.domain.manual_orders import ManualOrder, OrderKind, Size, SizeKind
from trading.domain.orders import OrderStatus
from trading.services.entry_gate import EntryGate
from trading.services.order_outcomes import OrderOutcomeUnknown, TicketInterrupted
from trading.services.portfolio import PortfolioService

ORDER = "/fapi/v1/order"
BROKER_LOOK_UPS = 3          # one before each of the broker's three retries of the placement
SQUEEZE_LONG = long_signal(SQUEEZE, "113691.10", "112500", "118000", "squeeze", PERP)


@pytest.fixture
async def held(tmp_path: Path) -> AsyncIterator[LiveLoopRig]:
    async with live_loop_around(tmp_path, SQUEEZE, [ScriptedStrategy([SQUEEZE_LONG])]) as rig:
        await rig.run_until(SQUEEZE)          # a long of 0.087 BTC is open on the exchange
        yield rig


def portfolio(rig: LiveLoopRig) -> PortfolioService:
    return PortfolioService(rig.venue, rig.market, rig.clock, "live", EntryGate(rig.engine, rig.clock), desk=rig.loop)


def answer_lost(rig: LiveLoopRig, failed_look_ups: int) -> None:
    rig.fake.inject_lost_response(seconds=0, path=ORDER, method="POST")
    rig.fake.faults.arm(Fault(FaultKind.AUTH_ERROR, failed_look_ups, ORDER, method="GET"))


async def test_a_close_whose_answer_is_lost_but_is_found_by_its_client_id_stands_as_filled(held) -> None:
    account = portfolio(held)
    ticket = await account.quote(ManualOrder(OrderKind.CLOSE, PERP))
    answer_lost(held, BROKER_LOOK_UPS)

    (closed,) = await account.execute(ticket)

    assert closed.status is OrderStatus.FILLED and closed.filled == D("0.087") and closed.reduce_only
    assert held.fake.account.position("BTCUSDT") == 0 and held.fake.count(ORDER, "POST") == 2   # the entry, the close


async def test_a_close_whose_answer_is_lost_and_cannot_be_looked_up_is_told_as_maybe_placed(held) -> None:
    account = portfolio(held)
    ticket = await account.quote(ManualOrder(OrderKind.CLOSE, PERP))
    answer_lost(held, 50)

    with pytest.raises(OrderOutcomeUnknown) as unknown:
        await account.execute(ticket)

    told = str(unknown.value)
    assert told.startswith(f"The {PERP} order MAY have reached the exchange") and "client id manual-" in told
    assert "check /orders and /positions before placing it again" in told and unknown.value.placed == ()
    assert held.fake.account.position("BTCUSDT") == 0 and held.fake.count(ORDER, "POST") == 2
    await held.venue.settle()
    assert held.notified("MAY have reached") == []       # the reply tells it: not the broker's alert too


async def test_a_close_all_cut_short_after_its_first_leg_tells_that_leg_not_only_the_refusal(tmp_path) -> None:
    # the card waited while the user closed the second position by hand: its leg is refused, the first stands
    account = await paper_account(tmp_path, bases=("BTC", "ETH"))
    try:
        await account.portfolio.buy("BTC/USDT", D("1000"))
        await account.portfolio.buy("ETH/USDT", D("1000"))
        ticket = await account.portfolio.quote(ManualOrder(OrderKind.CLOSE_ALL))
        first, second = ticket.legs
        await account.portfolio.sell(second.symbol, Size(SizeKind.ALL))

        with pytest.raises(TicketInterrupted) as cut:
            await account.portfolio.execute(ticket)

        (placed,) = cut.value.placed
        positions = await account.venue.broker.positions()
    finally:
        await account.close()
    assert placed.symbol == first.symbol and placed.status is OrderStatus.FILLED and not cut.value.unknown
    assert str(cut.value).startswith("The orders above went out; the next one did not: Order refused")
    assert cut.value.record.startswith(f"partly placed: {placed.id} filled, ")
    assert positions == []


async def test_a_cancel_whose_answers_are_all_lost_is_told_as_maybe_done(held) -> None:
    account = portfolio(held)
    await account.close(PERP)      # an add would be margined at the 1x long's leverage, which leaves no room for it
    resting = await account.buy(PERP, D("500"), limit=D("110000"))        # under the market: it rests
    ticket = await account.quote(ManualOrder(OrderKind.CANCEL, order_id=resting.id))
    held.fake.inject_lost_response(seconds=0, count=10, path=ORDER, method="DELETE")

    with pytest.raises(OrderOutcomeUnknown, match=f"The cancel of order {resting.id} MAY have reached the exchange"):
        await account.execute(ticket)

    held.fake.faults.clear()
    assert [o.status for o in held.fake.account.orders if o.client_id == resting.client_order_id] == ["CANCELED"]
