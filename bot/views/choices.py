"""Buttons that offer the choices a phone user would otherwise type: symbols, timeframes, strategies, runs."""
from __future__ import annotations

from typing import Iterable, Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callback_data import Callback, for_asker

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


def _button(label: str, prefix: str, action: str, asker: int, ref: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=Callback(prefix, action, for_asker(asker, ref)).encode())


def symbol_choices(prefix: str, symbols: Iterable[str], asker: int) -> InlineKeyboardMarkup:
    """Return one button per symbol (the configured ones), for a command that needs one."""
    return _rows([_button(s, prefix, "pick", asker, symbol_ref(s)) for s in list(symbols)[:12]], 2)


def timeframe_choices(symbol: str, asker: int) -> InlineKeyboardMarkup:
    """Return the timeframes a chart can be redrawn in."""
    return _rows([_button(tf, CHART, "tf", asker, f"{tf}_{symbol_ref(symbol)}") for tf in CHART_TIMEFRAMES], 5)


def strategy_switches(strategies: Sequence[tuple[str, bool]], asker: int) -> InlineKeyboardMarkup:
    """Return one button per strategy that switches it to the other state (a repeated press changes nothing)."""
    return _rows([_button(f"{'⏸ Switch off' if on else '▶️ Switch on'} {name}", STRATEGY, "off" if on else "on",
                          asker, name) for name, on in strategies], 1)


def run_buttons(run_ids: Sequence[int], asker: int) -> InlineKeyboardMarkup | None:
    """Return one button per stored backtest run that re-sends its report."""
    if not run_ids:
        return None
    return _rows([_button(f"#{i}", BACKTEST, "show", asker, str(i)) for i in run_ids], 5)
