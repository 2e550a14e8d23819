"""What traders expect from the anchors' bots, through the fake Bot API: profit tables, Refresh in place, Close and
Cancel buttons, menus under /start, /help COMMAND, suggestions for typos, /version, /show_config and /logs with
secrets masked, /locks and /unlock."""
import json

from tests.fakes.bot_process import OWNER, bot_settings, running_bot
from tests.fakes.telegram_api import FakeTelegram

TOKEN_SECRET = "sk-live-0123456789abcdefghijklmnop"


def paper(tmp_path, telegram, **overrides):
    return bot_settings(tmp_path, telegram.base_url, telegram.token, replay_speed=0.001, **overrides)


def pressed(telegram, message, label_start):
    data = next(b["callback_data"] for row in message.buttons for b in row if b["text"].startswith(label_start))
    return telegram.user_presses(message.chat_id, message.message_id, data)


async def test_close_and_cancel_buttons_profit_tables_and_refresh_in_place(tmp_path):
    async with FakeTelegram() as telegram:
        async with running_bot(paper(tmp_path, telegram)):
            await telegram.wait_for(OWNER, lambda s: "Started" in s.text)
            await telegram.ask(OWNER, "/buy BTC/USDT 100")
            await telegram.ask(OWNER, "/buy ETH/USDT 100 limit 1000")
            positions = await telegram.ask(OWNER, "/positions")
            pressed(telegram, positions, "Close BTC/USDT")
            sold = await telegram.wait_for(OWNER, lambda s: s.text.startswith("✅ Sold 0.00085 BTC/USDT"))
            orders = await telegram.ask(OWNER, "/orders")
            pressed(telegram, orders, "Cancel P-2")
            cancelled = await telegram.wait_for(OWNER, lambda s: s.text.startswith("Cancelled"))
            profit = await telegram.ask(OWNER, "/profit")
            daily = await telegram.ask(OWNER, "/daily 3")
            performance = await telegram.ask(OWNER, "/performance")
            balance = await telegram.ask(OWNER, "/balance")
            toast = await telegram.answered(pressed(telegram, balance, "🔄 Refresh"))
            bad_days = await telegram.ask(OWNER, "/profit many")
    assert "Close BTC/USDT" in str(positions.buttons) and "P-2 buy 0.1000 ETH/USDT" in orders.text and sold
    assert cancelled.text.startswith("Cancelled P-2")
    assert "manual: 1 trades · 0% won · -" in profit.text and profit.buttons[0][0]["text"] == "🔄 Refresh"
    assert daily.text.count("\n") == 3 and "1 trades" in daily.text and "BTC/USDT: 1 trades" in performance.text
    assert toast == "Refreshing…" and bad_days.text.startswith("Give a number from 1 to 3650")


async def test_menus_help_typos_version_config_logs_and_locks(tmp_path):
    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "trading-assistant.jsonl").write_text("\n".join(json.dumps(line) for line in [
        {"timestamp": "2026-03-02T10:00:00Z", "level": "info", "event": "fine"},
        {"timestamp": "2026-03-02T10:01:00Z", "level": "warning", "event": f"retrying with api_key={TOKEN_SECRET}"},
        {"timestamp": "2026-03-02T10:02:00Z", "level": "error", "event": "exchange refused"}]) + "\nnot json\n")
    async with FakeTelegram() as telegram:
        settings = paper(tmp_path, telegram, master_key="a very secret master key",
                         exchange_options=json.dumps({"apiKey": TOKEN_SECRET, "options": {"x": 1}}))
        async with running_bot(settings):
            await telegram.wait_for(OWNER, lambda s: "Started" in s.text)
            start = await telegram.ask(OWNER, "/start")
            pressed(telegram, start, "💰 Balance")
            balance = await telegram.wait_for(OWNER, lambda s: s.text.startswith("Balance"))
            help_buy = await telegram.ask(OWNER, "/help buy")
            help_typo = await telegram.ask(OWNER, "/help selll")
            typo = await telegram.ask(OWNER, "/positons")
            version = await telegram.ask(OWNER, "/version")
            config = await telegram.ask(OWNER, "/show_config")
            problems = await telegram.ask(OWNER, "/logs 5")
            free = await telegram.ask(OWNER, "/locks", expect="🔓")
            await telegram.ask(OWNER, "/pause", expect="⏸")
            await telegram.ask(OWNER, "/kill", expect="🛑")
            locked = await telegram.ask(OWNER, "/locks", expect="What blocks")
            unlock = await telegram.ask(OWNER, "/unlock", expect="No cooldown")
    assert balance and "Examples:\n/buy BTC/USDT 100" in help_buy.text
    assert help_typo.text == "No command /selll. Did you mean /help sell? /help lists them."
    assert typo.text == "I don't know /positons. Did you mean /positions? Type /help to see the commands."
    assert version.text.startswith("Version\ntrading-assistant: ")
    assert "MASTER_KEY = (set, hidden)" in config.text and '"apiKey": "***"' in config.text
    assert all(TOKEN_SECRET not in s.text and "a very secret master key" not in s.text for s in telegram.sent)
    assert problems.text.splitlines()[1:] == ["2026-03-02T10:01:00 WARNING: retrying with api_key=***",
                                              "2026-03-02T10:02:00 ERROR: exchange refused"]
    assert free.text == "🔓 Nothing blocks new entries now."
    assert "pause: paused by Telegram user 4242 — lift: /resume" in locked.text
    assert "kill switch: /kill (by Telegram chat 4242) — lift: /resume" in locked.text, locked.text
    assert unlock.text.startswith("No cooldown is running")


async def test_another_members_press_on_the_owners_close_button_does_nothing(tmp_path):
    group, member = -100321, 777
    async with FakeTelegram() as telegram:
        settings = paper(tmp_path, telegram, telegram_allowed_chat_ids=f"{OWNER},{group}",
                         telegram_allowed_user_ids=f"{OWNER},{member}")
        async with running_bot(settings):
            await telegram.wait_for(OWNER, lambda s: "Started" in s.text)
            await telegram.ask(group, "/buy BTC/USDT 100", user_id=OWNER, expect="✅ Bought")
            positions = await telegram.ask(group, "/positions", user_id=OWNER, expect="Open positions")
            data = positions.buttons[0][0]["callback_data"]
            by_member = telegram.user_presses(group, positions.message_id, data, user_id=member)
            refused = await telegram.answered(by_member)
            still = await telegram.ask(group, "/positions", user_id=OWNER, expect="Open positions")
    assert refused.startswith("These buttons belong to the person who asked") and "BTC/USDT LONG" in still.text


async def test_switching_a_strategy_to_the_state_it_is_in_says_so(tmp_path):
    async with FakeTelegram() as telegram:
        async with running_bot(paper(tmp_path, telegram)):
            await telegram.wait_for(OWNER, lambda s: "Started" in s.text)
            off = await telegram.ask(OWNER, "/strategies A off", expect="Strategy A")
            again = await telegram.ask(OWNER, "/strategies a off", expect="Strategy A")
            on = await telegram.ask(OWNER, "/strategies A on", expect="Strategy A")
            on_again = await telegram.ask(OWNER, "/strategies A ON", expect="Strategy A")
    assert off.text == "Strategy A switched off." and on.text == "Strategy A switched on."
    # before: "Strategy A switched off." again, as if something had changed
    assert again.text == "Strategy A is already off; nothing changed."
    assert on_again.text == "Strategy A is already on; nothing changed."
