"""A lifted brake takes back its alert still waiting in the push queue (paced at one a second a chat): the chat
never reads "refused for 120 min" after "cooldown lifted". Other alerts, and one already sent, stay."""
import asyncio
from typing import Awaitable, Callable

from telegram import Bot

from bot.notifier import TelegramNotifier
from tests.fakes.notifier_delivery import delivered
from tests.fakes.telegram_api import FakeTelegram
from trading.domain.events import Event, EventKind
from trading.adapters.clocks import ManualClock
from trading.adapters.sqlite_store import SqliteStore
from trading.services import loop_notices as notices
from trading.services.chat_settings import ChatSettings
from trading.services.code_requests import CodeRequests
from trading.services.event_bus import EventBus
from trading.settings import load_settings

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


class Audit:
    """An audit log that keeps what it was given (the event bus records before it pushes)."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    async def append_event(self, event: Event) -> None:
        self.events.append(event)


async def sent_through_bus(telegram: FakeTelegram, emit: Callable[[EventBus], Awaitable[None]]) -> list[str]:
    """Emit through an event bus with the Telegram notifier attached, then deliver; return what the chat got."""
    notifier = TelegramNotifier(frozenset({CHAT}))
    bus = EventBus(Audit())
    bus.attach(notifier)
    await emit(bus)                 # all queued before the first send: a lift finds the alerts still waiting
    async with Bot(telegram.token, base_url=telegram.base_url) as bot:
        notifier.bind(bot)
        worker = asyncio.create_task(notifier.run())
        try:
            for _ in range(400):
                if notifier.pending == 0:
                    break
                await asyncio.sleep(0.02)
        finally:
            worker.cancel()
    return [s.text for s in telegram.replies_to(CHAT)]


async def test_a_resume_after_a_code_not_pushed_still_withdraws_the_halt_alert_it_lifted():
    halt = Event(EventKind.RISK_LIMIT, 1, "RISK LIMIT: drawdown halt", {"rule": "max_drawdown"})

    async def steps(bus: EventBus) -> None:
        await bus.emit(halt)
        await bus.emit(DAILY)
        await bus.emit(notices.trading_resumed(["drawdown halt"], 2, notify=False))   # the code's reply tells it

    async with FakeTelegram() as telegram:
        texts = await sent_through_bus(telegram, steps)
    assert len(texts) == 1 and "daily loss limit hit" in texts[0], texts


async def test_raising_the_daily_loss_limit_withdraws_the_queued_daily_loss_alert(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)          # no stray .env
    clock = ManualClock(1)
    store = SqliteStore(tmp_path / "trading.sqlite", clock)
    await store.open()

    async def steps(bus: EventBus) -> None:
        tuning = ChatSettings(load_settings(data_dir=tmp_path), store, bus, clock, lambda s: None,
                              CodeRequests(None, clock), False, None)  # type: ignore[arg-type]
        await bus.emit(DAILY)
        await bus.emit(STREAK)
        await tuning.change("DAILY_LOSS_LIMIT_PCT", "10", 1)

    try:
        async with FakeTelegram() as telegram:
            texts = await sent_through_bus(telegram, steps)
    finally:
        await store.close()
    assert len(texts) == 2 and "losing trade in a row" in texts[0], texts
    assert "DAILY_LOSS_LIMIT_PCT changed from 6 to 10" in texts[1], texts


async def test_an_alert_waiting_its_turn_to_be_sent_is_withdrawn_too():
    # sent a second ago, the chat's next message waits out the pace as the queue's first: it was kept as if
    # already on its way, and "daily loss limit hit ... until midnight" arrived after the limit was raised
    lifted = Event(EventKind.SETTING, 2, "Setting DAILY_LOSS_LIMIT_PCT changed", {"lifts": ["daily_loss"]})
    async with FakeTelegram() as telegram:
        notifier = TelegramNotifier(frozenset({CHAT}))
        async with Bot(telegram.token, base_url=telegram.base_url) as bot:
            notifier.bind(bot)
            worker = asyncio.create_task(notifier.run())
            try:
                notifier.notify(Event(EventKind.SETTING, 1, "first", {}))
                await telegram.wait_for(CHAT, lambda s: "first" in s.text, timeout=10)
                notifier.notify(DAILY)
                for _ in range(50):          # let the worker take it up and wait out the chat's pace
                    await asyncio.sleep(0)
                notifier.notify(lifted)
                await telegram.wait_for(CHAT, lambda s: "DAILY_LOSS_LIMIT_PCT" in s.text, timeout=10)
            finally:
                worker.cancel()
    assert [s.text for s in telegram.replies_to(CHAT) if "daily loss limit hit" in s.text] == []
