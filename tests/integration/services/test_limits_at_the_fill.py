"""The account limits judge the account as it is at the fill that broke them, not at the next protective tick.

A paper account and its trading loop wired as bootstrap wires them (the loop is the manual orders' desk), on
real minutes and a manual clock: no tick runs between two orders unless the test steps it, so a limit broken by
one order's fee or loss must refuse the very next entry, and be told once, then.
"""
from __future__ import annotations

from dataclasses import replace
from decimal import Decimal as D
from pathlib import Path
from typing import AsyncIterator

import pytest

from tests.fakes.paper_account import PaperAccount, paper_account
from trading.domain.candles import Timeframe
from trading.domain.errors import EntryRefused
from trading.domain.events import EventKind
from trading.domain.manual_orders import Size, SizeKind
from trading.engine.rules_decider import RulesDecider
from trading.risk.limits import LimitSettings
from trading.services.portfolio import PortfolioService
from trading.services.trading_loop import LoopSettings, TradingLoop

SYMBOLS = ("BTC/USDT", "ETH/USDT")


class Rig:
    """The paper account, its loop, and the user's orders through the loop's desk."""

    def __init__(self, account: PaperAccount, loop: TradingLoop, portfolio: PortfolioService) -> None:
        self.account, self.loop, self.portfolio = account, loop, portfolio

    async def tick(self) -> None:
        """Run one protective tick at the market's last prices (marks the equity)."""
        prices = {s: (await self.account.market.ticker(s)).last for s in SYMBOLS}
        await self.loop.protect(prices)

    def limit_alerts(self) -> list[str]:
        return [e.message for e in self.account.pushed.events if e.kind is EventKind.RISK_LIMIT]


async def rig_with(folder: Path, **limits: object) -> AsyncIterator[Rig]:
    account = await paper_account(folder, bases=("BTC", "ETH"))
    account.engine.settings = replace(account.engine.settings, limits=LimitSettings(**limits))  # type: ignore[arg-type]
    instruments = await account.market.instruments()
    loop = TradingLoop(account.clock, account.market, account.venue.broker, [], RulesDecider(), account.engine,
                       account.events, account.store, instruments,
                       LoopSettings(symbols=SYMBOLS, windows={Timeframe.M1: 60}), venue=account.venue)
    await loop.start()
    account.gate.measure_by(loop.equity_now)          # as bootstrap wires it
    portfolio = PortfolioService(account.venue, account.market, account.clock, "paper", account.gate, desk=loop)
    rig = Rig(account, loop, portfolio)
    await rig.tick()                   # the day starts at the account's 10,000 USDT
    try:
        yield rig
    finally:
        await account.close()


@pytest.fixture
async def daily(tmp_path: Path) -> AsyncIterator[Rig]:
    # 0.01% of 10,000 is 1.00 USDT: a 3,000 USDT buy's 0.1% fee (3.00) is past it
    async for rig in rig_with(tmp_path, daily_loss_pct=D("0.01")):
        yield rig


async def test_a_buy_whose_fee_breaks_the_daily_limit_refuses_the_next_buy_and_is_told_once_at_its_fill(daily):
    first = await daily.portfolio.buy("BTC/USDT", D("3000"))
    assert first.fee > D("1.00"), first.fee
    # told at the fill, before any tick ran
    (told,) = daily.limit_alerts()
    assert "daily loss limit hit" in told, told
    with pytest.raises(EntryRefused) as refused:
        await daily.portfolio.buy("ETH/USDT", D("3000"))
    assert str(refused.value).startswith("Not opened: Daily loss limit hit"), str(refused.value)
    await daily.tick()
    assert len(daily.limit_alerts()) == 1, daily.limit_alerts()      # the tick does not tell it again


async def test_a_losing_sell_past_the_drawdown_limit_refuses_the_next_buy_at_once(tmp_path):
    # 0.05% of 10,000 is 5.00 USDT: the buy's fee (3.00) is within it, the round trip's (about 6.00) is not
    async for rig in rig_with(tmp_path, max_drawdown_pct=D("0.05")):
        await rig.portfolio.buy("BTC/USDT", D("3000"))
        assert rig.limit_alerts() == []
        await rig.portfolio.sell("BTC/USDT", Size(SizeKind.ALL))
        (told,) = rig.limit_alerts()
        assert "drawdown halt" in told, told
        with pytest.raises(EntryRefused) as refused:
            await rig.portfolio.buy("ETH/USDT", D("100"))
        assert str(refused.value).startswith("Not opened: Drawdown halt"), str(refused.value)


async def test_a_resting_limit_that_would_fill_after_another_broke_the_limit_in_the_same_tick_is_cancelled(daily):
    # two limit buys rest under the market; one tick's price fills the first, whose fee (3.00) breaks the 1.00
    # limit: the second, at its fill in the same tick, is judged on the equity then, not on the last mark
    last = (await daily.account.market.ticker("BTC/USDT")).last
    first = await daily.portfolio.buy("BTC/USDT", D("3000"), limit=(last * D("0.99")).quantize(D("0.01")))
    second = await daily.portfolio.buy("BTC/USDT", D("3000"), limit=(last * D("0.98")).quantize(D("0.01")))
    await daily.loop.protect({"BTC/USDT": (last * D("0.97")).quantize(D("0.01"))})
    broker = daily.account.venue.broker
    filled = await broker.find_by_client_id(first.client_order_id, "BTC/USDT")
    refused = await broker.find_by_client_id(second.client_order_id, "BTC/USDT")
    assert filled is not None and filled.filled > 0
    assert refused is not None and refused.status.is_final and refused.filled == 0, refused
    assert len(daily.limit_alerts()) == 1, daily.limit_alerts()
