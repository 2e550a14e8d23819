"""A notification carrying an image goes out as a photo with its text as the caption, through the paced queue."""
from tests.fakes.notifier_delivery import delivered
from tests.fakes.telegram_api import FakeTelegram
from trading.domain.events import Event, EventKind

CHAT = 4242
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


async def test_an_event_with_an_image_arrives_as_a_photo_captioned_with_its_message():
    async with FakeTelegram() as telegram:
        telegram.fail_next("sendPhoto", code=429, retry_after=1)
        sent = await delivered(telegram, CHAT, Event(EventKind.REPORT, 1, "Daily report: +1.2% <today>", image=PNG),
                               Event(EventKind.STARTED, 2, "plain text"), wanted=2)

    assert [(s.kind, s.text) for s in sent] == [("photo", "ℹ️ Daily report: +1.2% <today>"),
                                               ("text", "ℹ️ plain text")]
    assert sent[0].file_bytes == PNG


async def test_a_text_too_long_for_a_caption_follows_its_photo_as_a_message():
    long_text = "line of the report\n" * 80
    async with FakeTelegram() as telegram:
        sent = await delivered(telegram, CHAT, Event(EventKind.REPORT, 1, long_text, image=PNG), wanted=2)

    assert [s.kind for s in sent] == ["photo", "text"]
    assert sent[0].text == "" and sent[1].text.startswith("ℹ️ line of the report")
