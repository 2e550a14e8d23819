"""Breaker blocks: broken order blocks turned the other way, with retest / invalidated states (ict.md 6)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from trading.indicators.ict.event_table import NOT_YET, EventTable
from trading.indicators.ict.order_blocks import OrderBlocks
from trading.indicators.ict.price_crossings import PriceSearch


@dataclass(frozen=True, slots=True, eq=False)
class Breakers(EventTable):
    """Every breaker: index = the OB candle, known_at = the bar that broke the OB, direction flipped.

    ob_row is the row of the order block in its table. Bullish breaker (support): retest low <= top,
    invalidated close < bottom; bearish (resistance) mirrored.
    """

    END_STATE: ClassVar[str | None] = "invalidated"
    STATE_COLUMNS: ClassVar[tuple[str, ...]] = ("retest", "invalidated")

    index: np.ndarray
    known_at: np.ndarray
    direction: np.ndarray
    top: np.ndarray
    bottom: np.ndarray
    ob_row: np.ndarray
    retest: np.ndarray
    invalidated: np.ndarray


def breakers(search: PriceSearch, blocks: OrderBlocks) -> Breakers:
    """Return a breaker for every broken order block, in the order the blocks broke."""
    rows = np.flatnonzero(blocks.broken != NOT_YET)
    rows = rows[np.argsort(blocks.broken[rows], kind="stable")]
    known = blocks.broken[rows]
    side = -blocks.direction[rows].astype(np.int64)
    top, bottom = blocks.top[rows], blocks.bottom[rows]
    retest, invalidated = (np.full(rows.size, NOT_YET, np.int64) for _ in range(2))
    end = np.full(rows.size, search.bars - 1, np.int64)
    for s in (1, -1):
        r = np.flatnonzero(side == s)
        start = known[r] + 1
        if s > 0:
            retest[r] = search.first_below("low", start, end[r], top[r], strict=False)
            invalidated[r] = search.chain_below("close", retest[r], end[r], bottom[r], strict=True)
        else:
            retest[r] = search.first_above("high", start, end[r], bottom[r], strict=False)
            invalidated[r] = search.chain_above("close", retest[r], end[r], top[r], strict=True)
    return Breakers(blocks.index[rows], known, side.astype(np.int8), top, bottom, rows.astype(np.int64),
                    retest, invalidated)

