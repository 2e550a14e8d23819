"""Buttons that offer the choices a phone user would otherwise type: symbols, timeframes, strategies, runs."""
from __future__ import annotations

import re
from typing import Iterable, Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callback_data import Callback, for_asker

PRICE, CHART, STRATEGY, BACKTEST = "px", "ch", "st", "bt"
CHART_TIMEFRAMES = ("1m", "15m", "1h", "4h", "1d")
_REF = re.compile(r"[A-Za-z0-9.-]+")       # what a symbol_ref may hold: callback data's characters, no '_'


def symbol_ref(symbol: str) -> str:
    """Return a symbol in the characters callback data allows ('BTC/USDT:USDT' -> 'BTC.USDT-USDT')."""
    return symbol.replace("/", ".").replace(":", "-")


def symbol_of(ref: str) -> str:
    """Return the symbol a symbol_ref stands for."""
    return ref.replace(".", "/").replace("-", ":")


def symbol_fits(symbol: str) -> bool:
    """Return True when a symbol can ride in a button's callback data and come back as it was.

    Exchanges list symbols callback data cannot carry (Binance's '币安人生/USDT') or that would come back as
    another one (a '-' in a dated future's 'BTC/USDT:USDT-250926' reads back as ':'): such a symbol gets no
    button, and the command typed with it still works. Whether the whole button fits 64 bytes is Callback.fits.
    """
    ref = symbol_ref(symbol)
    return _REF.fullmatch(ref) is not None and symbol_of(ref) == symbol


def _rows(buttons: list[InlineKeyboardButton | None], per_row: int) -> InlineKeyboardMarkup | None:
    kept = [b for b in buttons if b is not None]
    return InlineKeyboardMarkup([kept[i:i + per_row] for i in range(0, len(kept), per_row)]) if kept else None


def _button(label: str, prefix: str, action: str, asker: int, ref: str) -> InlineKeyboardButton | None:
    callback = Callback(prefix, action, for_asker(asker, ref))
    return InlineKeyboardButton(label, callback_data=callback.encode()) if callback.fits() else None


def symbol_choices(prefix: str, symbols: Iterable[str], asker: int) -> InlineKeyboardMarkup | None:
    """Return one button per symbol (the configured ones that fit a button), for a command that needs one."""
    fitting = [s for s in symbols if symbol_fits(s)][:12]
    return _rows([_button(s, prefix, "pick", asker, symbol_ref(s)) for s in fitting], 2)


def timeframe_choices(symbol: str, asker: int) -> InlineKeyboardMarkup | None:
    """Return the timeframes a chart can be redrawn in (None for a symbol no button can carry)."""
    if not symbol_fits(symbol):
        return None
    buttons = [_button(tf, CHART, "tf", asker, f"{tf}_{symbol_ref(symbol)}") for tf in CHART_TIMEFRAMES]
    return _rows(buttons, 5) if all(buttons) else None


def strategy_switches(strategies: Sequence[tuple[str, bool]], asker: int) -> InlineKeyboardMarkup | None:
    """Return one button per strategy that switches it to the other state (a repeated press changes nothing)."""
    return _rows([_button(f"{'⏸ Switch off' if on else '▶️ Switch on'} {name}", STRATEGY, "off" if on else "on",
                          asker, name) for name, on in strategies], 1)


def run_buttons(run_ids: Sequence[int], asker: int) -> InlineKeyboardMarkup | None:
    """Return one button per stored backtest run that re-sends its report."""
    if not run_ids:
        return None
    return _rows([_button(f"#{i}", BACKTEST, "show", asker, str(i)) for i in run_ids], 5)
