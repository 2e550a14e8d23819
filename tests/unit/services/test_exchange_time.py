"""Keeping the exchange's time: measured when due; a machine clock off by over 1 s is told once, with the fix."""
from __future__ import annotations

from tests.fakes.recording_notifier import RecordingNotifier
from trading.adapters.clocks import ManualClock
from trading.adapters.exchange_clock import ExchangeClock
from trading.domain.errors import NetworkFailure
from trading.domain.events import Event, EventKind, Severity
from trading.services.event_bus import EventBus
from trading.services.exchange_time import ExchangeTimeKeeper

MACHINE_MS = 1_767_225_600_000


class AuditList:
    """An EventLog in memory."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    async def append_event(self, event: Event) -> None:
        self.events.append(event)


class ServerTime:
    """An exchange time endpoint offset_ms away from the machine; down when told."""

    def __init__(self, machine: ManualClock, offset_ms: int) -> None:
        self.machine, self.offset_ms, self.calls, self.down = machine, offset_ms, 0, False

    async def __call__(self) -> int:
        self.calls += 1
        if self.down:
            raise NetworkFailure("connection refused")
        return self.machine.now_ms() + self.offset_ms


def keeper_for(offset_ms: int) -> tuple[ExchangeTimeKeeper, ManualClock, ServerTime, RecordingNotifier]:
    machine = ManualClock(MACHINE_MS)
    server = ServerTime(machine, offset_ms)
    clock = ExchangeClock(machine, sync_every_ms=15 * 60_000, retry_ms=60_000)
    clock.measure_with(server)
    notifier, events = RecordingNotifier(), EventBus(AuditList())
    events.attach(notifier)
    return ExchangeTimeKeeper(clock, events, "binance"), machine, server, notifier


async def test_a_machine_clock_three_minutes_behind_is_told_once_with_what_to_do() -> None:
    keeper, machine, server, notifier = keeper_for(180_000)

    for _ in range(20):                                  # twenty minutes of the job's one-minute ticks
        state = await keeper.tick()
        machine.advance(60_000)

    (told,) = notifier.of(EventKind.CLOCK)
    assert told.severity is Severity.WARNING
    assert told.message.startswith("This machine's clock is 3 min 0 s behind binance's.")
    assert "NTP" in told.message and "timedatectl set-ntp true" in told.message
    assert state.offset_ms == 180_000 and server.calls == 2          # at the start and 15 minutes later
    assert keeper.clock.now_ms() == machine.now_ms() + 180_000


async def test_an_offset_under_a_second_is_not_told() -> None:
    keeper, _, _, notifier = keeper_for(-900)

    state = await keeper.tick()

    assert state.offset_ms == -900 and notifier.events == []


async def test_a_failed_measurement_keeps_the_offset_and_is_retried_on_the_next_minute() -> None:
    keeper, machine, server, notifier = keeper_for(2_000)
    await keeper.tick()
    machine.advance(15 * 60_000)
    server.down, server.offset_ms = True, 5_000

    failed = await keeper.tick()
    machine.advance(60_000)
    server.down = False
    recovered = await keeper.tick()

    assert (failed.offset_ms, failed.failures) == (2_000, 1)
    assert (recovered.offset_ms, recovered.failures) == (5_000, 0) and server.calls == 3
    assert len(notifier.of(EventKind.CLOCK)) == 1
