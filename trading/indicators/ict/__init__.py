"""ICT / smart-money indicators as specified in ../shared/ict.md: causal, vectorised, exact prices.

Entry point: `compute_ict(candles, ICTParams(...)) -> ICTSnapshot`. Every table is a frozen dataclass of
numpy arrays, one row per event, with `index` (the bar it is drawn on) and `known_at` (the bar at whose
close it became known); state columns hold the first bar of each state change, -1 (NOT_YET) when none.
`table.as_of(t)` / `snapshot.as_of(t)` give exactly what computing on candles[: t + 1] gives.

Tables of an ICTSnapshot (stable API, read by strategies A/B/C, the chat and the CSV export):
- pivots (Pivots), swings (Swings: the sequence S with labels), breaks (StructureBreaks: BOS/CHoCH with
  kind_trend and kind_swing, leg_index), trend (int8 per bar), fvgs (FairValueGaps: touched/ce/filled/
  inverted), order_blocks (OrderBlocks: touched/broken), breakers (Breakers: retest/invalidated),
  liquidity (Liquidity: levels, members, sweeps, periods; nearest_above/nearest_below for targets).
- Every table: len(), columns(), take(mask), as_of(t), active_at(t) / active_mask(t), to_frame().
- On a lower timeframe, a higher-timeframe event is usable from the lower bar returned by
  trading.indicators.timeframes.visible_index for its known_at bar, never earlier.
"""
from trading.indicators.ict.breakers import Breakers
from trading.indicators.ict.event_table import NOT_YET, EventTable
from trading.indicators.ict.fair_value_gaps import FairValueGaps
from trading.indicators.ict.liquidity import Liquidity, LiquidityLevels, LiquidityMembers, Sweeps
from trading.indicators.ict.market_structure import StructureBreaks
from trading.indicators.ict.order_blocks import OrderBlocks
from trading.indicators.ict.params import BreakOn, ICTParams, LiquiditySource, ObBreakOn, ObCandle, ObZone
from trading.indicators.ict.snapshot import ICTSnapshot, compute_ict
from trading.indicators.ict.swings import Pivots, Swings

__all__ = [
    "NOT_YET", "BreakOn", "Breakers", "EventTable", "FairValueGaps", "ICTParams", "ICTSnapshot",
    "Liquidity", "LiquidityLevels", "LiquidityMembers", "LiquiditySource", "ObBreakOn", "ObCandle",
    "ObZone", "OrderBlocks", "Pivots", "StructureBreaks", "Sweeps", "Swings", "compute_ict",
]
