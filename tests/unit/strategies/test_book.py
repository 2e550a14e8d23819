import pytest

from tests.fakes.market_views import real_btc_view
from trading.domain.candles import Timeframe
from trading.indicators.regime import Regime
from trading.strategies.book import default_book
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
