"""Rendering of /help COMMAND, /version, /show_config, /logs, /locks, and the buttons under /start and /help."""
from __future__ import annotations

import difflib

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callback_data import Callback, for_asker
from bot.views import esc
from trading.services.about import LogLine
from trading.services.live_control import Lock

GO = "go"
MENU = (("status", "📊 Status"), ("balance", "💰 Balance"), ("positions", "📈 Positions"), ("orders", "📋 Orders"),
        ("profit", "💵 Profit"), ("risk", "🛡 Risk"), ("locks", "🔒 Locks"), ("mode", "⚙️ Mode"))
EXAMPLES = {
    "buy": ["/buy BTC/USDT 100", "/buy ETH/USDT 50 limit 2500"],
    "sell": ["/sell BTC/USDT all", "/sell BTC/USDT 50%", "/sell BTC/USDT 0.001"],
    "short": ["/short BTC/USDT 100"], "cover": ["/cover BTC/USDT all"], "close": ["/close BTC/USDT"],
    "cancel": ["/cancel P-3"], "set": ["/set RISK_PER_TRADE_PCT 1", "/set QUIET_HOURS 23:00-07:00",
                                       "/set RISK_PER_TRADE_PCT default"],
    "symbols": ["/symbols", "/symbols add SOL/USDT", "/symbols remove ETH/USDT"],
    "profit": ["/profit", "/profit 7"], "daily": ["/daily", "/daily 14"], "chart": ["/chart BTC/USDT 15m"],
    "live": ["/live on", "/live off"], "kill": ["/kill", "/kill flat"], "logs": ["/logs", "/logs 50"],
    "backtest": ["/backtest A BTC/USDT 30d", "/backtest C ETH/USDT 2025-07-01..2025-07-20"],
    "evaluate": ["/evaluate A BTC/USDT 90d"], "optimize": ["/optimize C", "/optimize A ETH/USDT 60d"],
    "sweeps": ["/sweeps", "/sweeps 3", "/sweeps older 3"], "divergence": ["/divergence", "/divergence 14"],
    "params": ["/params C", "/params C sweep_lookback 8", "/params C default"],
    "report": ["/report week"], "price": ["/price BTC/USDT"],
}


def menu_keyboard(asker: int) -> InlineKeyboardMarkup:
    """Return the main commands as buttons, two a row, for the user who asked."""
    buttons = [InlineKeyboardButton(label, callback_data=Callback(GO, name, for_asker(asker)).encode())
               for name, label in MENU]
    return InlineKeyboardMarkup([buttons[i:i + 2] for i in range(0, len(buttons), 2)])


def command_help(name: str, usage: str, summary: str) -> str:
    """Return /help COMMAND: what it does, its usage and examples."""
    lines = [f"<b>/{esc(name)}</b> — {esc(summary)}", f"Usage: <code>{esc(usage)}</code>"]
    examples = EXAMPLES.get(name, [])
    if examples:
        lines.append("Examples:\n" + "\n".join(f"<code>{esc(e)}</code>" for e in examples))
    return "\n".join(lines)


def nearest(typed: str, names: list[str]) -> str | None:
    """Return the command name closest to what was typed, if any is close."""
    found = difflib.get_close_matches(typed.lower().lstrip("/").split("@")[0], names, n=1, cutoff=0.6)
    return found[0] if found else None


def versions_text(versions: dict[str, str]) -> str:
    """Return /version."""
    return "<b>Version</b>\n" + "\n".join(f"{esc(k)}: {esc(v)}" for k, v in versions.items())


def config_text(rows: list[tuple[str, str]]) -> str:
    """Return /show_config: every effective setting, secrets masked."""
    return "<b>Effective settings</b> (secrets masked)\n" + "\n".join(
        f"<code>{esc(name)}</code> = {esc(value[:200])}" for name, value in rows)


def logs_text(lines: list[LogLine]) -> str:
    """Return /logs: the newest warnings and errors, oldest first."""
    if not lines:
        return "No warnings or errors in the log."
    return "<b>Recent warnings and errors</b>\n" + "\n".join(
        f"<code>{esc(line.timestamp)}</code> {esc(line.level)}: {esc(line.message)}" for line in lines)


def locks_text(locks: list[Lock]) -> str:
    """Return /locks: what blocks new entries now, for how long, and how to lift it."""
    if not locks:
        return "🔓 Nothing blocks new entries now."
    lines = ["<b>What blocks new entries</b>"]
    for lock in locks:
        left = f", {lock.minutes_left} min left" if lock.minutes_left else ""
        lines.append(f"🔒 <b>{esc(lock.name)}</b>: {esc(lock.detail)}{left} — lift: {esc(lock.lift)}")
    return "\n".join(lines)
