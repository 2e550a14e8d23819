"""The composition root's half for market data: the exchange's feed (REST, or streamed over WebSocket) on the
exchange's clock, or a replay of recorded candles on a replayed clock. Called by trading.bootstrap only.
"""
from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from trading.adapters.clocks import ReplayClock, WallClock
from trading.adapters.exchange_clock import ExchangeClock
from trading.adapters.replay_market_data import ReplayMarketData, load_replay_series
from trading.adapters.sqlite_store import SqliteStore
from trading.domain.errors import ConfigurationError, TradingError
from trading.logs import get_logger
from trading.ports import Clock, MarketData
from trading.settings import Settings

if TYPE_CHECKING:   # ccxt (~90 MB) is imported only by a process that reads live data
    from trading.adapters.ccxt_streams import StreamingMarketData
    from trading.adapters.stream_supervisor import StreamPolicy

log = get_logger(__name__)

REPLAY_WARMUP_MS = 21 * 86_400_000   # 500+ hourly candles of history before the replay starts
LIVE_PROBE_TIMEOUT_S = 10.0


def market_data_spec(settings: Settings) -> str:
    """Return which feed to use: the offline demo replays the bundled sample unless told otherwise."""
    if settings.exchange == "replay":
        return settings.market_data if settings.market_data.startswith("replay") else "replay"
    if settings.demo and "market_data" not in settings.model_fields_set:
        return "replay"
    return settings.market_data


def replay_refresh_s(speed: float) -> float:
    """Return how often to poll a replay: about once per replayed minute, between 0.2 s and 1 s."""
    return max(0.2, min(1.0, 60.0 / speed))


def replay_feed(spec: str, speed: float) -> tuple[ReplayMarketData, ReplayClock]:
    """Return a replay feed and its clock, started after a warm-up so indicators have history."""
    series = load_replay_series(spec)
    label = "bundled sample (Binance 1m, July 2025)" if spec == "replay" else spec.removeprefix("replay:")
    probe = ReplayMarketData(series, WallClock(), label)
    first, last = probe.span_ms
    start = min(first + REPLAY_WARMUP_MS, max(first, last - 86_400_000))
    clock = ReplayClock(start, speed)
    return ReplayMarketData(series, clock, label), clock


def stream_policy(settings: Settings) -> "StreamPolicy":
    """Return how live streams are watched: STREAM_STALL_SECONDS, with a heartbeat three times as often."""
    from trading.adapters.stream_supervisor import StreamPolicy

    stall = settings.stream_stall_seconds
    return StreamPolicy(heartbeat_s=min(10.0, stall / 3), stall_s=stall)


def streaming_wanted(settings: Settings) -> bool:
    """Return True when live data should stream over WebSocket (MARKET_STREAMS=ws and ccxt streams EXCHANGE)."""
    from trading.adapters.ccxt_client import streams_supported

    if settings.market_streams != "ws":
        return False
    if not streams_supported(settings.exchange):
        log.warning("ccxt has no WebSocket streams for this exchange; polling REST", exchange=settings.exchange)
        return False
    return True


async def live_feed(settings: Settings, clock: ExchangeClock, cache: SqliteStore) -> MarketData:
    """Return the ccxt feed (candles cached in SQLite) on the exchange's clock, measured once here.

    With MARKET_STREAMS=ws it streams over WebSocket, the REST feed underneath. Raise TradingError when the
    exchange is unreachable; a failed clock measurement only keeps the machine's time until the next one
    (ExchangeTimeKeeper retries it within a minute).
    """
    from trading.adapters.ccxt_market_data import CcxtMarketData  # imported lazily: ccxt loads slowly

    streaming, policy = streaming_wanted(settings), stream_policy(settings)
    feed = CcxtMarketData(settings.exchange, clock=clock, sandbox=settings.exchange_testnet,
                          options=settings.exchange_config, cache=cache, progress=cache, streaming=streaming,
                          heartbeat_ms=int(policy.heartbeat_s * 1000))
    clock.measure_with(feed.server_time)
    try:
        await asyncio.wait_for(feed.instruments(), LIVE_PROBE_TIMEOUT_S)
    except (TradingError, asyncio.TimeoutError, OSError) as exc:
        await feed.close()
        raise TradingError(f"{settings.exchange} unreachable: {exc or 'timed out'}") from exc
    await clock.sync()       # before the first candle: which one has closed is the exchange's to say
    if streaming:
        from trading.adapters.ccxt_streams import StreamingMarketData

        return StreamingMarketData(feed, policy)
    return feed


async def market_feed(settings: Settings, store: SqliteStore, machine: Clock | None = None
                      ) -> tuple[MarketData, Clock, float, str]:
    """Return the market feed, its clock, how often to poll it, and the feed actually used (live or replay)."""
    spec = market_data_spec(settings)
    if not spec.startswith("replay"):
        try:
            clock = ExchangeClock(machine or WallClock(), sync_every_ms=settings.exchange_time_sync_minutes * 60_000)
            return await live_feed(settings, clock, store), clock, 10.0, spec
        except TradingError as exc:
            if settings.mode == "live":   # never trade real money on replayed prices
                raise ConfigurationError(f"Live trading needs the exchange's market data: {exc}") from exc
            log.warning("live market data unavailable, falling back to the bundled replay", error=str(exc))
            spec = "replay"
    market, replay_clock = replay_feed(spec, settings.replay_speed)
    return market, replay_clock, replay_refresh_s(settings.replay_speed), spec


def streaming_feed(market: MarketData) -> "StreamingMarketData | None":
    from trading.adapters.ccxt_streams import StreamingMarketData   # live data only: ccxt is loaded already

    return market if isinstance(market, StreamingMarketData) else None
