"""A paper account wired as the bot wires it, on replayed real BTC/USDT minutes and a manual clock."""
from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path

from tests.fakes.recording_notifier import RecordingNotifier
from tests.fakes.shared_data import load_candles
from trading.adapters.clocks import ManualClock
from trading.adapters.replay_market_data import ReplayMarketData
from trading.adapters.sqlite_ledger import ExecutionLedger
from trading.adapters.sqlite_store import SqliteStore
from trading.engine.trading_engine import TradingEngine
from trading.services.entry_gate import EntryGate
from trading.services.event_bus import EventBus
from trading.services.paper_venue import PaperVenue
from trading.services.portfolio import PortfolioService

JULY_1_NOON_MS = 1_751_371_200_000          # 2025-07-01 12:00 UTC, inside the real 1m file


@dataclass
class PaperAccount:
    """The pieces a service under test is built from."""

    clock: ManualClock
    market: ReplayMarketData
    store: SqliteStore
    events: EventBus
    pushed: RecordingNotifier
    ledger: ExecutionLedger
    venue: PaperVenue
    portfolio: PortfolioService
    engine: TradingEngine          # whose brakes the entry gate reads
    gate: EntryGate                # the venue's resting fills and the portfolio's entries pass it

    async def close(self) -> None:
        """Close the database."""
        await self.store.close()


async def paper_account(folder: Path, now_ms: int = JULY_1_NOON_MS, bases: tuple[str, ...] = ("BTC",),
                        price_band: tuple[Decimal, Decimal] | None = None) -> PaperAccount:
    """Return a 10,000 USDT spot paper account on replayed real minutes of bases/USDT, its clock at now_ms.

    price_band: the PERCENT_PRICE band the markets list, as an exchange's listing gives it (a replay has none).
    """
    clock = ManualClock(now_ms)
    market = ReplayMarketData({f"{b}/USDT": load_candles(f"{b}USDT-1m.csv.gz") for b in bases}, clock, "BTCUSDT-1m")
    store = SqliteStore(folder / "trading.sqlite", clock)
    await store.open()
    events, pushed = EventBus(store), RecordingNotifier()
    events.attach(pushed)
    ledger = ExecutionLedger(store, "paper-spot")
    engine = TradingEngine()
    gate = EntryGate(engine, clock)
    instruments = {s: replace(i, price_band=price_band) for s, i in (await market.instruments()).items()}
    venue = PaperVenue("spot", instruments, Decimal("10000"), ledger, store, events, clock,
                       entry_check=gate.vet_fill)
    await venue.restore()
    portfolio = PortfolioService(venue, market, clock, "paper", gate)
    return PaperAccount(clock, market, store, events, pushed, ledger, venue, portfolio, engine, gate)
