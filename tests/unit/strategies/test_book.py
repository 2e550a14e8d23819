from dataclasses import replace

import numpy as np
import pytest

from tests.fakes.market_views import real_btc_view
from trading.domain.candles import Timeframe
from trading.indicators.regime import Regime
from trading.indicators.timeframes import resample
from trading.strategies.base import MarketView
from trading.strategies.book import default_book
from trading.strategies.ict_c import TrendRetestStrategy
from trading.strategies.market_picture import Direction


def test_book_lists_the_strategies_and_switches_them_by_any_case():
    book = default_book()
    assert book.names == ("A", "B", "C", "trend", "ema_cross")
    assert book.set_enabled("TREND", False) == "trend"
    assert book.set_enabled("b", False) == "B"
    assert book.enabled == ("A", "C")
    book.set_enabled("Trend", True)
    assert book.enabled == ("A", "C", "trend")


def test_book_refuses_an_unknown_strategy_naming_the_known_ones():
    with pytest.raises(ValueError, match="use one of A, B, C, trend, ema_cross"):
        default_book().set_enabled("D", True)


def test_the_ema_cross_yardstick_is_off_unless_switched_on_by_name():
    book = default_book()
    assert book.enabled == ("A", "B", "C", "trend")
    assert book.set_enabled("EMA_CROSS", True) == "ema_cross"
    assert "ema_cross" in book.enabled
    assert default_book(enabled=["ema_cross"]).enabled == ("ema_cross",)


def test_a_disabled_strategy_produces_no_signals():
    view = real_btc_view(days=10)
    book = default_book(enabled=["B"])
    assert {s.strategy for s in book.scan(view)} == {"B"}


def test_latest_signals_hands_out_each_setup_once_even_when_rolling_windows_overlap():
    view = real_btc_view(days=10)
    start = int(view.frames[Timeframe.M1].open_ms[0])
    book = default_book()
    first = book.latest_signals(view.as_of(start + 6 * 86_400_000), since_ms=0)
    again = book.latest_signals(view.as_of(start + 6 * 86_400_000), since_ms=0)
    later = book.latest_signals(view, since_ms=0)
    assert first and again == []
    assert {s.setup_id for s in first}.isdisjoint(s.setup_id for s in later)
    assert len(first) + len(later) == len(default_book().scan(view))


def test_latest_signals_skips_what_was_known_before_since():
    view = real_btc_view(days=10)
    everything = default_book().scan(view)
    since = everything[len(everything) // 2].known_at_ms
    fresh = default_book().latest_signals(view, since)
    assert fresh == [s for s in everything if s.known_at_ms > since]


def test_zones_summarise_what_the_bot_sees_at_the_newest_close():
    view = real_btc_view(days=10)
    picture = default_book().zones(view)
    last = view.frames[Timeframe.M1].at(-1)
    assert picture.as_of_ms == last.open_ms + Timeframe.M1.ms
    assert float(picture.last_price) == last.close
    assert picture.regime in (Regime.BULL, Regime.BEAR)
    assert [t.timeframe for t in picture.trends] == ["1m", "15m", "1h"]
    assert all(t.direction is not Direction.NONE for t in picture.trends)
    assert 0 < len(picture.zones) <= 10
    assert picture.liquidity_above.price > picture.last_price > picture.liquidity_below.price
    assert {z.kind for z in picture.zones} <= {"FVG", "OB", "breaker"}


def test_a_month_of_real_btc_gives_plausible_signal_counts_per_strategy(capsys):
    view = real_btc_view(days=30)
    signals = default_book().scan(view)
    bars = {"1m": len(view.frames[Timeframe.M1]), "15m": len(view.frames[Timeframe.M1]) // 15}
    counts = {name: [s for s in signals if s.strategy == name] for name in ("A", "B", "C", "trend")}
    with capsys.disabled():
        print("\nsignals on 30 days of real 1m BTC/USDT:",
              ", ".join(f"{name} {len(found)}" for name, found in counts.items()))
    for name, found in counts.items():
        assert 0 < len(found) < bars[found[0].timeframe] / 10, name
        assert all(s.reward_risk is not None and s.risk_per_unit > 0 for s in found), name


def test_minute_by_minute_the_book_hands_out_exactly_the_signals_of_one_full_scan():
    # the book skips strategies whose finest timeframe did not close; nothing may be lost or added by that
    view = real_btc_view(days=6)
    full = default_book().scan(view)
    end = int(view.frames[Timeframe.M1].open_ms[-1]) + Timeframe.M1.ms
    start = end - 8 * 60 * Timeframe.M1.ms
    expected = [s.setup_id for s in full if start < s.known_at_ms <= end]
    book, seen = default_book(), []
    for close in range(start + Timeframe.M1.ms, end + 1, Timeframe.M1.ms):
        seen += [s.setup_id for s in book.latest_signals(view.as_of(close), close - Timeframe.M1.ms)]
    assert expected, "the stretch should hold signals for this test to mean something"
    assert seen == expected


def test_a_book_scanning_minute_after_minute_finds_what_its_strategies_find_each_minute():
    # the book reuses a strategy's last scan while none of its timeframes closed a candle. Windows as the loop
    # loads them, one minute apart (the 15m and 1h readers reused), 97 minutes apart (all scanned again), and
    # around the minutes A learns a setup (A scanned again within the hour), over the last day
    view = real_btc_view(days=4)
    minutes = view.frames[Timeframe.M1]
    ends = {end - step for end in range(len(minutes) - 1440, len(minutes) + 1, 97) for step in (0, 1, 2)}
    for known_at in [s.known_at_ms for s in default_book(["A"]).scan(view)][-3:]:
        at = int(np.searchsorted(minutes.open_ms, known_at))      # the window whose last close is known_at
        ends |= {at - 1, at}
    book, seen = default_book(), []
    for end in sorted(ends):
        window = loop_window(view, end)
        found = book.scan(window)

        analysis = book.analyses.analysis(window)        # the one the book read (the live history)
        scanned = [s for strategy in book.strategies[:4] for s in strategy.scan_analysis(analysis)]
        assert found == sorted(scanned, key=lambda s: (s.known_at_ms, s.strategy)), end
        seen.append(found)
    for name in ("A", "C"):                         # the day's signals come and go: a stale scan would show
        assert len({tuple(s.setup_id for s in found if s.strategy == name) for found in seen}) > 1, name


def loop_window(view: MarketView, end: int) -> MarketView:
    """Return the windows the trading loop loads when the 1m candle before index end has closed."""
    minutes = view.frames[Timeframe.M1]
    close = int(minutes.open_ms[end - 1]) + Timeframe.M1.ms
    frames = {tf: resample(minutes, tf).closed_before(close - tf.ms + 1)[-500:] for tf in (Timeframe.M15, Timeframe.H1)}
    return MarketView(view.symbol, {Timeframe.M1: minutes[end - 1500: end], **frames,
                                    Timeframe.D1: view.frames[Timeframe.D1]})


def test_a_strategy_switched_on_again_or_a_new_window_is_scanned_not_served_from_an_old_scan():
    view = real_btc_view(days=10)
    book = default_book()
    short = view.as_of(int(view.frames[Timeframe.M1].open_ms[-1]) - 86_400_000)
    before = book.scan(short)
    book.set_enabled("C", False)

    assert {s.strategy for s in book.scan(short)} == {s.strategy for s in before} - {"C"}
    book.set_enabled("C", True)
    assert book.scan(short) == before and book.scan(view) == default_book().scan(view)
    tuned = TrendRetestStrategy(replace(book.strategy("C").params, min_reward_risk=20.0, confidence=0.3))
    book.replace(tuned)                                         # parameters tuned at run time
    assert [s for s in book.scan(short) if s.strategy == "C"] == tuned.scan(short) != \
        [s for s in before if s.strategy == "C"]
