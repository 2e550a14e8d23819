"""The live analysis follows rolling windows candle by candle and always equals the batch indicators."""
import threading

from tests.fakes.market_views import real_btc_view
from tests.fakes.shared_data import load_candles
from trading.domain.candles import Candles, Timeframe
from trading.indicators.ict import ICTParams, compute_ict
from trading.strategies.base import MarketView
from trading.strategies.live_analysis import LiveAnalyses, TrackedTimeframe
from trading.strategies.market_analysis import MarketAnalysis

PARAMS = ICTParams(left=3, right=3)


def same_snapshot(a, b) -> bool:
    tables = ("pivots", "swings", "breaks", "fvgs", "order_blocks", "breakers")
    return (all(getattr(a, t).equals(getattr(b, t)) for t in tables) and (a.trend == b.trend).all()
            and a.liquidity.levels.equals(b.liquidity.levels) and a.liquidity.sweeps.equals(b.liquidity.sweeps))


def test_a_rolling_window_is_followed_candle_by_candle_in_bounded_epochs_equal_to_the_batch_run():
    candles = load_candles("BTCUSDT-15m.csv.gz")[:400]
    tracker = TrackedTimeframe(PARAMS, min_epoch=60)
    lengths = []

    for end in range(40, 400):
        assert tracker.follow(candles[end - 40:end])
        mine = tracker.candles()
        lengths.append(len(mine))
        assert mine.open_ms[-1] == candles.open_ms[end - 1]
        if end % 9 == 0 or len(mine) in (60, 119):
            assert same_snapshot(tracker.snapshot(), compute_ict(mine, PARAMS)), end

    assert min(lengths[60:]) == 60 and max(lengths) == 119      # epochs of 60 candles: 60..119 kept


def test_the_history_starts_over_on_a_gap_or_a_changed_candle():
    candles = load_candles("BTCUSDT-15m.csv.gz")[:300]
    tracker = TrackedTimeframe(PARAMS, min_epoch=50)
    tracker.follow(candles[:100])
    tracker.follow(candles[:101])

    tracker.follow(candles[150:200])                            # 49 candles missing: a gap
    assert tracker.candles().equals(candles[150:200])

    changed = candles[160:201]
    changed = Candles(changed.open_ms, changed.open, changed.high.copy(), changed.low, changed.close, changed.volume)
    changed.high[-5] += 1.0                                     # an already seen candle came back different
    tracker.follow(changed)
    assert tracker.candles().equals(changed)
    assert same_snapshot(tracker.snapshot(), compute_ict(changed, PARAMS))


def test_an_older_window_is_not_followed_and_leaves_the_history_alone():
    candles = load_candles("BTCUSDT-15m.csv.gz")[:200]
    tracker = TrackedTimeframe(PARAMS, min_epoch=50)
    tracker.follow(candles[100:200])

    assert not tracker.follow(candles[50:150])
    assert tracker.candles().equals(candles[100:200])


def test_a_longer_window_reaching_back_before_the_history_starts_it_over_with_every_candle_it_shows():
    candles = load_candles("BTCUSDT-15m.csv.gz")[:400]
    tracker = TrackedTimeframe(PARAMS, min_epoch=50)
    tracker.follow(candles[200:260])

    assert tracker.follow(candles[100:261])                     # the chat's longer view of the same market
    assert tracker.candles().equals(candles[100:261])
    assert tracker.follow(candles[202:262])                     # the loop's shorter window only adds its candle
    assert tracker.candles().equals(candles[100:262])
    assert same_snapshot(tracker.snapshot(), compute_ict(candles[100:262], PARAMS))
    for end in range(263, 400):                                 # the longer view's length is the new epoch
        tracker.follow(candles[end - 60:end])
        assert len(tracker.candles()) >= 161


def test_the_live_analysis_reads_tracked_timeframes_from_the_state_and_the_rest_from_the_view():
    view = real_btc_view(days=4)
    minutes = view.frames[Timeframe.M1]
    analyses = LiveAnalyses()
    first = analyses.analysis(MarketView(view.symbol, {Timeframe.M1: minutes[:-30]}))

    later_view = MarketView(view.symbol, {Timeframe.M1: minutes[30:]})
    later = analyses.analysis(later_view)

    assert analyses.analysis(later_view) is later                   # the same view shares one analysis
    assert later.candles(Timeframe.M1).equals(minutes)               # the history kept, 30 newer candles added
    assert len(first.candles(Timeframe.M1)) == len(minutes) - 30     # an earlier analysis never changes
    for tf in (Timeframe.M1, Timeframe.M15, Timeframe.H1):
        expected = MarketAnalysis(MarketView(view.symbol, {Timeframe.M1: minutes})).ict(tf)
        assert same_snapshot(later.ict(tf), expected), tf
    assert later.candles(Timeframe.D1).equals(later_view.candles_on(Timeframe.D1))


def test_only_the_most_recently_used_symbols_are_followed():
    candles = load_candles("BTCUSDT-15m.csv.gz")[:60]
    analyses = LiveAnalyses({Timeframe.M15: PARAMS})
    for n in range(70):
        analyses.analysis(MarketView(f"S{n}/USDT", {Timeframe.M15: candles}))
    analyses.analysis(MarketView("S6/USDT", {Timeframe.M15: candles}))

    assert len(analyses.symbols) == 64
    assert analyses.symbols[0] == "S7/USDT" and analyses.symbols[-1] == "S6/USDT"


def test_the_latest_analysis_of_a_symbol_is_read_without_waiting_for_an_update_under_way():
    view = real_btc_view(days=2)
    analyses = LiveAnalyses()
    assert analyses.latest(view.symbol) is None
    analysis = analyses.analysis(view)
    held, release, read = threading.Event(), threading.Event(), []

    def updating() -> None:                  # an update under way in the loop's worker thread holds the lock
        with analyses._lock:
            held.set()
            release.wait(10)

    def reading() -> None:
        read.append(analyses.latest(view.symbol))

    loop = threading.Thread(target=updating)
    loop.start()
    assert held.wait(10)
    reader = threading.Thread(target=reading)
    reader.start()
    reader.join(5)
    release.set()
    loop.join(5)
    assert read == [analysis]
