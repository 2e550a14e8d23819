"""The offline demo's terminal shows what Telegram would show: the visible text, parsed once."""
from __future__ import annotations

import io
from pathlib import Path

from bot.localchat.server import BotApiServer
from bot.localchat.terminal import TerminalChat

CHAT = 42


def _shown(out: io.StringIO) -> str:
    return out.getvalue()


async def test_an_escaped_less_than_sign_is_shown_once_unescaped(tmp_path: Path) -> None:
    server = BotApiServer("t")
    out = io.StringIO()
    TerminalChat(server, CHAT, tmp_path, out)
    await server._api_sendmessage({"chat_id": CHAT, "text": "<b>No market matches</b> &lt; &amp; &gt; 100",
                                   "parse_mode": "HTML"}, {})
    assert _shown(out) == "\nbot> No market matches < & > 100\n"


async def test_a_keyboard_edit_shows_the_visible_text_not_the_markup(tmp_path: Path) -> None:
    server = BotApiServer("t")
    out = io.StringIO()
    TerminalChat(server, CHAT, tmp_path, out)
    message = await server._api_sendmessage({"chat_id": CHAT, "text": "<b>Buy?</b> price &lt; 100",
                                             "parse_mode": "HTML"}, {})
    await server._api_editmessagereplymarkup({"chat_id": CHAT, "message_id": message["message_id"]}, {})
    assert _shown(out).splitlines()[-1] == "bot (edited)> Buy? price < 100"
