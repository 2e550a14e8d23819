"""The ICT indicators updated one closed candle at a time (ict.md's "Incremental" notes).

`ICTState(params)` takes closed candles with `append` / `extend` and answers `snapshot()`: exactly the
ICTSnapshot that `compute_ict` gives on the same candles (the prefix property makes this checkable at
every bar). A bar costs microseconds, however long the history; the batch computation stays the
reference for backtests and the tests.
"""
from trading.indicators.ict.incremental.state import ICTState

__all__ = ["ICTState"]
