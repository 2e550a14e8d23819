"""One registry of commands: it feeds /help, the phone's command menu (setMyCommands) and the handlers."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Awaitable, Callable

from telegram import Update

from bot.context import BotContext
from bot.handlers import market, status

Handler = Callable[[Update, BotContext], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Command:
    """A chat command."""

    name: str
    group: str
    summary: str
    usage: str
    handler: Handler


COMMANDS: tuple[Command, ...] = (
    Command("start", "General", "welcome and what this bot is running", "/start", status.start),
    Command("help", "General", "list the commands", "/help", status.help_command),
    Command("status", "General", "mode, data, uptime, last tick, kill switch", "/status", status.status),
    Command("price", "Market", "last price, 24h change, spread, funding", "/price BTC/USDT", market.price),
    Command("markets", "Market", "list tradable markets", "/markets [filter]", market.markets),
)


def by_group() -> dict[str, list[Command]]:
    """Return the commands grouped for /help, in registry order."""
    groups: dict[str, list[Command]] = {}
    for command in COMMANDS:
        groups.setdefault(command.group, []).append(command)
    return groups
