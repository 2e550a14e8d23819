"""A command's reply tells its own news in the chat it was typed in, so that news is not pushed there too; any
other news its step made (an exchange stop not placed, a resting entry cancelled) is pushed there as to every chat:
with one chat, it would be lost otherwise."""
from bot.notifier import answered_in
from tests.fakes.notifier_delivery import delivered
from tests.fakes.telegram_api import FakeTelegram
from trading.domain.events import Event, EventKind, Severity
from trading.services import loop_notices as notices

CHAT = 4242
STOP_FAILED = Event(EventKind.ORDER_FAILED, 1, "Exchange stop not placed for BTC/USDT:USDT", {}, Severity.CRITICAL)


async def test_in_a_single_chat_resume_hides_its_own_news_but_not_an_alert_its_step_raised():
    resumed = notices.trading_resumed(["kill switch"], 2)
    unlocked = notices.cooldown_lifted("user:1", 3)
    async with FakeTelegram() as telegram:
        with answered_in(CHAT):
            sent = await delivered(telegram, CHAT, resumed, STOP_FAILED, unlocked, wanted=1)
    texts = [s.text for s in sent]
    assert len(texts) == 1 and "Exchange stop not placed for BTC/USDT:USDT" in texts[0], texts
