"""Duplicate safety across a crash: a bot process killed (SIGKILL) while its order is on the way, restarted.

The fake exchange runs in the test process; the bot is tests/fakes/order_process.py, a separate Python
process with the real live venue, broker and SQLite store. Whatever the moment of the kill, after the
restart exactly one order with the intent's client id exists on the exchange, and the position is there.
"""
from __future__ import annotations

import asyncio
import json
import signal
import sys
from pathlib import Path
from typing import Any, Callable

import pytest

from tests.fakes.exchange_api import FakeExchange
from tests.fakes.live_broker import signed_options
from trading.adapters.clocks import ManualClock

REPO = Path(__file__).resolve().parents[3]
CLIENT_ID = "ta-kill-0001"


async def start(fake: FakeExchange, clock: ManualClock, data_dir: Path, futures: bool) -> asyncio.subprocess.Process:
    options = json.dumps({**signed_options(fake, timeout_ms=5_000), "timeout_on_exit": 0})
    args = ["-m", "tests.fakes.order_process", "--data-dir", str(data_dir), "--options", options,
            "--now-ms", str(clock.now_ms()), "--client-id", CLIENT_ID] + (["--futures"] if futures else [])
    return await asyncio.create_subprocess_exec(sys.executable, *args, cwd=REPO, stdout=asyncio.subprocess.PIPE,
                                                stderr=asyncio.subprocess.PIPE)


async def until(condition: Callable[[], bool], seconds: float = 20.0) -> None:
    for _ in range(int(seconds / 0.02)):
        if condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("timed out waiting")


async def kill(process: asyncio.subprocess.Process) -> None:
    process.send_signal(signal.SIGKILL)
    await process.wait()
    assert process.returncode == -signal.SIGKILL


async def run_to_end(process: asyncio.subprocess.Process) -> dict[str, dict[str, Any]]:
    out, err = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 0, err.decode()[-2000:]
    lines = [json.loads(line) for line in out.decode().splitlines() if line.startswith("{")]   # not log lines
    return {line["stage"]: line for line in lines}


@pytest.mark.parametrize("futures", [False, True], ids=["spot", "usdm"])
async def test_killed_after_the_order_reached_the_exchange_the_restart_adopts_it_and_sends_nothing(
        tmp_path: Path, fake_binance: FakeExchange, clock: ManualClock, futures: bool) -> None:
    order_path = "/fapi/v1/order" if futures else "/api/v3/order"
    fake_binance.inject_lost_response(seconds=30, path=order_path, method="POST")   # applied; answer never comes
    first = await start(fake_binance, clock, tmp_path, futures)
    await until(lambda: any(o.client_id == CLIENT_ID for o in fake_binance.account.orders))
    await kill(first)
    fake_binance.faults.clear()

    second = await run_to_end(await start(fake_binance, clock, tmp_path, futures))

    (order,) = [o for o in fake_binance.account.orders if o.client_id == CLIENT_ID]
    assert fake_binance.count(order_path, "POST") == 1
    assert second["reconciled"]["adopted"] == [CLIENT_ID]
    assert second["placed"]["order_id"] == str(order.order_id) and second["placed"]["status"] == "filled"
    assert [amount for _, amount in second["placed"]["positions"]] == ["0.01"]


async def test_killed_before_the_order_reached_the_exchange_the_restart_sends_it_once(
        tmp_path: Path, fake_binance: FakeExchange, clock: ManualClock) -> None:
    fake_binance.inject_hang(seconds=30, path="/api/v3/order")        # held before the exchange takes it
    first = await start(fake_binance, clock, tmp_path, futures=False)
    await until(lambda: fake_binance.count("/api/v3/order", "POST") == 1)
    await kill(first)
    fake_binance.faults.clear()

    second = await run_to_end(await start(fake_binance, clock, tmp_path, futures=False))

    assert [o.client_id for o in fake_binance.account.orders] == [CLIENT_ID]
    assert second["reconciled"]["unsent"] == [CLIENT_ID] and second["placed"]["status"] == "filled"
    assert second["placed"]["positions"] == [["BTC/USDT", "0.01"]]
