"""The ICT picture at a chart's last bar as overlays: live FVGs and order blocks, and resting liquidity."""
from __future__ import annotations

import numpy as np

from trading.domain.candles import Candles
from trading.indicators.ict import ICTSnapshot
from trading.reports.overlays import Level, LevelKind, Zone, ZoneKind

MAX_ZONES = 6          # the nearest ones to price; more turns a phone-sized chart into stripes
MAX_LEVELS_EACH_SIDE = 2


def ict_overlays(snapshot: ICTSnapshot, candles: Candles, *, max_zones: int = MAX_ZONES,
                 max_levels: int = MAX_LEVELS_EACH_SIDE) -> tuple[list[Zone], list[Level]]:
    """Return the zones still live at the last bar (nearest to price first) and the nearest liquidity each side."""
    t = len(candles) - 1
    last = float(candles.close[t])
    zones = []
    for kind, table in ((ZoneKind.FAIR_VALUE_GAP, snapshot.fvgs.active_at(t)),
                        (ZoneKind.ORDER_BLOCK, snapshot.order_blocks.active_at(t))):
        for r in range(len(table)):
            bottom, top = float(table.bottom[r]), float(table.top[r])
            distance = 0.0 if bottom <= last <= top else min(abs(bottom - last), abs(top - last))
            zones.append((distance, Zone(kind, bool(table.direction[r] > 0), bottom, top,
                                         int(candles.open_ms[table.index[r]]))))
    zones.sort(key=lambda pair: pair[0])
    return [zone for _, zone in zones[:max_zones]], _levels(snapshot, candles, t, last, max_levels)


def _levels(snapshot: ICTSnapshot, candles: Candles, t: int, last: float, most: int) -> list[Level]:
    table = snapshot.liquidity.active_at(t)
    pools = np.asarray(table.pool, dtype=np.float64)
    above = [r for r in np.argsort(pools) if table.direction[r] > 0 and pools[r] > last][:most]
    below = [r for r in np.argsort(-pools) if table.direction[r] < 0 and pools[r] < last][:most]
    levels = []
    for r in [*above, *below]:
        buy_side = bool(table.direction[r] > 0)
        label = ("BSL" if buy_side else "SSL") + (f" x{int(table.count[r])}" if table.count[r] > 1 else "")
        levels.append(Level(LevelKind.BUY_SIDE if buy_side else LevelKind.SELL_SIDE, float(pools[r]),
                            int(candles.open_ms[table.index[r]]), label))
    return levels
