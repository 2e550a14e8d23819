"""Buttons that offer the choices a phone user would otherwise type: symbols, timeframes, strategies, runs."""
from __future__ import annotations

from typing import Iterable, Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callback_data import Callback

PRICE, CHART, STRATEGY, BACKTEST = "px", "ch", "st", "bt"
CHART_TIMEFRAMES = ("1m", "15m", "1h", "4h", "1d")


def symbol_ref(symbol: str) -> str:
    """Return a symbol in the characters callback data allows ('BTC/USDT:USDT' -> 'BTC.USDT-USDT')."""
    return symbol.replace("/", ".").replace(":", "-")


def symbol_of(ref: str) -> str:
    """Return the symbol a symbol_ref stands for."""
    return ref.replace(".", "/").replace("-", ":")


def _rows(buttons: list[InlineKeyboardButton], per_row: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([buttons[i:i + per_row] for i in range(0, len(buttons), per_row)])


def symbol_choices(prefix: str, symbols: Iterable[str]) -> InlineKeyboardMarkup:
    """Return one button per symbol (the configured ones), for a command that needs one."""
    return _rows([InlineKeyboardButton(s, callback_data=Callback(prefix, "pick", symbol_ref(s)).encode())
                  for s in list(symbols)[:12]], 2)


def timeframe_choices(symbol: str) -> InlineKeyboardMarkup:
    """Return the timeframes a chart can be redrawn in."""
    return _rows([InlineKeyboardButton(tf, callback_data=Callback(CHART, "tf", f"{tf}_{symbol_ref(symbol)}").encode())
                  for tf in CHART_TIMEFRAMES], 5)


def strategy_switches(strategies: Sequence[tuple[str, bool]]) -> InlineKeyboardMarkup:
    """Return one button per strategy that switches it to the other state (a repeated press changes nothing)."""
    return _rows([InlineKeyboardButton(f"{'⏸ Switch off' if on else '▶️ Switch on'} {name}",
                                       callback_data=Callback(STRATEGY, "off" if on else "on", name).encode())
                  for name, on in strategies], 1)


def run_buttons(run_ids: Sequence[int]) -> InlineKeyboardMarkup | None:
    """Return one button per stored backtest run that re-sends its report."""
    if not run_ids:
        return None
    return _rows([InlineKeyboardButton(f"#{i}", callback_data=Callback(BACKTEST, "show", str(i)).encode())
                  for i in run_ids], 5)
