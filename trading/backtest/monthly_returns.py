"""Calendar-month returns of an equity curve, for the monthly table of a backtest report."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from trading.backtest.metrics import equity_arrays


@dataclass(frozen=True, slots=True)
class MonthlyReturn:
    """The equity change over one calendar month (UTC), in percent."""

    year: int
    month: int
    return_pct: float


def monthly_returns(times_ms: Sequence[int] | np.ndarray, equity: Sequence[float] | np.ndarray
                    ) -> list[MonthlyReturn]:
    """Return each UTC month's return: its last equity over the previous month's last (or the first point)."""
    if len(times_ms) == 0:
        return []
    times, values = equity_arrays(times_ms, equity)
    months = times.astype("datetime64[ms]").astype("datetime64[M]").astype(np.int64)
    last = np.append(np.flatnonzero(np.diff(months) != 0), months.size - 1)
    closes = values[last]
    opens = np.concatenate(([values[0]], closes[:-1]))
    pct = (closes / opens - 1.0) * 100
    return [MonthlyReturn(int(m // 12 + 1970), int(m % 12 + 1), float(r))
            for m, r in zip(months[last], pct)]
