"""The fake Binance answers klines like Binance does, so the adapter tests against it mean something."""
from __future__ import annotations

import json
from typing import Any

import aiohttp
import pytest

from tests.fakes.exchange_api import FakeExchange
from tests.fakes.exchange_markets import shifted, spot_market
from tests.fakes.shared_data import load_candles
from tests.integration.adapters.conftest import JULY_1_2025_MS
from trading.adapters.clocks import ManualClock

MINUTE = 60_000
NOW = JULY_1_2025_MS + 30_000          # the clock fixture: 30 s into the 00:00 minute


async def get(fake: FakeExchange, path: str, **params: Any) -> tuple[int, Any]:
    """Return (status, body) of a GET to the fake: parsed JSON, or the text when it is not JSON."""
    async with aiohttp.ClientSession() as session:
        async with session.get(fake.base_url + path, params={k: str(v) for k, v in params.items()}) as response:
            text = await response.text()
            return response.status, json.loads(text) if response.content_type == "application/json" else text


async def test_klines_without_times_are_the_newest_with_the_forming_one_last(fake_binance: FakeExchange) -> None:
    status, rows = await get(fake_binance, "/api/v3/klines", symbol="BTCUSDT", interval="1m", limit=3)

    assert status == 200 and [r[0] for r in rows] == [NOW - 30_000 - 2 * MINUTE, NOW - 30_000 - MINUTE,
                                                      JULY_1_2025_MS]
    assert rows[-1][5] == "0.00000000" and rows[0][6] == rows[0][0] + MINUTE - 1     # forming; closeTime


async def test_klines_from_start_time_are_the_first_limit_after_it(fake_binance: FakeExchange) -> None:
    start = JULY_1_2025_MS - 10 * MINUTE

    _, rows = await get(fake_binance, "/api/v3/klines", symbol="BTCUSDT", interval="1m", startTime=start, limit=4)

    assert [r[0] for r in rows] == [start + i * MINUTE for i in range(4)]


async def test_klines_up_to_end_time_are_the_newest_limit_before_it(fake_binance: FakeExchange) -> None:
    end = JULY_1_2025_MS - 10 * MINUTE

    _, rows = await get(fake_binance, "/api/v3/klines", symbol="BTCUSDT", interval="1m", endTime=end, limit=2)

    assert [r[0] for r in rows] == [end - MINUTE, end]


async def test_klines_between_times_start_at_start_time(fake_binance: FakeExchange) -> None:
    start, end = JULY_1_2025_MS - 10 * MINUTE, JULY_1_2025_MS - 5 * MINUTE

    _, rows = await get(fake_binance, "/api/v3/klines", symbol="BTCUSDT", interval="1m", startTime=start,
                        endTime=end, limit=1000)

    assert [r[0] for r in rows] == [start + i * MINUTE for i in range(6)]


@pytest.mark.parametrize(("path", "cap"), [("/api/v3/klines", 1000), ("/fapi/v1/klines", 1500)])
async def test_klines_limit_is_capped_like_binance(fake_binance: FakeExchange, path: str, cap: int) -> None:
    interval = "1m" if path.startswith("/api") else "1h"

    _, rows = await get(fake_binance, path, symbol="BTCUSDT", interval=interval, startTime=0, limit=5000)

    assert len(rows) == cap


async def test_closed_klines_are_the_real_candles_as_binance_text(fake_binance: FakeExchange) -> None:
    _, rows = await get(fake_binance, "/api/v3/klines", symbol="BTCUSDT", interval="1m", limit=2)

    real = load_candles("BTCUSDT-1m.csv.gz").closed_before(JULY_1_2025_MS)
    assert rows[0][:6] == [int(real.open_ms[-1]), *(f"{getattr(real, c)[-1]:.8f}"
                                                    for c in ("open", "high", "low", "close", "volume"))]


async def test_forming_quarter_hour_is_built_from_its_closed_minutes(fake_binance: FakeExchange,
                                                                     clock: ManualClock) -> None:
    clock.set(JULY_1_2025_MS + 7 * MINUTE + 30_000)

    _, rows = await get(fake_binance, "/api/v3/klines", symbol="BTCUSDT", interval="15m", limit=1)

    minutes = load_candles("BTCUSDT-1m.csv.gz")
    inside = minutes[int(minutes.open_ms.searchsorted(JULY_1_2025_MS)):][:7]
    assert [float(x) for x in rows[0][1:6]] == [inside.open[0], inside.high.max(), inside.low.min(),
                                                inside.close[-1], pytest.approx(inside.volume.sum())]


async def test_unknown_symbol_is_binances_invalid_symbol(fake_binance: FakeExchange) -> None:
    status, body = await get(fake_binance, "/api/v3/klines", symbol="BTCUSD", interval="1m")

    assert (status, body) == (400, {"code": -1121, "msg": "Invalid symbol."})


async def test_fault_hits_only_its_path_and_only_count_times(fake_binance: FakeExchange) -> None:
    fake_binance.inject_server_error(count=2, path="/api/v3/klines", status=502)

    statuses = [(await get(fake_binance, "/api/v3/time"))[0]]
    for _ in range(3):
        statuses.append((await get(fake_binance, "/api/v3/klines", symbol="BTCUSDT", interval="1h"))[0])

    assert statuses == [200, 502, 502, 200] and fake_binance.count("/api/v3/klines") == 3


async def test_rate_limit_fault_sends_retry_after(fake_binance: FakeExchange) -> None:
    fake_binance.inject_rate_limit(retry_after_s=9)

    async with aiohttp.ClientSession() as session:
        async with session.get(fake_binance.base_url + "/fapi/v1/time") as response:
            assert (response.status, response.headers["Retry-After"]) == (429, "9")


async def test_unknown_route_is_a_loud_404(fake_binance: FakeExchange) -> None:
    status, body = await get(fake_binance, "/sapi/v1/capital/config/getall")

    assert status == 404 and "no route GET /sapi/v1/capital/config/getall" in body


async def test_shifted_market_serves_the_same_candles_whole_days_later(clock: ManualClock) -> None:
    offset = 400 * 86_400_000
    clock.set(JULY_1_2025_MS + offset + 30_000)
    async with FakeExchange([shifted(spot_market("BTC"), offset)], clock) as fake:
        _, rows = await get(fake, "/api/v3/klines", symbol="BTCUSDT", interval="1h", limit=2)

    real = load_candles("BTCUSDT-1h.csv.gz").closed_before(JULY_1_2025_MS)
    assert (rows[0][0], float(rows[0][4])) == (int(real.open_ms[-1]) + offset, float(real.close[-1]))
