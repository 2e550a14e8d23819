"""Watching over streams: the backoff, and telling down and up once each (no network: scripted watch calls)."""
from __future__ import annotations

import asyncio
from typing import Any

from hypothesis import given, strategies as st

import ccxt

from tests.fakes.stream_rig import LinkLog, eventually
from trading.adapters.stream_supervisor import StreamPolicy, StreamSupervisor

FAST = StreamPolicy(heartbeat_s=0.01, stall_s=1.0, first_backoff_s=0.001, max_backoff_s=0.004)


def test_backoff_doubles_from_the_first_wait_and_jitters_down_to_half() -> None:
    policy = StreamPolicy(first_backoff_s=0.5, max_backoff_s=10.0)

    assert [policy.backoff_s(n, 0.0) for n in (1, 2, 3, 4)] == [0.25, 0.5, 1.0, 2.0]
    assert [policy.backoff_s(n, 0.5) for n in (1, 5)] == [0.375, 6.0]
    assert policy.backoff_s(6, 0.0) == 5.0 and policy.backoff_s(60, 0.0) == 5.0     # capped at 10 s, halved


@given(st.integers(min_value=1, max_value=10_000), st.floats(min_value=0.0, max_value=1.0, exclude_max=True))
def test_no_wait_between_attempts_is_ever_longer_than_the_cap(failures: int, draw: float) -> None:
    # the default cap keeps a reconnect within 30 s of the server coming back, however long it was down
    assert 0 < StreamPolicy().backoff_s(failures, draw) <= StreamPolicy().max_backoff_s <= 10.0


class ScriptedExchange:
    """Stands in for a ccxt exchange: no sockets, so the supervisor's watchdog finds nothing to cut."""

    clients: dict[str, Any] = {}

    @staticmethod
    def milliseconds() -> int:
        return 0


class Script:
    """A watch call that returns or raises what the test feeds it."""

    def __init__(self) -> None:
        self.outcomes: asyncio.Queue[Any] = asyncio.Queue()
        self.calls = 0

    async def __call__(self) -> Any:
        self.calls += 1
        outcome = await self.outcomes.get()
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome


async def test_a_drop_of_every_stream_is_told_once_and_the_return_once() -> None:
    supervisor, links, got = StreamSupervisor(ScriptedExchange(), "test", FAST, draw=lambda: 0.5), LinkLog(), []
    supervisor.listen(links)
    klines, ticker = Script(), Script()

    async def record(data: Any) -> None:
        got.append(data)

    supervisor.add("klines", klines, record)
    supervisor.add("ticker", ticker, record)
    supervisor.start()
    try:
        for script in (klines, ticker):
            script.outcomes.put_nowait("first")
        await eventually(lambda: supervisor.up, what="up")
        for _ in range(3):                                        # both fail, again and again
            klines.outcomes.put_nowait(ccxt.NetworkError("connection closed"))
            ticker.outcomes.put_nowait(ccxt.RequestTimeout("ping-pong keepalive missing"))
        await eventually(lambda: klines.calls >= 4 and ticker.calls >= 4, what="the retries")
        assert not supervisor.up and links.kinds() == ["down"]
        klines.outcomes.put_nowait("back")
        await eventually(lambda: "back" in got, what="the first update after the drop")
        assert not supervisor.up                                  # the ticker has not come back yet
        ticker.outcomes.put_nowait("back too")
        await eventually(lambda: supervisor.up, what="up again")
    finally:
        await supervisor.stop()

    assert links.kinds() == ["down", "up"] and supervisor.reconnects == 1
    assert got.count("first") == 2 and "back too" in got
    assert links.changes[0][1] in ("connection closed", "ping-pong keepalive missing")


async def test_a_crash_in_an_update_handler_does_not_end_the_stream() -> None:
    supervisor, got = StreamSupervisor(ScriptedExchange(), "test", FAST), []
    stream = Script()

    async def fragile(data: Any) -> None:
        if data == "bad":
            raise KeyError("unexpected field")
        got.append(data)

    supervisor.add("orders", stream, fragile)
    supervisor.start()
    try:
        for item in ("bad", "good"):
            stream.outcomes.put_nowait(item)
        await eventually(lambda: got == ["good"], what="the update after the bad one")
    finally:
        await supervisor.stop()
