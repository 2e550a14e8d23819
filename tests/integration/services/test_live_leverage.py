"""Live futures trade at FUTURES_LEVERAGE, capped by MAX_LEVERAGE and by the exchange's own maximum, on the fake
Binance over ccxt (tests/fakes/live_futures_loop.py). ccxt lists no leverage maximum for Binance's perpetuals:
start-up loads it from GET /fapi/v1/leverageBracket (the fake answers 125x, or FakeAccount.max_leverage), and
a maximum it cannot load is unknown (MAX_LEVERAGE alone caps), never 1x. The engine's entry and a manual /short
go out at that leverage; the fake records set_leverage and holds margin = notional / leverage.
"""
from __future__ import annotations

from contextlib import asynccontextmanager
from decimal import Decimal as D
from pathlib import Path
from typing import Any, AsyncIterator

from bot.views.approvals import card_text
from bot.views.risk import risk_text
from tests.fakes.exchange_api import FakeExchange
from tests.fakes.exchange_faults import Fault, FaultKind
from tests.fakes.live_futures_loop import PERP, LiveLoopRig, perp_minutes, start_live_loop
from tests.fakes.market_stretches import SQUEEZE, long_signal, minutes_around
from tests.fakes.scripted_strategy import ScriptedStrategy
from trading.adapters.clocks import ManualClock
from trading.domain.approval_cards import requote_change
from trading.domain.approvals import Approval
from trading.domain.candles import MINUTE_MS
from trading.domain.confirmations import Confirmation
from trading.domain.manual_orders import ManualOrder, OrderKind, OrderTicket
from trading.engine.engine_state import EngineSettings
from trading.risk.protective_stops import ProtectionSettings
from trading.risk.sizing import SizingSettings
from trading.services.entry_gate import EntryGate
from trading.services.manual_orders import Tickets
from trading.services.portfolio import PortfolioService

SQUEEZE_LONG = long_signal(SQUEEZE, "113691.10", "112500", "118000", "squeeze", PERP)
BRACKETS = "/fapi/v1/leverageBracket"


@asynccontextmanager
async def trading_at(folder: Path, sizing: SizingSettings, strategies: list[Any], exchange_max: int | None = None,
                     brackets_fail: bool = False, hard_stop_pct: D = D(10)) -> AsyncIterator[LiveLoopRig]:
    """Run the live loop with these sizing settings, the fake's BTCUSDT maximum at exchange_max (else 125x)."""
    candles = minutes_around(SQUEEZE)
    clock = ManualClock(SQUEEZE - 5 * MINUTE_MS)
    async with FakeExchange([perp_minutes(candles)], clock) as fake:
        if exchange_max is not None:
            fake.account.max_leverage["BTCUSDT"] = exchange_max
        if brackets_fail:
            fake.faults.arm(Fault(FaultKind.AUTH_ERROR, 1, BRACKETS, method="GET"))     # the first: ours
        settings = EngineSettings(sizing=sizing, protection=ProtectionSettings(hard_stop_pct=hard_stop_pct))
        rig = await start_live_loop(folder, fake, clock, candles, strategies, settings)
        try:
            yield rig
        finally:
            await rig.close()


async def engine_entry_leverage(rig: LiveLoopRig) -> int:
    """Trade SQUEEZE_LONG; return the leverage set on the exchange, after checking the position and its margin."""
    await rig.run_until(SQUEEZE)
    amount, entry = rig.fake.account.positions["BTCUSDT"]
    leverage = rig.fake.account.leverage["BTCUSDT"]
    # 2% of 10,000 at risk over 113,691.10 - 112,500 = 1,191.10: 0.1679 -> 0.167 on the step, whatever the leverage
    assert amount == D("0.167")
    assert rig.fake.account.used_margin() == amount * entry / leverage
    assert rig.venue.broker.book.get(PERP).leverage == leverage      # type: ignore[union-attr]
    return leverage


async def test_an_engine_entry_goes_at_futures_leverage_when_the_exchange_allows_more(tmp_path: Path) -> None:
    async with trading_at(tmp_path, SizingSettings(futures_leverage=5), [ScriptedStrategy([SQUEEZE_LONG])]) as rig:
        assert rig.loop.instruments[PERP].max_leverage == 125       # loaded at start: ccxt's markets list none
        assert "lower" not in risk_text(rig.loop.risk_status())
        assert await engine_entry_leverage(rig) == 5


async def test_max_leverage_caps_the_engine_entry(tmp_path: Path) -> None:
    sizing = SizingSettings(futures_leverage=5, max_leverage=3)
    async with trading_at(tmp_path, sizing, [ScriptedStrategy([SQUEEZE_LONG])]) as rig:
        assert await engine_entry_leverage(rig) == 3


async def test_the_exchange_maximum_below_the_setting_caps_the_engine_entry_and_risk_says_so(tmp_path: Path
                                                                                           ) -> None:
    async with trading_at(tmp_path, SizingSettings(futures_leverage=5), [ScriptedStrategy([SQUEEZE_LONG])],
                          exchange_max=2) as rig:
        assert risk_text(rig.loop.risk_status()).splitlines()[-1] == \
            f"The exchange's maximum holds new positions lower: {PERP} 2x"
        assert await engine_entry_leverage(rig) == 2


async def test_brackets_that_cannot_be_loaded_leave_the_maximum_unknown_and_the_start_goes_on(tmp_path: Path) -> None:
    # the maximum unknown: MAX_LEVERAGE (10) alone caps the setting, never the 1x ccxt's markets imply
    async with trading_at(tmp_path, SizingSettings(futures_leverage=5), [ScriptedStrategy([SQUEEZE_LONG])],
                          brackets_fail=True) as rig:
        assert rig.loop.instruments[PERP].max_leverage == 1
        assert await engine_entry_leverage(rig) == 5


def tickets(rig: LiveLoopRig) -> tuple[Tickets, PortfolioService]:
    portfolio = PortfolioService(rig.venue, rig.market, rig.clock, "live", EntryGate(rig.engine, rig.clock),
                                 desk=rig.loop)
    return Tickets(portfolio, rig.engine, rig.loop.instruments), portfolio


def card(ticket: OrderTicket) -> str:
    return card_text(Approval(Confirmation("a1", 1, 1, "approval", "h", 0, 120_000), ticket, ("ta-a1-0",), "manual"))


async def short_at(rig: LiveLoopRig, expected: int) -> None:
    """Quote and place /short 1000 USDT; check the ticket, the card and the exchange all say expected x."""
    quotes, portfolio = tickets(rig)
    ticket = await quotes.quote(ManualOrder(OrderKind.SHORT, PERP, D(1000)))
    (leg,) = ticket.legs
    # the hard stop: a 10% loss on the position, a 10% / leverage rise of the price (rounded onto the 0.10 tick)
    assert leg.leverage == expected
    assert abs(leg.stop - leg.price * (1 + D("0.10") / expected)) <= D("0.10")     # type: ignore[operator]
    assert f"Leverage {expected}x · margin ≈ " in card(ticket)
    await portfolio.execute(ticket)
    amount, entry = rig.fake.account.positions["BTCUSDT"]
    assert amount == -leg.amount and rig.fake.account.leverage["BTCUSDT"] == expected
    assert rig.fake.account.used_margin() == leg.amount * entry / expected


async def test_a_manual_short_goes_at_futures_leverage(tmp_path: Path) -> None:
    async with trading_at(tmp_path, SizingSettings(futures_leverage=5), []) as rig:
        await short_at(rig, 5)


async def test_a_manual_short_is_capped_by_max_leverage(tmp_path: Path) -> None:
    async with trading_at(tmp_path, SizingSettings(futures_leverage=5, max_leverage=3), []) as rig:
        await short_at(rig, 3)


async def test_a_manual_short_is_capped_by_the_exchange_maximum_and_its_ticket_says_so(tmp_path: Path) -> None:
    async with trading_at(tmp_path, SizingSettings(futures_leverage=5), [], exchange_max=2) as rig:
        await short_at(rig, 2)


async def test_a_ticket_is_placed_at_its_own_leverage_and_a_set_between_replaces_the_card(tmp_path: Path) -> None:
    async with trading_at(tmp_path, SizingSettings(futures_leverage=5), []) as rig:
        quotes, portfolio = tickets(rig)
        order = ManualOrder(OrderKind.SHORT, PERP, D(1000))
        shown = await quotes.quote(order)
        rig.engine.settings = EngineSettings(sizing=SizingSettings(futures_leverage=3))     # as /set does
        newer = await quotes.quote(order)
        assert (shown.legs[0].leverage, newer.legs[0].leverage) == (5, 3)
        assert requote_change(shown, newer, D(50)).startswith("the leverage changed (5x → 3x)")
        await portfolio.execute(shown)        # what the card showed goes out, never the setting changed under it
        assert rig.fake.account.leverage["BTCUSDT"] == 5


async def test_a_hard_stop_beyond_liquidation_is_said_on_the_ticket_and_the_card(tmp_path: Path) -> None:
    # HARD_STOP_PCT 96 at 10x: a short's stop 9.6% above the entry; isolated at 10x with BTC's 0.4% maintenance
    # margin it is liquidated about 9.5% above (entry x 1.1 / 1.004): before the stop can fire
    async with trading_at(tmp_path, SizingSettings(futures_leverage=10), [], hard_stop_pct=D(96)) as rig:
        quotes, _ = tickets(rig)
        ticket = await quotes.quote(ManualOrder(OrderKind.SHORT, PERP, D(1000)))
        (note,) = ticket.notes
        assert note.startswith("The hard stop is beyond liquidation at 10x (liquidation ≈ ")
        assert note.endswith("the position is liquidated first; lower HARD_STOP_PCT or the leverage.")
        assert note in card(ticket)
        rig.engine.settings = EngineSettings(sizing=SizingSettings(futures_leverage=5),
                                             protection=ProtectionSettings(hard_stop_pct=D(96)))
        assert (await quotes.quote(ManualOrder(OrderKind.SHORT, PERP, D(1000)))).notes == ()   # 19.2% vs ~19.6%
