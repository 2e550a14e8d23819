"""The trading loop on real BTC/USDT candles: it enters and exits paper positions by itself under every rule.

Two real stretches of BTCUSDT-1m.csv.gz (bars named by their UTC open time):

Sell-off, 2025-08-14 (the largest 30-minute drop of the file):
    12:29  close 121143.67
    12:30  o 121143.68  h 121143.68  l 120353.71  c 120410.52
    12:31  o 120410.52  h 120441.74  l 120310.69  c 120367.34
    12:32  o 120367.34  h 120444.38  l 120321.39  c 120325.00
    12:33  o 120325.00  h 120337.61  l 119900.00  c 119900.00
    12:34  o 119900.01  h 119929.82  l 118500.00  c 118715.99
Squeeze, 2025-07-10 (the largest 30-minute rise):
    21:15  close 113691.10
    21:16  o 113691.10  h 113988.00  l 113676.72  c 113987.99
    21:17  o 113987.99  h 114980.00  l 113874.83  c 114946.01
    21:18  o 114946.00  h 115574.79  l 114861.37  c 115277.25
    21:19  o 115277.24  h 116868.00  l 115177.09  c 116195.25
    21:20  o 116195.25  h 116534.00  l 115486.23  c 115705.37
    21:21  o 115705.36
The paper broker fills without slippage, at 0.1% taker fee (the replayed market's rule).
"""
from __future__ import annotations

from decimal import Decimal as D

import pandas as pd
import pytest

from tests.fakes.loop_rig import build_rig
from tests.fakes.market_stretches import PERP, SELL_OFF, SPOT, SQUEEZE, long_signal, minutes_around
from tests.fakes.scripted_strategy import ScriptedStrategy
from tests.fakes.shared_data import load_candles
from trading.domain.candles import MINUTE_MS, Timeframe
from trading.domain.events import EventKind
from trading.engine.engine_state import EngineSettings
from trading.engine.simulated_exchange import MarketFill
from trading.risk.circuit_breaker import BreakerSettings
from trading.risk.limits import LimitSettings
from trading.adapters.replay_market_data import replay_instrument
from trading.backtest.config import BacktestConfig, yardstick_config
from trading.strategies.book import StrategyBook, default_book
from trading.strategies.trend import TrendStrategy

FEE = D("0.001")
TRADES = (EventKind.POSITION_OPENED, EventKind.POSITION_UPDATED, EventKind.POSITION_CLOSED)


async def test_the_trailing_stop_follows_the_squeeze_and_exits_where_computed(tmp_path):
    # Entry 113,691.10 at the 21:16 open, stop 112,500: 1R = 1,191.10. Size: 2% would be 0.168 BTC, more than
    # the cash; 9,900 / (113,691.10 x 1.001) = 0.086991.. -> 0.08699 BTC.
    # 21:17 high 114,980 passes 1R (114,882.20): half (0.04349) is sold at the 21:18 open 114,946.00, and
    #   the stop moves to break-even.
    # 21:19 high 116,868 passes 2R (116,073.30): the trail is armed 1R behind it, at 116,868 - 1,191.10 = 115,676.90.
    # 21:20 low 115,486.23 crosses it: the rest (0.04350) is sold at the 21:21 open 115,705.36.
    signal = long_signal(SQUEEZE, "113691.10", "112500", "118000", "squeeze")
    rig = await build_rig(tmp_path, minutes_around(SQUEEZE), SPOT, SQUEEZE - 10 * MINUTE_MS,
                          [ScriptedStrategy([signal])])
    await rig.run_until(SQUEEZE + 10 * MINUTE_MS)
    entry, part, rest = D("113691.10"), D("114946.00"), D("115705.36")
    # each fee is booked on its own at 8 decimals (trading.domain.money): 9.88998879 + 4.99900154 + 5.03318316
    fees = D("9.88998879") + D("4.99900154") + D("5.03318316")
    result = (part - entry) * D("0.04349") + (rest - entry) * D("0.04350") - fees
    assert result.quantize(D("0.01")) == D("122.27")
    assert rig.notified(*TRADES) == [
        "ENTRY long 0.08699 BTC/USDT at 113,691.10 [scripted]: scripted setup squeeze. Stop 112,500.00, "
        "target 118,000.00, risk 103.61.",
        "PARTIAL EXIT long BTC/USDT [scripted]: partial take-profit: 50% at 114,882.20 (1R). 0.04350 left.",
        "EXIT long BTC/USDT [scripted]: trailing stop at 115,676.90 (level 115,676.90). Result +122.27 (+1.18R)."]
    assert rig.broker.equity() == D(10000) + result
    await rig.close()


async def test_the_hard_stop_exits_on_the_first_tick_past_it(tmp_path):
    # 5x long from 121,143.67 (the last price when the entry is sent); structural stop 118,000 is further
    # than the hard stop: -10% / 5 = -2% -> 121,143.67 x 0.98 = 118,720.7966.
    # Size: 200 / 3,143.67 = 0.0636199.. -> 0.06361 BTC. The ticks are the closes: 12:34's close at 12:35,
    # 118,715.99, is the first one past the level and the exit fills there.
    signal = long_signal(SELL_OFF, "121143.67", "118000", "130000", "hard", PERP)
    rig = await build_rig(tmp_path, minutes_around(SELL_OFF), PERP, SELL_OFF - 5 * MINUTE_MS,
                          [ScriptedStrategy([signal])], futures=True, market_fill=MarketFill.LAST_PRICE)
    await rig.run_until(SELL_OFF + 10 * MINUTE_MS, ticks=True)
    amount, entry, exit_price = D("0.06361"), D("121143.67"), D("118715.99")
    result = (exit_price - entry) * amount - (entry + exit_price) * amount * FEE
    assert result.quantize(D("0.01")) == D("-169.68")
    closed = rig.notes.of(EventKind.POSITION_CLOSED)
    assert [(e.ts_ms, e.message) for e in closed] == [
        (SELL_OFF + 5 * MINUTE_MS, "EXIT long BTC/USDT:USDT [scripted]: hard stop at 118,715.99 (level 118,720.80). "
                                   "Result -169.68 (-0.85R).")]
    asked = [e.message for e in await rig.audit(EventKind.DECISION) if "soft_stop zone" in e.message]
    assert len(asked) == 1 and asked[0].startswith("rules decided hold")
    await rig.close()


async def test_the_daily_loss_limit_blocks_the_next_entry_until_the_next_day(tmp_path):
    # Daily limit 2% of 10,000 = 200. 5x long of 0.16509 BTC (200% of equity / 121,143.67) from the 12:30
    # open 121,143.68, stop 120,000: the 12:33 bar trades through it and the exit fills at the 12:34 open,
    # 119,900.01. Already at the 12:33 close the loss (-205.33 unrealised, -20.00 entry fee) passes 200.
    # The 13:00 signal is skipped. The next day's is entered at 200% of the equity left,
    # (10,000 - 245.11) x 2 / 118,229.30 = 0.165015.. -> 0.16501 BTC.
    settings = EngineSettings(limits=LimitSettings(daily_loss_pct=D(2)))
    signals = [long_signal(SELL_OFF, "121143.67", "120000", "124000", "first", PERP),
               long_signal(SELL_OFF + 30 * MINUTE_MS, "119307.02", "118300", "121500", "same-day", PERP),
               long_signal(SELL_OFF + 720 * MINUTE_MS, "118229.30", "117200", "120500", "next-day", PERP)]
    rig = await build_rig(tmp_path, minutes_around(SELL_OFF, after=800), PERP, SELL_OFF - 5 * MINUTE_MS,
                          [ScriptedStrategy(signals)], settings=settings, futures=True)
    await rig.run_until(SELL_OFF + 40 * MINUTE_MS)
    await rig.jump_to(SELL_OFF + 720 * MINUTE_MS)
    await rig.run_until(SELL_OFF + 721 * MINUTE_MS)
    skipped = [e.message for e in await rig.audit(EventKind.RISK_LIMIT) if e.message.startswith("Skipped")]
    notes = rig.notified(EventKind.POSITION_OPENED, EventKind.POSITION_CLOSED, EventKind.RISK_LIMIT)
    assert [n.split(":")[0] for n in notes] == [
        "ENTRY long 0.16509 BTC/USDT", "RISK LIMIT", "EXIT long BTC/USDT", "ENTRY long 0.16501 BTC/USDT"]
    assert notes[1].startswith("RISK LIMIT: daily loss limit hit: -225.")
    assert skipped == ["Skipped scripted long BTC/USDT:USDT: Daily loss limit hit: -245.11 today, the limit is "
                       "200.00 (2% of 10,000.00). New positions are refused until midnight UTC, in 11 h 0 min, or "
                       "at once by a limit above today's loss (/set DAILY_LOSS_LIMIT_PCT 2.46 or more)."]
    await rig.close()


async def test_the_circuit_breaker_trips_on_the_sell_off_and_resumes_after_a_calm_half_hour(tmp_path):
    # Breaker at 1.5% within 15 min, on the closes the loop sees: 12:34's close 118,715.99 is 2.00% under
    # the 12:29 close 121,143.67 -> tripped at 12:35. The last close beyond 1.5% is 12:39's (seen at 12:40),
    # so entries resume 30 calm minutes later, at 13:10. A setup at 12:50 is skipped, one at 13:15 entered:
    # 9,900 / (119,249.19 x 1.001) = 0.082937.. -> 0.08293 BTC.
    # the reward:risk after costs is not checked: "after" is 2.1R at its own prices, about 1.5R after fees
    # and slippage, and this test is about the breaker (tests/unit/engine/test_entry_costs.py checks costs)
    settings = EngineSettings(breaker=BreakerSettings(move_pct=D("1.5")), min_reward_risk=None)
    signals = [long_signal(SELL_OFF + 20 * MINUTE_MS, "119307.02", "118300", "121500", "during"),
               long_signal(SELL_OFF + 45 * MINUTE_MS, "119249.19", "118200", "121500", "after")]
    rig = await build_rig(tmp_path, minutes_around(SELL_OFF), SPOT, SELL_OFF - 5 * MINUTE_MS,
                          [ScriptedStrategy(signals)], settings=settings)
    await rig.run_until(SELL_OFF + 46 * MINUTE_MS)
    trips = rig.notes.of(EventKind.CIRCUIT_BREAKER)
    assert [(e.ts_ms - SELL_OFF) // MINUTE_MS for e in trips] == [5, 40]
    assert trips[0].message.startswith("CIRCUIT BREAKER tripped: BTC/USDT fell 2.00% within 15 min "
                                       "(121,143.67 -> 118,715.99)")
    assert trips[1].message == ("Circuit breaker off, new entries allowed again: resumed after BTC/USDT fell "
                                "2.00% within 15 min (121,143.67 -> 118,715.99) (paused 35 min).")
    skipped = [e.data["rule"] for e in await rig.audit(EventKind.RISK_LIMIT)]
    assert skipped == ["circuit_breaker"]
    assert [n.split(" at ")[0] for n in rig.notified(EventKind.POSITION_OPENED)] == ["ENTRY long 0.08293 BTC/USDT"]
    await rig.close()


async def test_the_bot_trades_the_real_trend_strategy_of_the_book_by_itself(tmp_path):
    # BTC/USDT 1h, October 2025: the trend strategy's EMA21/55 cross in a bull regime at the 2025-10-13 07:00
    # bar; the rules enter it (reward:risk 2.0, confidence 0.5) and its 2-ATR stop closes it the next day.
    hours = load_candles("BTCUSDT-1h.csv.gz")
    start = int(pd.Timestamp("2025-10-12", tz="UTC").timestamp() * 1000)
    book = StrategyBook([TrendStrategy(Timeframe.H1)])
    rig = await build_rig(tmp_path, hours, SPOT, start, book, base=Timeframe.H1,
                          windows={Timeframe.H1: 600, Timeframe.D1: 300})
    await rig.run_until(start + 3 * 24 * 60 * MINUTE_MS)
    notes = rig.notified(*TRADES)
    assert [n.split(" [")[0] for n in notes] == ["ENTRY long 0.08583 BTC/USDT at 115,221.23", "EXIT long BTC/USDT"]
    assert "EMA21 crossed above EMA55 on 1h" in notes[0] and "stop loss at 113,427.08" in notes[1]
    assert rig.broker.summary().position_value == 0
    await rig.close()


async def test_the_ema_cross_yardstick_switched_on_enters_all_in_and_leaves_on_its_own_exit_signal(tmp_path):
    # Off by default; switched on by name with all-in sizing and no stops, the loop enters on the cross above
    # and closes on the strategy's exit signal, never on a stop.
    minutes = load_candles("BTCUSDT-1m.csv.gz")[:3000]
    start = int(minutes.open_ms[1500])
    book = default_book()
    book.set_enabled("ema_cross", True)
    for name in ("A", "B", "C", "trend"):
        book.set_enabled(name, False)
    yardstick = yardstick_config(BacktestConfig(replay_instrument(SPOT, 100_000.0))).engine
    rig = await build_rig(tmp_path, minutes, SPOT, start, book, settings=yardstick,
                          windows={Timeframe.M1: 1500})
    await rig.run_until(start + 180 * MINUTE_MS)
    notes = rig.notified(EventKind.POSITION_OPENED, EventKind.POSITION_CLOSED)
    assert len(notes) >= 4 and notes[0].startswith("ENTRY long") and notes[1].startswith("EXIT long")
    assert all("ema_cross exit signal: EMA12 crossed back below EMA26 on 1m" in n for n in notes[1::2])
    await rig.close()


async def test_a_stopless_entry_under_risk_sizing_is_skipped_with_the_reason(tmp_path):
    minutes = load_candles("BTCUSDT-1m.csv.gz")[:3000]
    start = int(minutes.open_ms[1500])
    book = default_book(enabled=["ema_cross"])
    rig = await build_rig(tmp_path, minutes, SPOT, start, book, windows={Timeframe.M1: 1500})
    await rig.run_until(start + 60 * MINUTE_MS)
    skipped = [e.message for e in await rig.audit(EventKind.RISK_LIMIT)]
    assert skipped and "has no stop, and risk sizing needs one" in skipped[0]
    assert rig.notified(EventKind.POSITION_OPENED) == []
    await rig.close()


@pytest.mark.parametrize("futures, symbol", [(False, SPOT), (True, SPOT), (True, PERP)],
                         ids=["spot", "futures-on-replay-spot-markets", "futures-on-perpetuals"])
async def test_the_engine_reads_equity_from_the_accounts_own_summary(tmp_path, futures, symbol):
    # The squeeze trade of the first test, in each kind of account. A futures account on the replay's spot-kind
    # markets once counted the position's notional on top of its wallet: equity near 18,000, then a "drawdown"
    # of 40% when the trade closed in profit, and a halt.
    signal = long_signal(SQUEEZE, "113691.10", "112500", "118000", "squeeze", symbol)
    rig = await build_rig(tmp_path, minutes_around(SQUEEZE), symbol, SQUEEZE - 10 * MINUTE_MS,
                          [ScriptedStrategy([signal])], futures=futures)
    peaks = []
    while rig.clock.now_ms() < SQUEEZE + 10 * MINUTE_MS:
        await rig.run_until(rig.clock.now_ms() + MINUTE_MS)
        status = rig.loop.risk_status()
        assert status.equity == rig.broker.summary().equity
        peaks.append(status.peak_equity)
    status = rig.loop.risk_status()
    assert len(rig.notified(EventKind.POSITION_CLOSED)) == 1 and not status.halted
    assert D("10000") < max(peaks) < D("10500") and status.drawdown_pct < 1
    await rig.close()
