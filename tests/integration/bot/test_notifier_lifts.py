"""A lifted brake takes back its alert still waiting in the push queue (paced at one a second a chat): the chat
never reads "refused for 120 min" after "cooldown lifted". Other alerts, and one already sent, stay."""
from tests.fakes.notifier_delivery import delivered
from tests.fakes.telegram_api import FakeTelegram
from trading.domain.events import Event, EventKind
from trading.services import loop_notices as notices

CHAT = 4242
STREAK = Event(EventKind.RISK_LIMIT, 1, "RISK LIMIT: 1 losing trade in a row: new positions are refused for 120 min",
               {"rule": "loss_streak"})
DAILY = Event(EventKind.RISK_LIMIT, 1, "RISK LIMIT: daily loss limit hit", {"rule": "daily_loss"})


async def test_a_cooldown_lifted_before_its_alert_went_out_withdraws_that_alert_only():
    async with FakeTelegram() as telegram:
        sent = await delivered(telegram, CHAT, STREAK, DAILY, notices.cooldown_lifted("user:1", 2), wanted=2)
    texts = [s.text for s in sent]
    assert len(texts) == 2 and "daily loss limit hit" in texts[0], texts
    assert "cooldown lifted by Telegram user 1" in texts[1], texts


async def test_a_resume_that_lifted_a_cooldown_and_a_halt_withdraws_their_alerts():
    halt = Event(EventKind.RISK_LIMIT, 1, "RISK LIMIT: drawdown halt", {"rule": "max_drawdown"})
    resumed = notices.trading_resumed(["drawdown halt", "loss-streak cooldown"], 2)
    async with FakeTelegram() as telegram:
        sent = await delivered(telegram, CHAT, halt, STREAK, DAILY, resumed, wanted=2)
    texts = [s.text for s in sent]
    assert len(texts) == 2 and "daily loss limit hit" in texts[0] and "Trading resumed" in texts[1], texts
