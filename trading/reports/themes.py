"""Chart colour themes: plain values, so choosing one at start-up does not load matplotlib."""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ThemeName(StrEnum):
    """The chart themes a user can pick in settings."""

    DARK = "dark"
    LIGHT = "light"


@dataclass(frozen=True, slots=True)
class ChartTheme:
    """The colours of one theme."""

    name: ThemeName
    background: str
    text: str
    muted: str
    grid: str
    up: str
    down: str
    line: str
    benchmark: str
    drawdown: str
    bullish_zone: str
    bearish_zone: str
    buy_side: str
    sell_side: str
    entry: str
    exit: str


DARK = ChartTheme(ThemeName.DARK, background="#0f1419", text="#e6e6e6", muted="#9aa4ad", grid="#2a323a",
                  up="#26a69a", down="#ef5350", line="#4fc3f7", benchmark="#ffb74d", drawdown="#ef5350",
                  bullish_zone="#26a69a", bearish_zone="#ef5350", buy_side="#ffd54f", sell_side="#ba68c8",
                  entry="#00e676", exit="#ff9100")
LIGHT = ChartTheme(ThemeName.LIGHT, background="#ffffff", text="#1a1a1a", muted="#5f6b76", grid="#dde3e8",
                   up="#089981", down="#d32f2f", line="#1565c0", benchmark="#ef6c00", drawdown="#d32f2f",
                   bullish_zone="#089981", bearish_zone="#d32f2f", buy_side="#b58900", sell_side="#8e24aa",
                   entry="#00a152", exit="#e65100")
THEMES = {DARK.name: DARK, LIGHT.name: LIGHT}


def theme_named(name: str | ThemeName) -> ChartTheme:
    """Return the theme called name, or raise ValueError naming the ones there are."""
    try:
        return THEMES[ThemeName(str(name).strip().lower())]
    except ValueError:
        raise ValueError(f"unknown chart theme {name!r}; use one of {', '.join(THEMES)}") from None
