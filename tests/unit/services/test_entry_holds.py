"""Holds on new entries: a live process starts paused, /pause survives a restart, zone decisions are never held."""
from decimal import Decimal

from tests.fakes.databases import opened_store
from trading.adapters.clocks import ManualClock
from trading.domain.decisions import Action, Decision, DecisionRequest
from trading.domain.positions import Position, PositionSide
from trading.services.entry_holds import LIVE_PAUSED, EntryHolds, HeldDecisions
from trading.services.event_bus import EventBus
from tests.fakes.market_stretches import long_signal


class Always:
    async def decide(self, request):
        return Decision(Action.ENTER if request.signal else Action.EXIT, 0.9, "rules say so", "rules")


async def test_live_starts_paused_skips_entries_with_the_reason_and_lets_zone_decisions_through(tmp_path):
    async with opened_store(tmp_path) as store:
        holds = EntryHolds(True, store, EventBus(store), ManualClock(1))
        await holds.load()
        decider = HeldDecisions(Always(), holds)
        signal = long_signal(60_000, "100", "95", "110", "s1")
        position = Position("BTC/USDT", PositionSide.LONG, Decimal("1"), Decimal("100"), 1)

        held = await decider.decide(DecisionRequest(1, signal=signal))
        zone = await decider.decide(DecisionRequest(1, position=position, zone="soft_stop"))
        await holds.live_on("user:1")
        allowed = await decider.decide(DecisionRequest(1, signal=signal))

    assert (held.action, held.reason) == (Action.SKIP, LIVE_PAUSED) and zone.action is Action.EXIT
    assert allowed.action is Action.ENTER


async def test_pause_holds_paper_entries_and_survives_a_restart_until_unpaused(tmp_path):
    async with opened_store(tmp_path) as store:
        holds = EntryHolds(False, store, EventBus(store), ManualClock(1))
        assert await holds.pause("user:7") and not await holds.pause("user:7")
        again = EntryHolds(False, store, EventBus(store), ManualClock(2))
        await again.load()
        held = again.held_because()
        assert await again.unpause("user:7")
        async with store.db.execute("SELECT COUNT(*) FROM events WHERE kind = 'mode'") as cursor:
            (announced,) = await cursor.fetchone()
    assert "paused by Telegram user 7" in held and again.held_because() == "" and announced == 2
