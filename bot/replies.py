"""Telegram-sized messages: one splitter for every reply and notification, and the plain-text fallback.

Telegram refuses a message over 4096 characters (UTF-16 code units) and HTML it cannot parse. Messages are cut
at line ends when they can be, between words when a line is too long, and never inside a tag or an entity; a tag
open at a cut is closed at the end of one part and opened again at the start of the next.
"""
from __future__ import annotations

import html
import re

MAX_TEXT = 4096
_TAG = re.compile(r"</?([a-zA-Z][a-zA-Z0-9-]*)(?:\s[^<>]*)?>")
_TAG_ATOM = re.compile(r"(</?[a-zA-Z][a-zA-Z0-9-]*(?:\s[^<>]*)?>)")
_WORD = re.compile(r"\S+\s*|\s+")
_GLYPH = re.compile(r"&#?\w+;|.", re.DOTALL)     # an entity is one glyph: a cut never falls inside it


def units(text: str) -> int:
    """Return the length of text as Telegram counts it (UTF-16 code units)."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def split_message(text: str, html_mode: bool = True, limit: int = MAX_TEXT) -> list[str]:
    """Return text as messages of at most limit UTF-16 units each, in order."""
    if units(text) <= limit:
        return [text]
    packer = _Packer(html_mode, limit)
    for line in text.splitlines(keepends=True):
        packer.add_line(line)
    return packer.finish() or [text[:limit]]


def plain_text(html_text: str) -> str:
    """Return what an HTML message says, as plain text (tags dropped, entities decoded)."""
    return html.unescape(_TAG.sub("", html_text))


def is_html(parse_mode: object) -> bool:
    """Return True when parse_mode asks Telegram for HTML."""
    return isinstance(parse_mode, str) and parse_mode.upper() == "HTML"


class _Packer:
    """Fills messages greedily; tracks the tags open at the end of the current message."""

    def __init__(self, html_mode: bool, limit: int) -> None:
        self.html, self.limit = html_mode, limit
        self.messages: list[str] = []
        self.prefix = ""                         # tags re-opened at the start of the current message
        self.body: list[str] = []
        self.size = 0
        self.open: list[tuple[str, str]] = []    # (name, start tag) open after the body

    def add_line(self, line: str) -> None:
        """Add a line whole when it fits, else start a new message, else add it word by word."""
        if not self._fits(line) and self.body:
            self._flush()
        if self._fits(line):
            self._append(line)
            return
        for atom in self._atoms(line):
            if not self._fits(atom) and self.body:
                self._flush()
            if self._fits(atom):
                self._append(atom)
                continue
            for piece in self._cut(atom):
                self._append(piece)

    def finish(self) -> list[str]:
        """Return the messages, the last one included."""
        self._flush()
        return self.messages

    def _atoms(self, line: str) -> list[str]:
        parts = _TAG_ATOM.split(line) if self.html else [line]
        atoms: list[str] = []
        for i, part in enumerate(parts):
            atoms.extend([part] if i % 2 else _WORD.findall(part))
        return [a for a in atoms if a]

    def _cut(self, word: str) -> list[str]:
        """Cut a word longer than a message into pieces that fill the room left, never inside an entity."""
        pieces: list[str] = []
        while word:
            room = self.limit - units(self.prefix) - self.size - units(_closing(self.open))
            if room < 2 and self.body:
                self._flush()
                continue
            if room < 2:   # only with absurdly long open tags: give up their formatting, keep the text
                self.open, self.prefix = [], ""
                continue
            glyphs = _GLYPH.findall(word) if self.html else list(word)
            take = _fitting(glyphs, room)
            if take == 0 and self.body:    # an entity that does not fit after the body: it starts the next message
                self._flush()
                continue
            if take == 0:                  # an "entity" longer than a message is no entity: cut it as characters
                glyphs = list(word)
                take = _fitting(glyphs, room)
            pieces.append("".join(glyphs[:take]))
            word = "".join(glyphs[take:])
            if word:
                self._append(pieces.pop())
                self._flush()
        return pieces

    def _fits(self, piece: str) -> bool:
        after = self._open_after(piece)
        return units(self.prefix) + self.size + units(piece) + units(_closing(after)) <= self.limit

    def _append(self, piece: str) -> None:
        self.open = self._open_after(piece)
        self.body.append(piece)
        self.size += units(piece)

    def _open_after(self, piece: str) -> list[tuple[str, str]]:
        if not self.html or "<" not in piece:
            return self.open
        stack = list(self.open)
        for match in _TAG.finditer(piece):
            name = match[1].lower()
            if not match[0].startswith("</"):
                stack.append((name, match[0]))
            elif stack and stack[-1][0] == name:
                stack.pop()
        return stack

    def _flush(self) -> None:
        body = "".join(self.body).rstrip("\n")
        message = self.prefix + body + _closing(self.open)
        visible = plain_text(message) if self.html else message
        if visible.strip():
            self.messages.append(message)
        self.prefix = "".join(start for _, start in self.open)
        self.body, self.size = [], 0


def _fitting(glyphs: list[str], room: int) -> int:
    """Return how many glyphs, from the first, fit in room units."""
    take, used = 0, 0
    while take < len(glyphs) and used + units(glyphs[take]) <= room:
        used += units(glyphs[take])
        take += 1
    return take


def _closing(open_tags: list[tuple[str, str]]) -> str:
    return "".join(f"</{name}>" for name, _ in reversed(open_tags))
