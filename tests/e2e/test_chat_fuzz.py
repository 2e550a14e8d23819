"""Junk from the allowed chat (odd arguments, huge, unicode and HTML-looking text, random button data): every
message gets a valid reply under Telegram's limit, every press an answer, nothing changes, nothing is logged as
a failure."""
import logging
import random

from structlog.testing import capture_logs

from bot.commands import COMMANDS
from bot.replies import MAX_TEXT, units
from tests.fakes.bot_process import OWNER, bot_settings
from tests.fakes.feature_bot import feature_bot
from tests.fakes.telegram_api import FakeTelegram

# no Latin letters, so junk can never spell a symbol, a strategy, "flat", "on" or "all" and trade or switch
_GLYPHS = "0123456789.,-+$%²١٢₅ßж中文🙂🚀\u202e\u0301&<>/\"'#@_=~|*[](){}"
_ODD = ["<b>", "</i>", "<script>alert(1)</script>", "&amp;", "&", "<", ">", "&#x1F600;", "<a href='x'>",
        "NaN", "Infinity", "-inf", "1e999999", "0x10", "-0", "00", ".", "$", "%", "99999999999999999999",
        "１００", "🙂" * 50, "\u202eRTL", "--", "..", "2025-13-45..2025-99-99", "\u0000"]


def junk(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.4:
        return rng.choice(_ODD)
    if kind < 0.9:
        return "".join(rng.choice(_GLYPHS) for _ in range(rng.randint(1, 30)))
    return "".join(rng.choice(_GLYPHS) for _ in range(rng.randint(1000, 5000)))


def junk_message(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.8:
        command = rng.choice(COMMANDS).name
        args = [junk(rng) for _ in range(rng.randint(1, 4))]
        return f"/{command}{rng.choice(['', '@trading_assistant_bot'])} {' '.join(args)}"
    if kind < 0.9:
        return "/" + junk(rng)
    return junk(rng)


def junk_button(rng: random.Random) -> str:
    return rng.choice([junk(rng)[:64] or "x", "paper:reset:" + "".join(rng.choice("abcXYZ019_-") for _ in range(16)),
                       "paper:keep:", "zz:top:1", ":" * 5, "paper:reset:" + "a" * 41, "kill:flat:x"])


# the heading each state reply starts with: a junk command's reply that arrives late is not taken for it
_STATE = {"/balance": "Balance", "/positions": ("No open positions", "Positions", "Open positions"),
          "/orders": ("No open orders", "Orders", "Open orders"), "/strategies": "Strategies", "/risk": "Risk"}


async def state(telegram: FakeTelegram) -> list[str]:
    return [(await telegram.ask(OWNER, command, expect=heading)).text for command, heading in _STATE.items()]


async def test_300_junk_messages_and_60_junk_presses_change_nothing_and_all_get_valid_answers(tmp_path, caplog):
    rng = random.Random(11)
    caplog.set_level(logging.ERROR)
    async with FakeTelegram() as telegram:
        async with feature_bot(bot_settings(tmp_path, telegram.base_url, telegram.token, replay_speed=0.001)):
            before = await state(telegram)
            card = telegram.replies_to(OWNER)[-1]
            with capture_logs() as logs:
                presses = []
                for i in range(360):
                    if i % 6 == 5:
                        presses.append(telegram.user_presses(OWNER, card.message_id, junk_button(rng)))
                    else:
                        telegram.user_says(OWNER, junk_message(rng))
                for press in presses:
                    await telegram.answered(press, timeout=60)
                status = await telegram.ask(OWNER, "/status", timeout=60, expect="Status\nMode:")
            after = await state(telegram)

    assert "Mode: paper" in status.text
    assert after == before, "no state changed"
    assert len(presses) == 60 and all(p in telegram.answers for p in presses), "every press was answered"
    refused = [r for r in telegram.refusals if r[0] != "getUpdates"]   # the poll that ends at shutdown is ended 409
    assert refused == [], refused[:3]     # nothing too long, no broken HTML, no bad edit, no press answered twice
    assert all(units(s.raw.get("text") or s.raw.get("caption") or "") <= MAX_TEXT for s in telegram.sent)
    failures = [e for e in logs if e.get("log_level") in ("error", "critical") or e.get("exc_info")]
    assert failures == [], failures[:3]
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []


async def test_odd_arguments_get_short_specific_replies(tmp_path):
    huge = "Ж" * 5000
    asked = {"price": f"/price {huge}", "signals": f"/signals {huge}", "backtest": f"/backtest {huge} {huge} {huge}",
             "period": f"/backtest A BTC/USDT x{huge}", "trades²": "/trades ²", "trades1e3": "/trades 1e3",
             "unknown": f"/{'m' * 3000}", "buy": f"/buy BTC/USDT {huge}", "cancel": f"/cancel {huge}",
             "report": f"/report {huge}", "chart": f"/chart BTC/USDT {huge}", "markets": f"/markets <{huge}>",
             "pause": "/pause ⁂", "resume": "/resume now", "risk": "/risk", "mode": "/mode x",
             "status": "/status full", "balance": "/balance BTC", "unlock": "/unlock now", "start": "/start ref42"}
    async with FakeTelegram() as telegram:
        async with feature_bot(bot_settings(tmp_path, telegram.base_url, telegram.token, replay_speed=0.001)):
            replies = {name: (await telegram.ask(OWNER, text)).text for name, text in asked.items()}
    assert all(len(text) < 400 for text in replies.values()), {k: len(v) for k, v in replies.items()}
    assert replies["price"].startswith("Unknown symbol 'ЖЖЖЖ") and "…'" in replies["price"]
    assert replies["signals"].startswith("Unknown symbol 'ЖЖЖЖ")
    assert replies["backtest"].startswith("Unknown strategy 'ЖЖЖЖ")
    assert replies["period"].startswith("Period 'xжжж")    # periods are read in lower case
    assert replies["trades²"].startswith("Give a number from 1 to 50")
    assert replies["trades1e3"].startswith("Give a number from 1 to 50")
    assert replies["unknown"].startswith("I don't know /mmmm") and "…" in replies["unknown"]
    assert replies["buy"].startswith("The amount must be a number like 100 or 0.5, got 'ЖЖЖ")
    assert replies["cancel"].startswith("No open order 'ЖЖЖ")
    assert replies["report"].startswith("Unknown period 'ЖЖЖ")
    assert replies["markets"] == "No market matches '<ЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖ…'. Try /markets BTC or " \
                                  "/markets USDT."
    assert replies["chart"].lower().startswith("unknown timeframe 'жжж")
    assert replies["pause"].startswith("Usage: /pause (no arguments)") and "✅ new entries allowed" in replies["risk"]
    assert replies["resume"].startswith("Usage: /resume (no arguments)")
    # before: /mode x, /status full, /balance BTC answered as if nothing followed the command
    assert replies["mode"].startswith("Usage: /mode (no arguments): shows paper, live paused or live on")
    assert "/live on|off switches" in replies["mode"]
    assert "spot or futures is MARKET_TYPE in .env" in replies["mode"]     # /mode futures: where the market type is set
    assert replies["status"].startswith("Usage: /status (no arguments): mode, data, uptime")
    assert replies["balance"].startswith("Usage: /balance (no arguments)")
    assert replies["unlock"].startswith("Usage: /unlock (no arguments): lifts a loss-streak cooldown")
    assert not replies["start"].startswith("Usage")          # a deep link's payload follows /start


async def test_superscript_digits_and_numbers_past_a_database_integer_are_refused_not_crashed(tmp_path):
    # before: '²'.isdigit() is True and int('²') raises; 23 digits overflowed SQLite: "failed on my side"
    huge = "9" * 23
    asked = {"sweep²": ("/sweeps ²", "Usage: /sweeps"), "sweep_huge": (f"/sweeps {huge}", "Usage: /sweeps"),
             "older²": ("/sweeps older ²", "Usage: /sweeps"),
             "why²": ("/why ²", "No order or decision '²' is known"),
             "why_huge": (f"/why {huge}", f"No order or decision '{huge}' is known"),
             "llmscore²": ("/llmscore ²", "'²' is not a number of days from 1 to 365"),
             "divergence²": ("/divergence ²", "'²' is not a number of days from 1 to 365"),
             "divergence366": ("/divergence 366", "'366' is not a number of days from 1 to 365")}
    async with FakeTelegram() as telegram:
        async with feature_bot(bot_settings(tmp_path, telegram.base_url, telegram.token, replay_speed=0.001)):
            with capture_logs() as logs:
                replies = {name: (await telegram.ask(OWNER, text)).text for name, (text, _) in asked.items()}
    wrong = {name: text for name, text in replies.items() if not text.startswith(asked[name][1])}
    assert wrong == {}, wrong
    assert [e for e in logs if e.get("log_level") in ("error", "critical")] == []


async def test_markup_characters_typed_are_echoed_back_as_typed(tmp_path):
    # the offline demo failed any reply whose visible text held '<' (it parsed the HTML twice); Telegram gets
    # them escaped and shows them as typed
    asked = {"/markets <": "No market matches '<'.", "/why a<b&c>": "No order or decision 'a<b&c>' is known.",
             "/price <i>&amp;": "Unknown symbol '<i>&amp;'."}
    async with FakeTelegram() as telegram:
        async with feature_bot(bot_settings(tmp_path, telegram.base_url, telegram.token, replay_speed=0.001)):
            replies = {text: (await telegram.ask(OWNER, text)).text for text in asked}
    wrong = {text: reply for text, reply in replies.items() if not reply.startswith(asked[text])}
    assert wrong == {}, wrong
