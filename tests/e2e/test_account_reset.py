"""A losing manual trade starts the loss-streak cooldown (LOSS_STREAK=1); /resume lifts it; /reset_paper starts a
clean account: no cooldown, no streak, and the month's report without the old account's trades."""
import re

from tests.fakes.bot_process import OWNER, bot_settings, running_bot
from tests.fakes.chat_checks import eventually, reply
from tests.fakes.telegram_api import FakeTelegram


def is_receipt(s) -> bool:
    return s.text.startswith(("✅", "Not opened", "Order refused", "No "))


async def risk_when(telegram, predicate):
    """Ask /risk until the answer matches (the loop adopts and settles positions on its own beat)."""
    found = []

    async def ask() -> bool:
        found[:] = [await reply(telegram, OWNER, "/risk", lambda s: s.text.startswith("Risk"))]
        return predicate(found[0].text)

    deadline_checks = 0
    while not await ask():
        deadline_checks += 1
        assert deadline_checks < 200, f"/risk never matched; last: {found[0].text}"
    return found[0].text


async def losing_round_trip(telegram) -> None:
    """Buy and close at once: the fees and the spread make it a loss the loop records."""
    assert (await reply(telegram, OWNER, "/buy BTC/USDT 100", is_receipt)).text.startswith("✅ Bought")
    await risk_when(telegram, lambda t: "Positions 1/3" in t)          # guarded: its close will count
    assert (await reply(telegram, OWNER, "/close BTC/USDT", is_receipt)).text.startswith("✅ Sold")
    await risk_when(telegram, lambda t: "cooldown" in t)


def is_performance(sent) -> bool:
    return sent.text.startswith(("No closed trades", "Performance per symbol"))


def is_trades(sent) -> bool:
    return sent.text.startswith(("No trades", "Recent trades"))


async def test_resume_lifts_a_cooldown_and_a_reset_starts_a_clean_account(tmp_path):
    async with FakeTelegram() as telegram:
        # real speed: no candle closes within the test, and the clock still moves between a close and the reset
        # (a report after a reset counts from its millisecond; at 0.001 all of it fell in one)
        settings = bot_settings(tmp_path, telegram.base_url, telegram.token, replay_speed=1.0, loss_streak="1")
        async with running_bot(settings):
            await telegram.wait_for(OWNER, lambda s: "Started" in s.text, timeout=30)
            risk = await reply(telegram, OWNER, "/risk", lambda s: s.text.startswith("Risk"))
            assert "Loss streak 0/1 (your manual trades count too)" in risk.text
            await losing_round_trip(telegram)
            refused = await reply(telegram, OWNER, "/buy BTC/USDT 100", is_receipt)
            assert refused.text == ("Not opened: Cooling down after 1 losing trade in a row: 120 min left. New "
                                    "positions are refused until then; /unlock or /resume lifts it now.")
            resumed = await reply(telegram, OWNER, "/resume", lambda s: "resume" in s.text.lower())
            assert resumed.text == "▶️ Trading resumed: lifted loss-streak cooldown."
            await losing_round_trip(telegram)
            month = await reply(telegram, OWNER, "/report month", lambda s: "Monthly report" in s.text)
            assert "Trades: 2 closed" in month.text
            card = await reply(telegram, OWNER, "/reset_paper", lambda s: s.text.startswith("Reset the paper"))
            yes = card.buttons[0][0]["callback_data"]
            telegram.user_presses(OWNER, card.message_id, yes)
            await eventually(lambda: any(s.edited and "reset to" in s.text for s in telegram.replies_to(OWNER)),
                             "the reset card answered")
            risk = await reply(telegram, OWNER, "/risk", lambda s: s.text.startswith("Risk"))
            month = await reply(telegram, OWNER, "/report month", lambda s: "Monthly report" in s.text)
            profit = await reply(telegram, OWNER, "/profit", lambda s: s.text.startswith("Profit"))
            # replies known by their first words: a late notice ("1 losing trade in a row") is none of them
            per_symbol = await reply(telegram, OWNER, "/performance", is_performance)
            trades_before = await reply(telegram, OWNER, "/trades", is_trades)
            bought = await reply(telegram, OWNER, "/buy BTC/USDT 100", is_receipt)
            trades = await reply(telegram, OWNER, "/trades", is_trades)
            day = await reply(telegram, OWNER, "/report", lambda s: "Daily report" in s.text)
            risk_after = await reply(telegram, OWNER, "/risk", lambda s: s.text.startswith("Risk"))
    assert "✅ new entries allowed" in risk.text and "Loss streak 0/1" in risk.text and "cooldown" not in risk.text
    assert "Trades: none closed, 0 fills" in month.text and "This month: +0.00" in month.text
    # before: /profit and /performance still counted the old account's two losing trades after "PnL starts over"
    assert "Realised: +0.00" in profit.text and "all: no closed trades" in profit.text, profit.text
    assert per_symbol.text == "No closed trades yet.", per_symbol.text
    assert bought.text.startswith("✅ Bought")
    # before: /trades listed the old account's four fills after "PnL starts over"
    assert trades_before.text.startswith("No trades since the paper reset on 20"), trades_before.text
    lines = trades.text.splitlines()
    assert lines[0] == "Recent trades" and lines[1].startswith("Since the paper reset on 20"), trades.text
    assert lines[1].endswith("UTC; older fills are hidden.") and len(lines) == 4 and " buy " in lines[2]
    assert lines[3] == "/why ORDER_ID tells why the bot placed an order."
    # before: the risk line said "today +0.00" (the risk state as of the last loop tick, none since the buy)
    # while the same report's "Today:" line counted the buy's fee from the ledger
    today = re.search(r"^Today: ([-+][\d,.]+) ", day.text, re.M)
    risk_today = re.search(r"· today ([-+][\d,.]+) of", day.text)
    assert today and risk_today and today[1] == risk_today[1] and today[1] != "+0.00", day.text
    # /risk reads the engine: its day starts at the reset balance (it started after the first buy's fee, so the
    # daily-loss limit gave that fee away until midnight)
    risk_line = re.search(r"^Today \(.*\): ([-+]?[\d,.]+) of", risk_after.text, re.M)
    assert risk_line and risk_line[1].lstrip("+") == today[1].lstrip("+"), risk_after.text
    # the user's own closes are told by their replies only: no second message about the same exit
    assert not any("EXIT" in s.text or "closed outside" in s.text for s in telegram.replies_to(OWNER))
