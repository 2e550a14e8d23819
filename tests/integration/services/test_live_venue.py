"""The live venue on the fake Binance: what start-up refuses, the key check, persistence across a restart."""
from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any, AsyncIterator

import pytest

from tests.fakes.exchange_api import FakeExchange
from tests.fakes.exchange_markets import perp_market, spot_market
from tests.fakes.live_broker import SPOT, load_instruments, signed_options
from trading.adapters.ccxt_broker import LiveOptions
from trading.adapters.ccxt_client import create_exchange
from trading.adapters.clocks import ManualClock
from trading.adapters.sqlite_store import SqliteStore
from trading.domain.errors import ConfigurationError, InvalidInput
from trading.domain.instruments import Instrument
from trading.domain.orders import OrderIntent, Side
from trading.secrets import ExchangeKeys, SecretVault, key_file_path
from trading.services.event_bus import EventBus
from trading.services.live_venue import LiveVenue, live_venue
from trading.settings import Settings, load_settings

JULY_1_2025_MS = 1_751_328_000_000
MASTER = "master key for the tests"


@pytest.fixture
async def fake() -> AsyncIterator[FakeExchange]:
    async with FakeExchange([spot_market("BTC"), perp_market("BTC")], ManualClock(JULY_1_2025_MS + 30_000)) as fake:
        yield fake


@pytest.fixture
async def instruments(fake: FakeExchange) -> dict[str, Instrument]:
    exchange = create_exchange("binance", signed_options(fake))
    found = await load_instruments(exchange)
    await exchange.close()
    return found


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SqliteStore]:
    store = SqliteStore(tmp_path / "trading.sqlite", ManualClock(1))
    await store.open()
    yield store
    await store.close()


def settings_for(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, options: dict[str, Any],
                 **overrides: Any) -> Settings:
    monkeypatch.chdir(tmp_path)          # no stray .env
    values = {"trading_mode": "live", "data_dir": tmp_path, "master_key": MASTER, "exchange": "binance",
              "exchange_options": json.dumps({**options, "rateLimit": 1, "timeout_on_exit": 0})} | overrides
    return load_settings(**values)


async def open_venue(settings: Settings, fake: FakeExchange, store: SqliteStore,
                     instruments: dict[str, Instrument]) -> LiveVenue:
    return await live_venue(settings, fake.clock, store, EventBus(store), instruments,
                            options=LiveOptions(placement_delays_s=(0.0, 0.0, 0.0)))


async def test_live_refuses_to_start_without_master_key(tmp_path, monkeypatch, fake, store, instruments) -> None:
    settings = settings_for(tmp_path, monkeypatch, signed_options(fake), master_key="")

    with pytest.raises(ConfigurationError, match="needs MASTER_KEY"):
        await open_venue(settings, fake, store, instruments)


async def test_live_refuses_to_start_without_keys(tmp_path, monkeypatch, fake, store, instruments) -> None:
    settings = settings_for(tmp_path, monkeypatch, fake.options())

    with pytest.raises(ConfigurationError, match="run `trading-assistant keys set`"):
        await open_venue(settings, fake, store, instruments)


async def test_live_refuses_a_master_key_that_does_not_unlock_the_keys(
        tmp_path, monkeypatch, fake, store, instruments) -> None:
    SecretVault(key_file_path(tmp_path), "another key").set_exchange_keys(ExchangeKeys("k" * 20, "s" * 20))
    settings = settings_for(tmp_path, monkeypatch, fake.options())

    with pytest.raises(ConfigurationError, match="MASTER_KEY does not unlock"):
        await open_venue(settings, fake, store, instruments)


async def test_live_refuses_a_key_that_can_withdraw(tmp_path, monkeypatch, fake, store, instruments) -> None:
    fake.account.restrictions["enableWithdrawals"] = True
    settings = settings_for(tmp_path, monkeypatch, signed_options(fake))

    with pytest.raises(ConfigurationError, match="can withdraw funds: live trading refuses it"):
        await open_venue(settings, fake, store, instruments)


async def test_live_futures_refuses_a_key_without_futures_permission(
        tmp_path, monkeypatch, fake, store, instruments) -> None:
    fake.account.restrictions["enableFutures"] = False
    settings = settings_for(tmp_path, monkeypatch, signed_options(fake), market_type="futures")

    with pytest.raises(ConfigurationError, match="may not trade futures"):
        await open_venue(settings, fake, store, instruments)


async def test_keys_from_the_encrypted_file_trade_and_the_state_survives_a_restart(
        tmp_path, monkeypatch, fake, store, instruments) -> None:
    SecretVault(key_file_path(tmp_path), MASTER).set_exchange_keys(ExchangeKeys(fake.account.api_key,
                                                                               fake.account.secret))
    settings = settings_for(tmp_path, monkeypatch, fake.options())
    venue = await open_venue(settings, fake, store, instruments)
    first = await venue.restore()
    order = await venue.broker.place(OrderIntent(SPOT, Side.BUY, amount=Decimal("0.01"), client_order_id="ta-1"))
    await venue.settle()
    await venue.close()

    again = await open_venue(settings, fake, store, instruments)
    report = await again.restore()
    await again.close()

    assert first.clean and report.clean and first.balances == {"USDT": Decimal(10_000)}
    (position,) = await again.broker.positions()
    assert position.amount == Decimal("0.01") and again.broker.orders.known_client_id("ta-1") == order
    async with store.db.execute("SELECT venue, client_order_id, status FROM orders") as cur:
        assert await cur.fetchall() == [("live-binance-spot", "ta-1", "filled")]
    async with store.db.execute("SELECT kind FROM events ORDER BY id") as cur:
        assert [k for (k,) in await cur.fetchall()] == ["order_placed", "order_filled", "position_opened"]


async def test_a_live_account_is_not_reset_from_the_bot(tmp_path, monkeypatch, fake, store, instruments) -> None:
    venue = await open_venue(settings_for(tmp_path, monkeypatch, signed_options(fake)), fake, store, instruments)

    with pytest.raises(InvalidInput, match="cannot be reset"):
        await venue.reset()
    await venue.close()
