"""The exchange clock: the offset from the exchange's server time with half the round trip; failures keep it."""
from __future__ import annotations

import asyncio

from trading.adapters.clocks import ManualClock
from trading.adapters.exchange_clock import ExchangeClock
from trading.domain.errors import NetworkFailure

MACHINE_MS = 1_000_000_000


class Server:
    """An exchange's time endpoint whose answer takes round_trip_ms of the machine's clock."""

    def __init__(self, machine: ManualClock, offset_ms: int, round_trip_ms: int = 0) -> None:
        self.machine, self.offset_ms, self.round_trip_ms = machine, offset_ms, round_trip_ms
        self.calls = 0
        self.down = False

    async def time(self) -> int:
        self.calls += 1
        await asyncio.sleep(0)
        if self.down:
            raise NetworkFailure("binance GET /api/v3/time: connection refused")
        self.machine.advance(self.round_trip_ms // 2)
        written = self.machine.now_ms() + self.offset_ms       # the server writes its time half-way
        self.machine.advance(self.round_trip_ms - self.round_trip_ms // 2)
        return written


def clock_on(server: Server, **kwargs: int) -> ExchangeClock:
    clock = ExchangeClock(server.machine, **kwargs)
    clock.measure_with(server.time)
    return clock


async def test_before_the_first_measurement_the_machines_time_is_used() -> None:
    machine = ManualClock(MACHINE_MS)
    clock = clock_on(Server(machine, 180_000))

    assert clock.now_ms() == MACHINE_MS and clock.sync_state().offset_ms is None and clock.sync_due()


async def test_the_offset_corrects_the_servers_time_by_half_the_round_trip() -> None:
    machine = ManualClock(MACHINE_MS)
    clock = clock_on(Server(machine, offset_ms=-180_000, round_trip_ms=40))

    assert await clock.sync()

    # sent at 1_000_000_000, written at 1_000_000_020 - 180_000, received at 1_000_000_040
    state = clock.sync_state()
    assert (state.offset_ms, state.round_trip_ms, state.measured_ms) == (-180_000, 40, MACHINE_MS + 40)
    assert clock.now_ms() == MACHINE_MS + 40 - 180_000


async def test_a_failed_measurement_keeps_the_last_offset_and_is_retried_after_a_minute() -> None:
    machine = ManualClock(MACHINE_MS)
    server = Server(machine, offset_ms=2_500)
    clock = clock_on(server, sync_every_ms=15 * 60_000, retry_ms=60_000)
    await clock.sync()
    machine.advance(15 * 60_000)
    server.down = True

    assert clock.sync_due() and not await clock.sync()

    state = clock.sync_state()
    assert state.offset_ms == 2_500 and state.failures == 1 and "connection refused" in (state.last_error or "")
    assert clock.now_ms() == machine.now_ms() + 2_500
    machine.advance(59_999)
    assert not clock.sync_due()
    machine.advance(1)
    assert clock.sync_due()
    server.down, server.offset_ms = False, 3_000
    assert await clock.sync() and clock.sync_state().failures == 0 and clock.offset_ms == 3_000


async def test_measurements_are_due_every_interval() -> None:
    machine = ManualClock(MACHINE_MS)
    clock = clock_on(Server(machine, offset_ms=0), sync_every_ms=15 * 60_000)
    await clock.sync()

    machine.advance(15 * 60_000 - 1)
    assert not clock.sync_due()
    machine.advance(1)
    assert clock.sync_due()


async def test_a_measurement_is_due_at_once_when_the_machine_clock_steps_back() -> None:
    machine = SteppingClock(MACHINE_MS)
    clock = ExchangeClock(machine, sync_every_ms=15 * 60_000)
    clock.measure_with(lambda: _answer(MACHINE_MS + 5_000))
    await clock.sync()

    machine.ms -= 60 * 60_000                           # NTP stepped the machine's clock an hour back

    assert clock.sync_due()


class SteppingClock:
    """A machine clock that a test may step either way."""

    def __init__(self, ms: int) -> None:
        self.ms = ms

    def now_ms(self) -> int:
        return self.ms


async def _answer(ms: int) -> int:
    return ms


async def test_callers_waiting_on_a_measurement_share_it() -> None:
    machine = ManualClock(MACHINE_MS)
    server = Server(machine, offset_ms=1_000)
    clock = clock_on(server)

    results = await asyncio.gather(clock.sync(), clock.sync(), clock.sync())

    assert results == [True, True, True] and server.calls == 1
