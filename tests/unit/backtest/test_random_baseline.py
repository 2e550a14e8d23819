"""The random-entry baseline: the strategy's entries on random days, its distances, costs and exits kept."""
from decimal import Decimal

import numpy as np

from tests.fakes.backtest_bars import START_MS, long_signal, plain_config
from tests.fakes.market_views import bars
from tests.fakes.shared_data import load_candles
from trading.backtest.config import NO_BREAKER
from trading.backtest.history import MarketHistory, history_from_candles
from trading.backtest.metrics import DAY_MS
from trading.backtest.random_baseline import ordinal, random_baseline, random_entries, run_rng
from trading.backtest.runner import simulate
from trading.domain.candles import Timeframe

M15 = Timeframe.M15
BARS_A_DAY = 96


def sawtooth_days(directions: str) -> MarketHistory:
    """Return 15m bars, one day per letter: each day opens at 100 and moves 0.25 a bar up (u) or down (d)."""
    rows = []
    for way in directions:
        step = 0.25 if way == "u" else -0.25
        for j in range(BARS_A_DAY):
            o, c = 100 + step * j, 100 + step * (j + 1)
            rows.append((o, max(o, c), min(o, c), c))
    return MarketHistory("BTC/USDT", M15, bars(M15, rows, START_MS))


def test_each_random_run_trades_the_template_on_a_random_day_at_its_minute():
    history = sawtooth_days("udud")
    template = [long_signal(START_MS + M15.ms, "100.25", "96.24", "108.27")]   # at 00:15 of day 0

    moved = random_entries(history, template, (0, len(history.candles)), run_rng(7, 0))

    (signal,) = moved
    assert signal.known_at_ms % DAY_MS == M15.ms and signal.setup_id.startswith("random:")
    # the entry is that day's 00:15 close and the stop and target keep their fractions: -4%, +8%
    assert signal.entry in (Decimal("100.25"), Decimal("99.75"))
    assert signal.stop == signal.entry * Decimal("0.96") and signal.take_profit == signal.entry * Decimal("1.08")


def test_the_baseline_expectation_matches_the_hand_computed_one():
    # one long a run, at 00:15 on a random one of two rising and two falling days, 2% of 10,000 at risk,
    # stop 4% below and target 8% above the entry (levels on the 0.01 tick):
    # rising day: entry 100.25, stop 96.24, target 108.27, amount 200 / 4.01 -> 49.875 (0.001 steps);
    #   the target is reached the same day: 49.875 x 8.02 = 399.9975, fees 0.001 x 49.875 x 208.52 = 10.399935
    #   -> +389.597565 = +3.89597565%
    # falling day: entry 99.75, stop 95.76, amount 200 / 3.99 -> 50.125; stopped at 95.76 (bar 16 opens at 96):
    #   50.125 x -3.99 = -199.99875, fees 0.001 x 50.125 x 195.51 = 9.79993875 -> -2.0979868875%
    history = sawtooth_days("udud")
    template = [long_signal(START_MS + M15.ms, "100.25", "96.24", "108.27")]
    config = plain_config(breaker=NO_BREAKER)     # each day jumps back to 100 at midnight
    strategy = simulate(history, template, config, strategy="A")
    assert abs(strategy.metrics.total_return_pct - 3.89597565) < 1e-9

    baseline = random_baseline(history, strategy, config, (0, len(history.candles)), runs=400, seed=1)

    win, loss = 3.89597565, -2.0979868875
    assert all(abs(r - win) < 1e-9 or abs(r - loss) < 1e-9 for r in baseline.returns_pct)
    wins = np.mean(np.abs(baseline.returns_pct - win) < 1e-9)
    assert abs(wins - 0.5) < 0.1                          # two days in four rise: p = 0.5, 400 runs: sd 0.025
    expected = 0.5 * win + 0.5 * loss                     # +0.899%; 400 runs: sd of the mean 0.15
    assert abs(float(np.mean(baseline.returns_pct)) - expected) < 0.6
    assert abs(baseline.quantile(5) - loss) < 1e-9 and abs(baseline.quantile(95) - win) < 1e-9
    assert baseline.percentile > 50 and not baseline.worse_than_chance   # the template entered on a rising day


def test_the_same_seed_gives_the_same_runs_and_another_seed_other_ones():
    history = sawtooth_days("udududud")
    template = [long_signal(START_MS + M15.ms, "100.25", "96.24", "108.27")]
    config = plain_config(breaker=NO_BREAKER)     # each day jumps back to 100 at midnight
    strategy = simulate(history, template, config, strategy="A")
    window = (0, len(history.candles))

    first = random_baseline(history, strategy, config, window, runs=30, seed=3)
    again = random_baseline(history, strategy, config, window, runs=30, seed=3)
    other = random_baseline(history, strategy, config, window, runs=30, seed=4)

    assert np.array_equal(first.returns_pct, again.returns_pct)
    assert not np.array_equal(first.returns_pct, other.returns_pct)


def look_ahead_losers(history: MarketHistory, count: int, stop_pct: float, target_pct: float) -> list:
    """Return long signals placed, by looking ahead, where the stop is hit before the target: an inverted edge."""
    c = history.candles
    picks, k = [], 60
    while len(picks) < count and k < len(c) - 1000:
        entry = float(c.close[k])
        ahead_low, ahead_high = c.low[k + 1:k + 1000], c.high[k + 1:k + 1000]
        hit_stop = np.argmax(ahead_low <= entry * (1 - stop_pct / 100)) if np.any(
            ahead_low <= entry * (1 - stop_pct / 100)) else None
        hit_target = np.argmax(ahead_high >= entry * (1 + target_pct / 100)) if np.any(
            ahead_high >= entry * (1 + target_pct / 100)) else None
        if hit_stop is not None and (hit_target is None or hit_stop < hit_target):
            e = Decimal(repr(entry))
            picks.append(long_signal(int(c.open_ms[k]) + 60_000, str(e),
                                     str(e * (1 - Decimal(repr(stop_pct)) / 100)),
                                     str(e * (1 + Decimal(repr(target_pct)) / 100)), timeframe="1m"))
            k += 1000                                      # one at a time, as one position at a time trades
        k += 7
    return picks


def test_a_deliberately_inverted_strategy_falls_below_the_baselines_5th_percentile():
    history = history_from_candles("BTC/USDT", load_candles("BTCUSDT-1m.csv.gz")[:30 * 1440])
    losers = look_ahead_losers(history, count=15, stop_pct=1.0, target_pct=2.0)
    config = plain_config()
    inverted = simulate(history, losers, config, strategy="A")
    assert inverted.metrics.trades == 15 and inverted.metrics.win_rate_pct == 0

    baseline = random_baseline(history, inverted, config, (0, len(history.candles)), runs=60, seed=0)

    assert baseline.worse_than_chance and baseline.percentile < 5
    assert baseline.quantile(50) > inverted.metrics.total_return_pct


def test_percentiles_read_as_english_ordinals():
    assert [ordinal(p) for p in (1, 2, 3, 4, 11, 12, 13, 21, 22, 50.4, 100)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "50th", "100th"]
