"""Parameters of the ICT indicators, with the defaults of ../shared/ict.md."""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class BreakOn(StrEnum):
    """What must pass a structure reference to break it."""

    CLOSE = "close"
    WICK = "wick"


class ObCandle(StrEnum):
    """Which candle of the leg becomes the order block."""

    EXTREME = "extreme"              # lowest low (bullish) of the leg, latest on ties
    LAST_OPPOSITE = "last_opposite"  # ICT: last down-close candle at or before the extreme


class ObZone(StrEnum):
    """Which prices of the order-block candle make its zone."""

    RANGE = "range"                  # low..high
    BODY_TO_WICK = "body_to_wick"    # bullish: low..body top; bearish: body bottom..high


class ObBreakOn(StrEnum):
    """What must pass the far edge of an order block to break it."""

    CLOSE = "close"
    WICK = "wick"
    BODY = "body"


class LiquiditySource(StrEnum):
    """Which pivots make liquidity levels."""

    SEQUENCE = "sequence"  # elements entering the swing sequence S (smc-compatible)
    RAW = "raw"            # every confirmed pivot, spaced more than `right` bars apart per side


# the fields a caller may give as plain text ("wick"): turned into their enum on construction
_ENUM_FIELDS: dict[str, type[StrEnum]] = {"break_on": BreakOn, "ob_candle": ObCandle, "zone": ObZone,
                                          "ob_break_on": ObBreakOn, "source": LiquiditySource}


@dataclass(frozen=True, slots=True)
class ICTParams:
    """Every tunable of the ICT indicators; the defaults are those of ict.md."""

    left: int = 5
    right: int = 5
    break_on: BreakOn = BreakOn.CLOSE
    require_body: bool = True
    min_gap: float = 0.0             # FVG height as a fraction of its mid price
    max_age: int | None = None       # bars an unfilled FVG stays active after known_at (None: forever)
    join_consecutive: bool = False   # smc merge of consecutive same-direction FVGs (not prefix-stable)
    ob_candle: ObCandle = ObCandle.EXTREME
    zone: ObZone = ObZone.RANGE
    ob_break_on: ObBreakOn = ObBreakOn.CLOSE
    ob_max_age: int | None = None    # bars an unbroken order block stays active after known_at
    liq_tol: float = 0.001           # equal highs/lows tolerance, fraction of the anchor level
    sweep_reclaim_bars: int = 0      # 0: the taking candle itself must close back inside
    source: LiquiditySource = LiquiditySource.SEQUENCE
    stop_buffer: float = 0.002       # strategies: stop beyond a zone by this fraction (0.1-0.3%)

    def __post_init__(self) -> None:
        if self.left < 1 or self.right < 1:
            raise ValueError(f"left and right must be >= 1, got {self.left}, {self.right}")
        if self.sweep_reclaim_bars < 0 or self.liq_tol < 0 or self.min_gap < 0:
            raise ValueError("sweep_reclaim_bars, liq_tol and min_gap must be >= 0")
        for name, kind in _ENUM_FIELDS.items():
            object.__setattr__(self, name, kind(getattr(self, name)))

    def long_stop(self, bottom: float) -> float:
        """Return the stop of a long from a zone: its bottom less the buffer."""
        return bottom * (1.0 - self.stop_buffer)

    def short_stop(self, top: float) -> float:
        """Return the stop of a short from a zone: its top plus the buffer."""
        return top * (1.0 + self.stop_buffer)
