"""The paper futures account as the composition root builds it: the leverage settings, and funding while it runs.

Bundled replay, clock at 2025-07-22 07:59 UTC: BTC/USDT last 117,877.83. /short 1000 USDT sells
floor5(1000 / 117,877.83) = 0.00848 BTC at 117,877.83 x 0.9998 = 117,854.254434 -> floor to tick 117,854.25:
notional 999.40404. At 3x the margin is 333.13468; at 10x, 99.940404.
At 08:01 the last price is 117,871.17; the 08:00 funding at the baseline rate 0.0001 pays the short
0.00848 x 117,871.17 x 0.0001 = 0.09995475216 (funding_paid is negative: received).
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal as D

import pytest

from tests.fakes.shared_data import shared_data_path
from trading.adapters.clocks import ManualClock
from trading.adapters.replay_market_data import ReplayMarketData, load_replay_series
from trading.adapters.sqlite_store import SqliteStore
from trading.bootstrap import paper_account
from trading.domain.errors import InvalidInput
from trading.domain.manual_orders import Size, SizeKind
from trading.domain.money import booked
from trading.domain.positions import PositionSide
from trading.engine.trading_engine import TradingEngine
from trading.services.engine_settings import engine_settings
from trading.services.entry_gate import EntryGate
from trading.services.event_bus import EventBus
from trading.services.paper_venue import PaperVenue
from trading.services.portfolio import PortfolioService
from trading.settings import Settings

JULY_22_0759 = 1_753_171_140_000
JULY_22_0801 = 1_753_171_260_000
JULY_2_0759 = 1_751_443_140_000
JULY_2_0801 = 1_751_443_260_000


@dataclass
class Account:
    """A paper futures account as bootstrap wires it, and the engine whose brakes its gate reads."""

    portfolio: PortfolioService
    venue: PaperVenue
    clock: ManualClock
    store: SqliteStore
    engine: TradingEngine


async def futures_account(folder, now_ms: int, spec: str = "replay", **overrides: object) -> Account:
    """Return a paper futures account wired by bootstrap.paper_account, its clock at now_ms."""
    settings = Settings(_env_file=None, market_data=spec, data_dir=folder, market_type="futures", **overrides)
    clock = ManualClock(now_ms)
    market = ReplayMarketData(load_replay_series(spec), clock)
    store = SqliteStore(folder / "trading.sqlite", clock)
    await store.open()
    engine = TradingEngine(engine_settings(settings))
    gate = EntryGate(engine, clock)
    venue = await paper_account(settings, clock, market, store, EventBus(store), gate, spec)
    portfolio = PortfolioService(venue, market, clock, "paper", gate)
    return Account(portfolio, venue, clock, store, engine)


async def test_a_paper_short_opens_at_futures_leverage(tmp_path):
    a = await futures_account(tmp_path, JULY_22_0759, futures_leverage="3")
    await a.portfolio.short("BTC/USDT", D(1000))
    [position] = await a.venue.broker.positions()
    assert (position.side, position.amount, position.entry_price) == (PositionSide.SHORT, D("0.00848"),
                                                                      D("117854.25"))
    assert (position.leverage, position.margin) == (3, D("333.13468"))
    await a.store.close()


async def test_max_leverage_caps_futures_leverage(tmp_path):
    a = await futures_account(tmp_path, JULY_22_0759, futures_leverage="20",
                                                       max_leverage="10")
    await a.portfolio.short("BTC/USDT", D(1000))
    [position] = await a.venue.broker.positions()
    assert (position.leverage, position.margin) == (10, D("99.940404"))
    await a.store.close()


async def test_a_short_held_across_a_funding_time_receives_the_baseline_rate(tmp_path):
    a = await futures_account(tmp_path, JULY_22_0759, futures_leverage="3")
    await a.portfolio.short("BTC/USDT", D(1000))
    a.clock.set(JULY_22_0801)
    await a.venue.trade_at("BTC/USDT", D("117871.17"))
    [position] = await a.venue.broker.positions()
    assert position.funding_paid == D("-0.09995475")       # -0.09995475216 booked to 8 decimal places
    [(saved,)] = await (await a.store.db.execute("SELECT funding_paid FROM positions WHERE status = 'open'")).fetchall()
    assert D(saved) == D("-0.09995475")
    await a.store.close()


async def test_funding_comes_from_the_replayed_folders_funding_file(tmp_path):
    # 2025-07-02 08:00 UTC: Binance's published BTCUSDT rate 0.00003403 (BTCUSDT-PERP-funding-8h.csv.gz)
    folder = shared_data_path("BTCUSDT-PERP-funding-8h.csv.gz").parent
    a = await futures_account(tmp_path, JULY_2_0759, f"replay:{folder}",
                                                           symbols="BTC/USDT")
    await a.portfolio.short("BTC/USDT", D(1000))
    [opened] = await a.venue.broker.positions()
    a.clock.set(JULY_2_0801)
    await a.venue.trade_at("BTC/USDT", D("105000"))
    [position] = await a.venue.broker.positions()
    assert position.funding_paid == booked(-opened.amount * D("105000") * D("0.00003403"))
    await a.store.close()


async def test_under_the_kill_switch_a_buy_under_a_short_is_refused_and_a_cover_reduces_it(tmp_path):
    a = await futures_account(tmp_path, JULY_22_0759, futures_leverage="3")
    await a.portfolio.short("BTC/USDT", D(1000))
    a.engine.kill(False, "chat:1", "/kill", JULY_22_0759)
    # a /buy under a short is refused whatever the gate says (reversing or reducing): the exit commands reduce
    for quote in (D(2000), D(500)):
        with pytest.raises(InvalidInput, match=r"^Not placed: you hold a short of 0\.00848 BTC in BTC/USDT: /cover "
                           r"BTC/USDT AMOUNT \(or all\) reduces it, /close BTC/USDT closes it; /buy opens or adds to "
                           r"a long\.$"):
            await a.portfolio.buy("BTC/USDT", quote)
    await a.portfolio.cover("BTC/USDT", Size(SizeKind.AMOUNT, D("0.00424")))   # half the short bought back
    [position] = await a.venue.broker.positions()
    assert (position.side, position.amount) == (PositionSide.SHORT, D("0.00424"))
    await a.store.close()
