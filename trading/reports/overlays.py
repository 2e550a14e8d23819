"""What can be drawn over a price chart: ICT zones, liquidity levels and the bot's entries and exits.

These are the inputs the ICT indicators and the trade history are turned into for a chart; times are
epoch ms, prices Decimal or float (charts only draw them).
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from trading.domain.positions import PositionSide


class ZoneKind(StrEnum):
    """The kind of price zone."""

    FAIR_VALUE_GAP = "fvg"
    ORDER_BLOCK = "ob"


class LevelKind(StrEnum):
    """Which side's resting orders a liquidity level holds."""

    BUY_SIDE = "buy_side"          # above equal highs: buy stops
    SELL_SIDE = "sell_side"        # below equal lows: sell stops


class MarkerAction(StrEnum):
    """Whether a trade marker opens or closes a position."""

    ENTRY = "entry"
    EXIT = "exit"


@dataclass(frozen=True, slots=True)
class Zone:
    """A price band from the bar it became known at to end_ms, or to the right edge while still open."""

    kind: ZoneKind
    bullish: bool
    low: Decimal | float
    high: Decimal | float
    start_ms: int
    end_ms: int | None = None
    label: str = ""


@dataclass(frozen=True, slots=True)
class Level:
    """A liquidity level drawn as a line from start_ms (or the left edge) to the right edge."""

    kind: LevelKind
    price: Decimal | float
    start_ms: int | None = None
    label: str = ""


@dataclass(frozen=True, slots=True)
class TradeMarker:
    """An entry or exit at a time and price."""

    ts_ms: int
    price: Decimal | float
    side: PositionSide
    action: MarkerAction
    label: str = ""
