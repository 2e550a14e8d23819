"""/divergence through the fake Bot API: the paper account's own trades on the bundled replay against the backtest
of the same candles, per strategy and fill by fill, in messages a phone takes."""
from bot.replies import units
from tests.fakes.bot_process import OWNER, bot_settings, running_bot
from tests.fakes.telegram_api import FakeTelegram


async def test_divergence_sets_the_paper_trades_against_the_backtest_fill_by_fill(tmp_path):
    async with FakeTelegram() as telegram:
        # 600x: a replayed hour passes in 6 s; the bot trades by itself until a position closes
        async with running_bot(bot_settings(tmp_path, telegram.base_url, telegram.token, replay_speed=600.0)):
            await telegram.wait_for(OWNER, lambda s: "Started" in s.text, timeout=30)
            nothing = await telegram.ask(OWNER, "/divergence", expect="No positions closed")
            wrong = await telegram.ask(OWNER, "/divergence week", expect="'week'")
            exit_ = await telegram.wait_for(OWNER, lambda s: "EXIT" in s.text, timeout=90)
            report = await telegram.ask(OWNER, "/divergence 3", expect="paper-spot, last 3 days")
    assert nothing.text == "No positions closed on paper-spot in the last 7 days: nothing to compare."
    assert wrong.text.startswith("'week' is not a number of days from 1 to 365. Usage: /divergence [DAYS]")
    strategy = exit_.text.split("[")[1].split("]")[0]            # the strategy that closed a position
    assert f"ETH/USDT {strategy}: actual " in report.text or f"BTC/USDT {strategy}: actual " in report.text
    assert "against the backtest's" in report.text and "(both)" in report.text, "the paper trade has its twin"
    table = report.raw["text"].split("<pre>")[1].split("</pre>")[0]
    rows = table.splitlines()
    assert any(r.startswith("in ") for r in rows) and any(r.startswith("out ") for r in rows)
    assert any(r.startswith("PnL ") for r in rows) and "actual" in rows[1] and "backtest" in rows[1]
    assert units(report.raw["text"]) <= 4096
