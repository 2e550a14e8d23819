"""A terminal chat client for the offline demo: type commands, read the bot's replies."""
from __future__ import annotations

import asyncio
import re
import sys
import threading
from pathlib import Path
from typing import TextIO

from bot.localchat.server import BotApiServer, Sent

QUIET_S = 1.5      # after stdin ends, wait this long without replies before leaving


class TerminalChat:
    """Reads lines from stdin as the demo user's messages and prints what the bot sends to that chat."""

    def __init__(self, server: BotApiServer, chat_id: int, photos_dir: Path, out: TextIO = sys.stdout) -> None:
        self.server = server
        self.chat_id = chat_id
        self.photos_dir = photos_dir
        self.out = out
        self._last_buttons: tuple[int, list[dict]] | None = None
        self._last_activity = asyncio.get_event_loop().time()
        server.listeners.append(self._show)

    def _show(self, sent: Sent) -> None:
        if sent.chat_id != self.chat_id:
            return
        self._last_activity = asyncio.get_event_loop().time()
        text = sent.text   # the server already parsed the markup: parsing it again would unescape "&lt;" twice
        prefix = "bot (edited)" if sent.edited else "bot"
        if sent.file_bytes is not None:
            self.photos_dir.mkdir(parents=True, exist_ok=True)
            suffix = ".png" if sent.kind == "photo" else ".bin"
            path = self.photos_dir / f"{sent.message_id}{suffix}"
            path.write_bytes(sent.file_bytes)
            text = f"[{sent.kind} saved to {path}] {text}"
        print(f"\n{prefix}> " + text.replace("\n", "\n     "), file=self.out)
        buttons = [b for row in sent.buttons for b in row if "callback_data" in b]
        if buttons:
            self._last_buttons = (sent.message_id, buttons)
            labels = "  ".join(f"[#{i + 1} {b['text']}]" for i, b in enumerate(buttons))
            print(f"     {labels}   (type #N to press)", file=self.out)
        self.out.flush()

    def say(self, line: str) -> None:
        """Send one typed line: a message, or '#N' to press button N of the last keyboard."""
        line = line.strip()
        if not line:
            return
        press = re.fullmatch(r"#(\d+)", line)
        if press and self._last_buttons:
            message_id, buttons = self._last_buttons
            index = int(press.group(1)) - 1
            if 0 <= index < len(buttons):
                self.server.user_presses(self.chat_id, message_id, buttons[index]["callback_data"])
                return
        self.server.user_says(self.chat_id, line)
        self._last_activity = asyncio.get_event_loop().time()

    async def run(self) -> None:
        """Feed stdin to the bot until end of input, then wait for the last replies."""
        print("Offline demo chat. Type /help (Ctrl-D to quit).", file=self.out, flush=True)
        loop = asyncio.get_running_loop()
        lines: asyncio.Queue[str] = asyncio.Queue()

        def read_stdin() -> None:
            # a daemon thread: a blocked readline must not hold up the process exit
            for line in sys.stdin:
                loop.call_soon_threadsafe(lines.put_nowait, line)
            loop.call_soon_threadsafe(lines.put_nowait, "")

        threading.Thread(target=read_stdin, name="demo-stdin", daemon=True).start()
        while line := await lines.get():
            self.say(line)
        while loop.time() - self._last_activity < QUIET_S:
            await asyncio.sleep(0.1)
