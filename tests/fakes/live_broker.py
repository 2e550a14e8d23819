"""A CcxtBroker on the fake Binance, with fast retries whose waits are recorded and events collected."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable

from tests.fakes.exchange_api import FakeExchange
from trading.adapters.ccxt_broker import CcxtBroker, LiveOptions
from trading.adapters.ccxt_client import create_exchange
from trading.adapters.ccxt_instruments import instrument_from_market
from trading.adapters.exchange_account import ExchangeAccount
from trading.adapters.exchange_requests import RetryPolicy
from trading.domain.events import Event, EventKind
from trading.domain.instruments import Instrument, MarketKind
from trading.ports import Clock

SPOT = "BTC/USDT"
PERP = "BTC/USDT:USDT"


def signed_options(fake: FakeExchange, timeout_ms: int = 400) -> dict[str, Any]:
    """Return the ccxt config for the fake with its API keys and a short client timeout."""
    # timeout_on_exit: ccxt sleeps 250 ms in close() by default, for sockets a local server does not need
    return {**fake.options(), "rateLimit": 1, "timeout": timeout_ms, "timeout_on_exit": 0,
            "apiKey": fake.account.api_key, "secret": fake.account.secret}


# parsed once per exchange class and set of markets listed (a fake may list only a perpetual, or only spot)
_MARKETS: dict[tuple[str, tuple[str, ...]], tuple[Any, Any]] = {}


async def load_instruments(exchange: Any, fake: FakeExchange | None = None) -> dict[str, Instrument]:
    """Return the exchange's markets as Instruments (what the market data adapter would give)."""
    listed = tuple(f"{kind}:{m.market_id}" for kind in MarketKind for m in fake.board.listed(kind)) if fake else ()
    if (exchange.id, listed) in _MARKETS:
        exchange.set_markets(*_MARKETS[exchange.id, listed])
    else:
        await exchange.load_markets()
        _MARKETS[exchange.id, listed] = (list(exchange.markets.values()), exchange.currencies)
    markets = exchange.markets
    found = (instrument_from_market(m, exchange.precisionMode) for m in markets.values())
    return {i.symbol: i for i in found if i is not None}


@dataclass
class LiveRig:
    """A broker on the fake with what it emitted, the waits it slept and how often it checkpointed."""

    broker: CcxtBroker
    events: list[Event] = field(default_factory=list)
    waits: list[float] = field(default_factory=list)
    checkpoints: int = 0

    def kinds(self) -> list[EventKind]:
        """Return the kinds of the events emitted, in order."""
        return [e.kind for e in self.events]

    async def checkpoint(self) -> None:
        """Count a checkpoint."""
        self.checkpoints += 1

    async def sleep(self, seconds: float) -> None:
        """Record a wait instead of sleeping."""
        self.waits.append(seconds)

    async def close(self) -> None:
        """Close the broker's HTTP session."""
        await self.broker.account.close()


MARKETS_TIMEOUT_MS = 20_000


async def live_rig(fake: FakeExchange, clock: Clock, *, futures: bool = False, exchange_id: str | None = None,
                   options: LiveOptions = LiveOptions(), timeout_ms: int = 400,
                   resync: Callable[[], Awaitable[object]] | None = None) -> LiveRig:
    """Return a LiveRig whose broker trades the fake's spot (or USDT-M futures) account on clock's time."""
    exchange_id = exchange_id or ("binanceusdm" if futures else "binance")
    # the markets load with room for a loaded machine (their JSON is large, and a timeout there is not what any
    # test is about); timeout_ms, short so that held requests fail fast, applies from the first trading call
    exchange = create_exchange(exchange_id, signed_options(fake, MARKETS_TIMEOUT_MS))
    instruments = await load_instruments(exchange, fake)
    exchange.timeout = timeout_ms
    rig = LiveRig(None)  # type: ignore[arg-type]
    account = ExchangeAccount(exchange, clock, futures, RetryPolicy(attempts=3, base_delay_s=0.01, sleep=rig.sleep),
                              resync=resync)
    rig.broker = CcxtBroker(account, instruments, clock, options=options, sleep=rig.sleep)
    rig.broker.attach(rig.events.append, rig.checkpoint)
    return rig
