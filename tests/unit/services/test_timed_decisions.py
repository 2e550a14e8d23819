"""A decider's failure falls back, and its reason never carries a foreign exception's text (a server's body)."""
from trading.adapters.clocks import ManualClock
from trading.adapters.sqlite_store import SqliteStore
from trading.domain.decisions import Action, DecisionRequest
from trading.domain.errors import VenueUnavailable
from trading.services.event_bus import EventBus
from trading.services.timed_decisions import TimedDecisions


class FailingDecider:
    """Raises what it is given, as an SDK or a bug would."""

    def __init__(self, error: Exception) -> None:
        self.error = error

    async def decide(self, request: DecisionRequest):
        raise self.error


async def test_a_failure_falls_back_naming_our_own_errors_masked_and_others_by_type_only(tmp_path):
    store = SqliteStore(tmp_path / "trading.sqlite", ManualClock(1_000))
    await store.open()
    try:
        events = EventBus(store)
        foreign = TimedDecisions(FailingDecider(RuntimeError("402 {'error': 'SERVER-TEXT sk-or-v1-abcdef'}")), 1.0,
                                 events)
        ours = TimedDecisions(FailingDecider(VenueUnavailable("GET https://x/api?a=1&signature=abc123 503")), 1.0,
                              events)
        first = await foreign.decide(DecisionRequest(1), Action.SKIP, "BTC/USDT")
        second = await ours.decide(DecisionRequest(1), Action.HOLD, "BTC/USDT")
    finally:
        await store.close()
    assert first.action is Action.SKIP
    assert first.reason == "the decision maker failed: RuntimeError (details in the log)"
    assert second.action is Action.HOLD and "signature=***" in second.reason and "abc123" not in second.reason
