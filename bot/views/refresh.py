"""The Refresh button under a view that is redrawn in place: status, balance, positions, profit."""
from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callback_data import REFRESH, Callback


def refresh_row(view: str, arg: str = "") -> list[InlineKeyboardButton]:
    """Return the row holding a view's Refresh button (under other buttons, as /positions shows it)."""
    return [InlineKeyboardButton("🔄 Refresh", callback_data=Callback(REFRESH, view, arg).encode())]


def refresh_button(view: str, arg: str = "") -> InlineKeyboardMarkup:
    """Return the Refresh button of a view alone (status, balance, profit)."""
    return InlineKeyboardMarkup([refresh_row(view, arg)])
