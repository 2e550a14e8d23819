"""/signals reads the trading loop's live analysis of the newest close instead of analysing the market again."""
import asyncio
import threading

import pytest

from tests.fakes.paper_account import JULY_1_NOON_MS, paper_account
from trading.domain.candles import Timeframe
from trading.services.signals import LIVE_LAG_BARS, SignalsService, load_view
from trading.services.loop_controls import DEFAULT_WINDOWS
from trading.strategies.base import MarketView
from trading.strategies.book import default_book

SYMBOL = "BTC/USDT"
MINUTE = 60_000


@pytest.fixture
async def account(tmp_path):
    account = await paper_account(tmp_path)
    yield account
    await account.close()


async def loop_tick(account, book) -> None:
    """Scan the market as the trading loop does at a close: its windows, through the shared book."""
    frames = {tf: await account.market.candles(SYMBOL, tf, n) for tf, n in DEFAULT_WINDOWS.items()}
    book.latest_signals(MarketView(SYMBOL, frames), since_ms=0)


async def test_signals_show_the_loops_analysis_of_the_newest_close_without_analysing_again(account):
    book = default_book()
    service = SignalsService(account.market, book, account.store, (SYMBOL,))
    await loop_tick(account, book)
    analysed = book.analyses.latest(SYMBOL)

    report = await service.report("")

    assert book.analyses.latest(SYMBOL) is analysed                  # nothing analysed anew
    assert report.picture.as_of_ms == JULY_1_NOON_MS
    assert list(report.recent) == [s.on_tick((await account.market.instruments())[SYMBOL])
                                   for s in book.scan_analysis(analysed)[-5:]]
    again = await service.report(SYMBOL)
    assert again == report


async def test_a_loop_one_close_behind_is_read_and_one_that_stopped_is_not(account):
    book = default_book()
    service = SignalsService(account.market, book, account.store, (SYMBOL,))
    await loop_tick(account, book)
    account.clock.advance(LIVE_LAG_BARS * MINUTE)                   # the loop is analysing the newest close

    behind = await service.report(SYMBOL)

    assert behind.picture.as_of_ms == JULY_1_NOON_MS
    account.clock.advance(MINUTE)                                    # the loop stopped: two closes behind

    fresh = await service.report(SYMBOL)

    assert fresh.picture.as_of_ms == JULY_1_NOON_MS + (LIVE_LAG_BARS + 1) * MINUTE
    assert book.analyses.latest(SYMBOL).view.frames[Timeframe.M1].open_ms[-1] + MINUTE == fresh.picture.as_of_ms


async def test_a_symbol_the_loop_never_analysed_is_analysed_at_the_newest_close(account):
    book = default_book()
    service = SignalsService(account.market, book, account.store, (SYMBOL,))

    report = await service.report(SYMBOL)

    view = await load_view(account.market, SYMBOL)
    assert report.picture == default_book().zones(view) and report.picture.as_of_ms == JULY_1_NOON_MS


async def test_a_strategy_switched_off_leaves_the_signals_at_once(account):
    book = default_book()
    service = SignalsService(account.market, book, account.store, (SYMBOL,))
    await loop_tick(account, book)
    shown = await service.report(SYMBOL)
    assert {s.strategy for s in shown.recent} - {"A"}, "the sample shows signals of several strategies"

    await service.switch("C", False)
    await service.switch("B", False)
    await service.switch("trend", False)

    assert {s.strategy for s in (await service.report(SYMBOL)).recent} <= {"A"}


async def test_signals_are_answered_while_the_loop_updates_the_analysis(account):
    book = default_book()
    service = SignalsService(account.market, book, account.store, (SYMBOL,))
    await loop_tick(account, book)
    held, release = threading.Event(), threading.Event()

    def updating() -> None:                  # the loop's worker thread, in the middle of an update
        with book.analyses._lock:
            held.set()
            release.wait(10)

    worker = threading.Thread(target=updating)
    worker.start()
    try:
        assert held.wait(10)
        report = await asyncio.wait_for(service.report(SYMBOL), 5)
    finally:
        release.set()
        worker.join(10)
    assert report.picture.as_of_ms == JULY_1_NOON_MS
