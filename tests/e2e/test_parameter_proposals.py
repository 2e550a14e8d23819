"""/optimize -> a proposal card -> Apply, through the fake Bot API: the running strategy takes exactly the shown
parameters, once, for the user who asked; other users' taps, double taps, re-deliveries and cards from before a
restart change nothing; the tuned parameters survive a restart and go back with /params C default. In live mode
Apply asks for a two-factor code and a wrong code changes nothing."""
import json
import sqlite3
import time

import numpy as np

from tests.fakes.bot_process import OWNER, bot_settings, running_bot
from tests.fakes.exchange_markets import spot_market
from tests.fakes.live_bot import code_now, fake_binance, live_settings, wrong_code
from tests.fakes.telegram_api import FakeTelegram
from trading.domain.candles import Timeframe

GROUP, MEMBER = -100777, 555
TUNED = "rules_min_rr=2.5 sweep_lookback=8"
JULY_9, JULY_20 = "2025-07-09", "2025-07-20"     # C on ETH/USDT proposes TUNED over these days


def shifted(day: str) -> str:
    """Return the day the fake Binance (real candles moved by whole days to end today) shows day's candles on."""
    last = int(spot_market("BTC").candles[Timeframe.M1].open_ms[-1])
    days = (time.time_ns() // 1_000_000 - last) // 86_400_000 + 1              # as markets_ending_today moves them
    return str(np.datetime64(day) + np.timedelta64(days, "D"))


async def proposal_card(telegram, chat, command=f"/optimize C ETH/USDT {JULY_9}..{JULY_20}"):
    started = await telegram.ask(chat, command, user_id=OWNER, expect="⏳ Optimisation")
    return await telegram.wait_for(chat, lambda s: s.edited and s.message_id == started.message_id and s.buttons,
                                   timeout=90)


async def press(telegram, card, which, user, chat=GROUP):
    query = telegram.user_presses(chat, card.message_id, card.buttons[0][which]["callback_data"], user_id=user)
    return query, await telegram.answered(query)


def audited(data_dir):
    with sqlite3.connect(data_dir / "trading.sqlite") as db:
        rows = [json.loads(d) for (d,) in db.execute("SELECT data_json FROM events WHERE kind = 'setting'")]
    return [r for r in rows if r.get("strategy") == "C"]


async def test_apply_tunes_the_running_strategy_once_for_the_asker_and_survives_a_restart(tmp_path):
    async with FakeTelegram() as telegram:
        settings = bot_settings(tmp_path, telegram.base_url, telegram.token,
                                telegram_allowed_chat_ids=f"{OWNER},{GROUP}",
                                telegram_allowed_user_ids=f"{OWNER},{MEMBER}")
        async with running_bot(settings):
            await telegram.wait_for(OWNER, lambda s: "Started" in s.text, timeout=30)
            card = await proposal_card(telegram, GROUP)
            stale = await proposal_card(telegram, GROUP)          # left unanswered until after the restart
            before = await telegram.ask(GROUP, "/params C", user_id=OWNER, expect="Parameters of")
            _, by_member = await press(telegram, card, 0, MEMBER)
            query, applied = await press(telegram, card, 0, OWNER)
            edited = await telegram.wait_for(GROUP, lambda s: s.edited and s.message_id == card.message_id
                                             and "applied now" in s.text)
            _, twice = await press(telegram, card, 0, OWNER)
            telegram.redeliver(query)
            after = await telegram.ask(GROUP, "/params C", user_id=OWNER, expect="Parameters of")
            listing = await telegram.ask(GROUP, "/params", user_id=OWNER, expect="Strategy parameters")
            run = await telegram.ask(GROUP, f"/backtest C ETH/USDT {JULY_9}..{JULY_20}", user_id=OWNER,
                                     expect="⏳ Backtest")
            report = await telegram.wait_for(GROUP, lambda s: s.edited and s.message_id == run.message_id
                                             and s.text.startswith("C on ETH/USDT"), timeout=90)
        restarted_at = len(telegram.sent)
        async with running_bot(settings):
            await telegram.wait_for(OWNER, lambda s: "Started" in s.text and telegram.sent.index(s) >= restarted_at)
            kept = await telegram.ask(GROUP, "/params C", user_id=OWNER, expect="Parameters of")
            _, late = await press(telegram, stale, 0, OWNER)
            back = await telegram.ask(GROUP, "/params C default", user_id=OWNER, expect="✅")
            default = await telegram.ask(GROUP, "/params C", user_id=OWNER, expect="Parameters of")

    assert "Optimisation of C: rules_min_rr=2.5 sweep_lookback=8 gives" in card.text
    assert f"Apply sets C: {TUNED} on the running strategy now" in card.text
    assert [b["text"] for b in card.buttons[0]] == ["✅ Apply", "✖ Dismiss"]
    untuned_rows = before.text.split("\n", 1)[1].split("✏️ tuned")[0]
    assert "sweep_lookback = 16 (1..500)" in before.text and "✏️" not in untuned_rows
    assert by_member == "This button belongs to the person who asked; it did nothing."
    assert applied == "Applied."
    assert "✅ C: sweep_lookback 16 → 8, rules_min_rr 1.5 → 2.5, applied now." in edited.text and edited.buttons == []
    assert twice == "Already answered; this press did nothing."
    assert "sweep_lookback = 8 (default 16, 1..500) ✏️" in after.text
    assert "rules_min_rr = 2.5 (default 1.5, 0.5..10) ✏️" in after.text
    assert "C: tuned: sweep_lookback=8 rules_min_rr=2.5" in listing.text and "A: defaults" in listing.text
    assert "Tuned parameters (as running): rules_min_rr=2.5, sweep_lookback=8" in report.text, "/backtest runs them"
    assert "sweep_lookback = 8 (default 16, 1..500) ✏️" in kept.text, "the tuned value runs after a restart"
    assert late == "This button is out of date; send the command again."
    assert back.text.startswith("✅ C: sweep_lookback 8 → 16, rules_min_rr 2.5 → 1.5, applied now.")
    assert "sweep_lookback = 16 (1..500)" in default.text
    changes = audited(tmp_path)
    assert [(c["old"], c["new"]) for c in changes] == [
        ({"sweep_lookback": 16, "rules_min_rr": 1.5}, {"sweep_lookback": 8, "rules_min_rr": 2.5}),
        ({"sweep_lookback": 8, "rules_min_rr": 2.5}, {"sweep_lookback": 16, "rules_min_rr": 1.5})]
    assert changes[0]["by"] == f"user:{OWNER}" and changes[0]["source"].startswith("/optimize proposal ")


async def test_a_bad_params_value_says_what_is_wrong_and_changes_nothing(tmp_path):
    async with FakeTelegram() as telegram:
        async with running_bot(bot_settings(tmp_path, telegram.base_url, telegram.token, replay_speed=0.001)):
            await telegram.wait_for(OWNER, lambda s: "Started" in s.text, timeout=30)
            unknown = await telegram.ask(OWNER, "/params C lookback 8")
            fraction = await telegram.ask(OWNER, "/params C sweep_lookback 2.5")
            too_big = await telegram.ask(OWNER, "/params C sweep_lookback 900")
            crossing = await telegram.ask(OWNER, "/params trend fast 60")
            strategy = await telegram.ask(OWNER, "/params Z")
            usage = await telegram.ask(OWNER, "/params C sweep_lookback")
            listing = await telegram.ask(OWNER, "/params", expect="Strategy parameters")
    assert unknown.text.startswith("C not changed: C has no parameter 'lookback'; its parameters are sweep_lookback")
    assert fraction.text.startswith("C not changed: sweep_lookback takes a whole number, not '2.5'.")
    assert too_big.text.startswith("C not changed: sweep_lookback takes a whole number from 1 to 500; 900 is out")
    assert crossing.text.startswith("trend not changed: fast (60) must stay below slow (55).")
    assert strategy.text.startswith("Unknown strategy 'Z'; use one of A, B, C, trend, ema_cross.")
    assert usage.text.startswith("Usage: /params")
    assert "tuned" not in listing.text.replace("Strategy parameters", "") and audited(tmp_path) == []


async def test_live_apply_asks_for_a_code_and_a_wrong_code_changes_nothing(tmp_path):
    async with fake_binance() as exchange, FakeTelegram() as telegram:
        async with running_bot(live_settings(tmp_path, telegram, exchange)):
            await telegram.wait_for(OWNER, lambda s: "Started in live mode" in s.text, timeout=30)
            card = await proposal_card(telegram, OWNER, f"/optimize C ETH/USDT {shifted(JULY_9)}..{shifted(JULY_20)}")
            _, asked = await press(telegram, card, 0, OWNER, chat=OWNER)
            prompt = await telegram.wait_for(OWNER, lambda s: "needs a code" in s.text)
            wrong = await telegram.ask(OWNER, wrong_code(), expect="❌")
            unchanged = await telegram.ask(OWNER, "/params C", expect="Parameters of")
            right = await telegram.ask(OWNER, code_now(), expect="✅ Code accepted")
            tuned = await telegram.ask(OWNER, "/params C", expect="Parameters of")
    assert asked == "Now send your 6-digit code in our private chat."
    assert prompt.text.startswith("Applying strategy parameters in live mode needs a code. 🔐 Send the 6-digit code")
    assert f"to apply C {TUNED}" in prompt.text
    assert wrong.text.startswith("❌ Wrong code; nothing was done.")
    assert "sweep_lookback = 16 (1..500)" in unchanged.text
    assert right.text.startswith("✅ Code accepted. ✅ C: sweep_lookback 16 → 8, rules_min_rr 1.5 → 2.5, applied now.")
    assert "sweep_lookback = 8 (default 16, 1..500) ✏️" in tuned.text
