"""The Close button under each open position: bound to the asker and to that position (its symbol and opening).

A Close button names the position it was drawn for, not just the symbol: after the position closed and another
opened in the same symbol, an old button (a double tap, a re-delivered press, a message scrolled back to) must not
close the new one.
"""
from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callback_data import Callback, for_asker
from bot.views.choices import symbol_fits, symbol_of, symbol_ref
from bot.views.refresh import refresh_row
from trading.services.portfolio import PositionView

ACT = "acct"                     # Close and Cancel buttons: 'acct:close:4242_BTC.USDT_mdd8k2v3', 'acct:cancel:4242_P-3'
MAX_BUTTONS = 20
_BASE = 36                       # the opening time in base 36: 8 characters, so long symbols still fit in 64 bytes


def close_ref(view: PositionView) -> str:
    """Return what a Close button refers to: the symbol and when the position opened."""
    return f"{symbol_ref(view.position.symbol)}_{_base36(view.position.opened_ms)}"


def closed_position(ref: str) -> tuple[str, int | None]:
    """Return the symbol and opening time a Close button refers to (None: a button drawn before they were bound)."""
    head, sep, opened = ref.rpartition("_")
    if not sep:
        return symbol_of(ref), None
    try:
        return symbol_of(head), int(opened, _BASE)
    except ValueError:
        return symbol_of(ref), None


def positions_keyboard(found: list[PositionView], asker: int) -> InlineKeyboardMarkup:
    """Return a Close button per open position (those whose data fits) and Refresh."""
    rows = []
    for view in found[:MAX_BUTTONS]:
        button = Callback(ACT, "close", for_asker(asker, close_ref(view)))
        # a symbol a button cannot carry, or would bring back as another: /close SYMBOL still works
        if symbol_fits(view.position.symbol) and button.fits():
            rows.append([InlineKeyboardButton(f"Close {view.position.symbol}", callback_data=button.encode())])
    rows.append(refresh_row("positions", for_asker(asker)))
    return InlineKeyboardMarkup(rows)


def _base36(value: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    value = max(0, value)
    while True:
        value, rest = divmod(value, _BASE)
        out = digits[rest] + out
        if not value:
            return out


