"""`trading-assistant evaluate --symbols ...` without --data: the candles come from the exchange (the fake Binance
on 127.0.0.1 through EXCHANGE_OPTIONS), are cached, and the out-of-sample record is printed and stored."""
import asyncio
import json
import sqlite3
import time

from bot.cli import main
from tests.e2e.test_exchange_feed import DAY_MS, markets_ending_today
from tests.fakes.exchange_api import FakeExchange
from trading.adapters.clocks import WallClock


def _day(ms: int) -> str:
    return time.strftime("%Y-%m-%d", time.gmtime(ms / 1000))


async def test_evaluate_without_data_fetches_the_period_from_the_exchange(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)                                  # no stray .env
    today = time.time_ns() // 1_000_000 // DAY_MS * DAY_MS
    argv = ["evaluate", "--strategy", "C", "--symbols", "BTC/USDT", "--from", _day(today - 11 * DAY_MS),
            "--to", _day(today - 2 * DAY_MS), "--in-days", "3", "--out-days", "2", "--runs", "20", "--json"]
    async with FakeExchange(markets_ending_today(), WallClock()) as exchange:
        for name, value in {"DATA_DIR": str(tmp_path), "MARKET_DATA": "live", "EXCHANGE": "binance",
                            "MARKET_STREAMS": "rest", "EXCHANGE_OPTIONS": json.dumps(exchange.options())}.items():
            monkeypatch.setenv(name, value)
        # the CLI runs its own event loop; the fake exchange keeps serving on this one meanwhile
        code = await asyncio.to_thread(main, argv)
        fetched = exchange.count("/api/v3/klines")
    out, err = capsys.readouterr()

    assert code == 0, err
    record = json.loads(out)          # stdout holds the JSON alone (a log line once came first)
    assert record["strategy"] == "C" and record["symbol"] == "BTC/USDT"
    folds = record["out_of_sample"]["folds"]          # nine days: 3 in, 2 out, rolling -> three folds
    assert [f["start"][:10] for f in folds] == [_day(today - d * DAY_MS) for d in (8, 6, 4)]
    assert record["random_baseline"]["runs"] == 20
    assert record["buy_and_hold_return_pct"] is not None
    assert fetched >= 2               # C reads 15m candles: ten days and the warm-up before, 1,000 a request
    with sqlite3.connect(tmp_path / "trading.sqlite") as db:
        first, last = db.execute("SELECT MIN(open_ms), MAX(open_ms) FROM candles WHERE symbol = 'BTC/USDT'").fetchone()
        runs = db.execute("SELECT strategy, symbol, source FROM backtests").fetchall()
    assert first < today - 11 * DAY_MS and last >= today - DAY_MS - 15 * 60_000      # the period is cached
    assert len(runs) == 1 and runs[0][:2] == ("C", "BTC/USDT") and "exchange binance" in runs[0][2]
