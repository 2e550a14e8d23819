"""A strategy that cannot trade the data it is given says why and how much history it needs."""
from tests.fakes.shared_data import load_candles
from trading.backtest.history import history_from_candles
from trading.backtest.warm_up import warm_up_note


def test_trend_on_three_months_of_minutes_cannot_trade_and_names_the_history_it_needs():
    history = history_from_candles("BTC/USDT", load_candles("BTCUSDT-1m.csv.gz"))

    note = warm_up_note("trend", history, history.window(None, None))

    assert note == ("trend cannot trade this data: its daily EMA200 regime needs 201 daily closes, and the data "
                    "holds 91 days (2025-05-20 to 2025-08-18). Give it a file whose candles start by 2024-10-31, "
                    "201 days before the period.")


def test_trend_with_some_history_before_the_period_says_from_when_it_trades():
    history = history_from_candles("BTC/USDT", load_candles("BTCUSDT-15m.csv.gz"))
    # the file starts 2023-04-01: 201 days later is 2023-10-19
    note = warm_up_note("trend", history, history.window(1_688_169_600_000, None))      # from 2023-07-01

    assert note.startswith("trend can trade only from 2023-10-19: its daily EMA200 regime needs 201 daily closes")
    assert warm_up_note("trend", history, history.window(1_704_067_200_000, None)) == ""    # from 2024-01-01


def test_the_ict_strategies_need_no_long_warm_up_note():
    history = history_from_candles("BTC/USDT", load_candles("BTCUSDT-1m.csv.gz")[:3 * 1440])
    assert {warm_up_note(name, history, history.window(None, None)) for name in ("A", "B", "C")} == {""}
