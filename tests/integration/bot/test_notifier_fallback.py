"""No alert is lost to a BadRequest: refused HTML goes out again as plain text, a long alert in parts."""
from bot.replies import MAX_TEXT, units
from tests.fakes.notifier_delivery import delivered
from tests.fakes.telegram_api import FakeTelegram
from trading.domain.events import Event, EventKind, Severity

CHAT = 4242
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


async def test_an_alert_whose_html_is_refused_arrives_as_plain_text():
    alert = Event(EventKind.CIRCUIT_BREAKER, 1, "Circuit breaker: BTC/USDT moved 3.2% in 15 min & spread > 50 bps",
                  severity=Severity.CRITICAL)
    async with FakeTelegram() as telegram:
        telegram.refuse_html = True
        sent = await delivered(telegram, CHAT, alert, wanted=1)

    assert [s.text for s in sent] == ["🚨 Circuit breaker: BTC/USDT moved 3.2% in 15 min & spread > 50 bps"]
    assert sent[0].raw.get("parse_mode") in (None, "")


async def test_a_report_with_a_refused_caption_arrives_as_the_photo_then_the_text():
    async with FakeTelegram() as telegram:
        telegram.refuse_html = True
        sent = await delivered(telegram, CHAT, Event(EventKind.REPORT, 1, "Daily report <b>", image=PNG), wanted=2)

    assert [(s.kind, s.text) for s in sent] == [("photo", ""), ("text", "ℹ️ Daily report <b>")]


async def test_broken_html_from_a_renderer_still_arrives():
    async with FakeTelegram() as telegram:
        sent = await delivered(telegram, CHAT, Event(EventKind.ERROR, 1, "x"), wanted=1,
                               render=lambda e: "<b>Position closed: stop <hit</b> & fees")

    assert [s.text for s in sent] == ["Position closed: stop <hit & fees"]


async def test_an_alert_over_4096_characters_arrives_whole_in_parts():
    lines = [f"{i:03d} BTC/USDT long closed at 117,380.36 · PnL +1.23" for i in range(100)]
    async with FakeTelegram() as telegram:
        sent = await delivered(telegram, CHAT, Event(EventKind.REPORT, 1, "\n".join(lines)), wanted=2)

    assert len(sent) == 2 and all(units(s.text) <= MAX_TEXT for s in sent)
    assert "\n".join(s.text for s in sent).splitlines() == [f"ℹ️ {lines[0]}", *lines[1:]]
