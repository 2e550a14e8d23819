"""The fake Binance's signed endpoints, driven by the real ccxt classes (groundwork for the brokers)."""
from __future__ import annotations

from typing import Any, AsyncIterator

import ccxt
import pytest

from tests.fakes.exchange_api import FakeExchange
from tests.integration.adapters.conftest import JULY_1_2025_MS
from trading.adapters.ccxt_client import create_exchange
from trading.adapters.clocks import ManualClock


@pytest.fixture(params=[("binance", "BTC/USDT"), ("binanceusdm", "BTC/USDT:USDT")], ids=["spot", "usdm"])
async def signed(request: pytest.FixtureRequest, fake_binance: FakeExchange) -> AsyncIterator[tuple[Any, str]]:
    """Return (ccxt exchange with the fake's keys, symbol) for spot and USDT-M futures."""
    exchange_id, symbol = request.param
    exchange = create_exchange(exchange_id, {**fake_binance.options(), "rateLimit": 1,
                                             "apiKey": fake_binance.account.api_key,
                                             "secret": fake_binance.account.secret})
    yield exchange, symbol
    await exchange.close()


async def test_order_is_found_by_its_client_id_and_a_duplicate_is_refused_while_open(
        signed: tuple[Any, str], fake_binance: FakeExchange) -> None:
    exchange, symbol = signed
    placed = await exchange.create_order(symbol, "limit", "buy", 0.01, 90_000, {"clientOrderId": "d-42"})

    found = await exchange.fetch_order(None, symbol, {"clientOrderId": "d-42"})
    with pytest.raises(ccxt.ExchangeError, match="-2010|-4116"):
        await exchange.create_order(symbol, "limit", "buy", 0.01, 90_000, {"clientOrderId": "d-42"})

    assert (found["id"], found["clientOrderId"], found["status"]) == (placed["id"], "d-42", "open")
    assert [o["id"] for o in await exchange.fetch_open_orders(symbol)] == [placed["id"]]


async def test_cancelled_order_leaves_the_open_orders(signed: tuple[Any, str]) -> None:
    exchange, symbol = signed
    placed = await exchange.create_order(symbol, "limit", "sell", 0.01, 200_000)

    cancelled = await exchange.cancel_order(placed["id"], symbol)

    assert cancelled["status"] == "canceled" and await exchange.fetch_open_orders(symbol) == []
    with pytest.raises(ccxt.OrderNotFound):
        await exchange.fetch_order("999", symbol)


async def test_market_buy_fills_at_the_ask_and_moves_the_account(signed: tuple[Any, str],
                                                                 fake_binance: FakeExchange) -> None:
    exchange, symbol = signed

    filled = await exchange.create_order(symbol, "market", "buy", 0.01)

    assert filled["status"] == "closed" and filled["filled"] == 0.01
    if symbol == "BTC/USDT":
        balance = await exchange.fetch_balance()
        assert balance["BTC"]["total"] == 0.01
        assert balance["USDT"]["total"] == pytest.approx(10_000 - 0.01 * filled["average"])
    else:
        (position,) = await exchange.fetch_positions([symbol])
        assert (position["side"], position["contracts"], position["entryPrice"]) == ("long", 0.01,
                                                                                    filled["average"])


async def test_resting_limit_fills_once_a_closed_candle_trades_through_it(
        signed: tuple[Any, str], clock: ManualClock) -> None:
    exchange, symbol = signed
    ticker = await exchange.fetch_order_book(symbol, 5)
    placed = await exchange.create_order(symbol, "limit", "buy", 0.01, round(ticker["bids"][0][0] * 0.999, 1))

    clock.set(JULY_1_2025_MS + 7 * 86_400_000)        # a week on: the price has dipped 0.1% at some point
    later = await exchange.fetch_order(placed["id"], symbol)

    assert (placed["status"], later["status"]) == ("open", "closed")


async def test_wrong_secret_is_refused_as_an_authentication_error(signed: tuple[Any, str]) -> None:
    exchange, _ = signed
    exchange.secret = "not-the-secret"

    with pytest.raises(ccxt.AuthenticationError, match="-1022"):
        await exchange.fetch_balance()
