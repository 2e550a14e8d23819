"""A fill the user's order made is taken in at once (its guard saved, its exchange stop placed) even when reading
the equity after it fails: the mark is the next tick's, the guard and its legs are not (live futures, fake Binance)."""
from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

from tests.fakes.exchange_faults import Fault, FaultKind
from tests.fakes.live_futures_loop import PERP, live_loop_around
from tests.fakes.market_stretches import SQUEEZE
from trading.services.entry_gate import EntryGate
from trading.services.portfolio import PortfolioService


async def test_a_buy_whose_equity_read_fails_still_saves_its_guard_and_places_its_exchange_stop(
        tmp_path: Path) -> None:
    async with live_loop_around(tmp_path, SQUEEZE, []) as rig:
        await rig.run_until(SQUEEZE)
        account = PortfolioService(rig.venue, rig.market, rig.clock, "live", EntryGate(rig.engine, rig.clock),
                                   desk=rig.loop)
        for path in ("/fapi/v2/account", "/fapi/v3/account"):       # the wallet read after the fill fails once
            rig.fake.faults.arm(Fault(FaultKind.AUTH_ERROR, 1, path, method="GET"))

        order = await account.buy(PERP, D("1200"))

        saved = await rig.store.load_state(rig.loop.state_key)
        assert order.filled > 0 and account.unsettled([order]), "the follow-up failed, as armed"
        assert PERP in saved["positions"], "the new position's guard is saved at once"
        assert [leg.type for leg in rig.legs()] == ["STOP_MARKET"], "its exchange stop is placed at once"


async def test_a_flat_kill_whose_equity_read_fails_after_its_exits_still_saves_the_switch(tmp_path: Path) -> None:
    async with live_loop_around(tmp_path, SQUEEZE, []) as rig:
        await rig.run_until(SQUEEZE)
        account = PortfolioService(rig.venue, rig.market, rig.clock, "live", EntryGate(rig.engine, rig.clock),
                                   desk=rig.loop)
        await account.buy(PERP, D("1200"))
        for path in ("/fapi/v2/account", "/fapi/v3/account"):       # the wallet read after the exits fails once
            rig.fake.faults.arm(Fault(FaultKind.AUTH_ERROR, 1, path, method="GET"))

        assert await rig.loop.kill(True, "user:1", "test")

        saved = await rig.store.load_state(rig.loop.state_key)
        assert rig.fake.account.position("BTCUSDT") == 0, "the exit went out"
        assert saved["kill_switch"]["mode"] == "active_flat", "the step ended: the switch is saved"
