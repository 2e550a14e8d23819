"""Liquidity pools: buy-side / sell-side levels, equal-highs/lows clusters, sweeps and runs (ict.md 7)."""
from __future__ import annotations

import bisect
import dataclasses
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from trading.indicators.ict.event_table import NOT_YET, EventTable
from trading.indicators.ict.period_levels import PeriodLevels
from trading.indicators.ict.price_crossings import PriceSearch

SWEEP, RUN = "sweep", "run"


@dataclass(frozen=True, slots=True, eq=False)
class LiquidityMembers(EventTable):
    """Every pivot that made or joined a level: known_at = the bar it joined, level_row = its level."""

    index: np.ndarray
    known_at: np.ndarray
    direction: np.ndarray
    level: np.ndarray
    level_row: np.ndarray


@dataclass(frozen=True, slots=True, eq=False)
class LiquidityLevels(EventTable):
    """Every liquidity level: index/known_at of its anchor pivot, direction +1 BSL (highs) / -1 SSL (lows).

    level = mean of the members, level_max / level_min = highest / lowest member, count = members,
    equal_at = bar the second member joined (equal highs/lows). taken = first bar past the pool
    (BSL: high > level_max), swept = bar the take became a sweep (close back inside), run = bar it became
    known as a run (no close back inside in time).
    """

    END_STATE: ClassVar[str | None] = "taken"
    STATE_COLUMNS: ClassVar[tuple[str, ...]] = ("equal_at", "taken", "swept", "run")

    index: np.ndarray
    known_at: np.ndarray
    direction: np.ndarray
    level: np.ndarray
    level_max: np.ndarray
    level_min: np.ndarray
    count: np.ndarray
    equal_at: np.ndarray
    taken: np.ndarray
    swept: np.ndarray
    run: np.ndarray

    @property
    def pool(self) -> np.ndarray:
        """Return the price that takes every stop of the pool: level_max for BSL, level_min for SSL."""
        return np.where(self.direction > 0, self.level_max, self.level_min)


@dataclass(frozen=True, slots=True, eq=False)
class LevelChanges(EventTable):
    """Every change of a liquidity level, one row each: its anchor forming it, then each member joining.

    index = the pivot bar of the member that formed or joined the level, known_at = the bar it joined (when
    the change became known), level_row / level_index = the level and its anchor bar; level, level_max,
    level_min, count and equal_at are the level as of that change, never what later members make of it.
    taken, swept and run are the level's later states, each with its own bar like every state column.
    """

    END_STATE: ClassVar[str | None] = "taken"
    STATE_COLUMNS: ClassVar[tuple[str, ...]] = ("taken", "swept", "run")

    index: np.ndarray
    known_at: np.ndarray
    direction: np.ndarray
    level_row: np.ndarray
    level_index: np.ndarray
    level: np.ndarray
    level_max: np.ndarray
    level_min: np.ndarray
    count: np.ndarray
    equal_at: np.ndarray
    taken: np.ndarray
    swept: np.ndarray
    run: np.ndarray


@dataclass(frozen=True, slots=True, eq=False)
class Sweeps(EventTable):
    """Every taken level once its kind is known: index = the taking bar, known_at = when it is known.

    direction is the move's: a BSL sweep is bearish (-1), an SSL sweep bullish (+1); kind is sweep or run.
    """

    index: np.ndarray
    known_at: np.ndarray
    direction: np.ndarray
    level: np.ndarray
    level_row: np.ndarray
    level_index: np.ndarray
    count: np.ndarray
    kind: np.ndarray


@dataclass(frozen=True, slots=True, eq=False)
class Liquidity:
    """Liquidity levels with their members, the sweeps and runs of them, and previous-period levels."""

    levels: LiquidityLevels
    members: LiquidityMembers
    sweeps: Sweeps
    periods: PeriodLevels

    def as_of(self, t: int) -> Liquidity:
        """Return the liquidity as known at the close of bar t (members and means as of t)."""
        members = self.members.as_of(t)
        levels = self.levels.as_of(t)
        levels = dataclasses.replace(levels, **_aggregate(members, len(levels)))
        return Liquidity(levels, members, self.sweeps.as_of(t), self.periods.as_of(t))

    def level_changes(self) -> LevelChanges:
        """Return each change of each level as its own row, with the level as it stood after that change."""
        import pandas as pd     # imported on first use, so the modules load without it

        m, levels = self.members, self.levels
        frame = pd.DataFrame({"row": m.level_row, "level": m.level})   # members come in join (known_at) order
        group = frame.groupby("row", sort=False)["level"]
        count = group.cumcount().to_numpy(np.int64) + 1
        second = np.full(len(levels), NOT_YET, np.int64)
        joined_second = count == 2
        second[m.level_row[joined_second]] = m.known_at[joined_second]
        r = m.level_row
        return LevelChanges(m.index.copy(), m.known_at.copy(), m.direction.copy(), r.copy(), levels.index[r],
                            group.cumsum().to_numpy() / count, group.cummax().to_numpy(),
                            group.cummin().to_numpy(), count, np.where(count >= 2, second[r], NOT_YET),
                            levels.taken[r], levels.swept[r], levels.run[r])

    def active_at(self, t: int) -> LiquidityLevels:
        """Return the levels known and not taken at the close of bar t, as of t."""
        cut = self.as_of(t).levels
        return cut.take(cut.active_mask(t))

    def nearest_above(self, t: int, price: float) -> float | None:
        """Return the nearest active BSL pool or period high strictly above price at bar t (long target)."""
        pools = self._active_pools(t, 1)
        above = pools[pools > price]
        return float(above.min()) if above.size else None

    def nearest_below(self, t: int, price: float) -> float | None:
        """Return the nearest active SSL pool or period low strictly below price at bar t (short target)."""
        pools = self._active_pools(t, -1)
        below = pools[pools < price]
        return float(below.max()) if below.size else None

    def _active_pools(self, t: int, direction: int) -> np.ndarray:
        # both tables are in known_at order: the rows known at t are a prefix (this runs per setup: keep it lean)
        levels, periods = self.levels, self.periods
        known = int(levels.known_at.searchsorted(t, side="right"))
        taken = levels.taken[:known]
        live = levels.direction[:known] == direction
        live &= (taken == NOT_YET) | (taken > t)
        pools = (levels.level_max if direction > 0 else levels.level_min)[:known][live]
        known = int(periods.known_at.searchsorted(t, side="right"))
        taken = periods.taken[:known]
        live = periods.direction[:known] == direction
        live &= (taken == NOT_YET) | (taken > t)
        return np.concatenate((pools, periods.level[:known][live]))

def liquidity(search: PriceSearch, index: np.ndarray, known_at: np.ndarray, direction: np.ndarray,
              level: np.ndarray, liq_tol: float, reclaim_bars: int, periods: PeriodLevels) -> Liquidity:
    """Return the levels made by candidate pivots (given in known_at order) with their takes and sweeps."""
    member_anchor = np.full(index.size, NOT_YET, np.int64)
    taken_if_anchor = np.full(index.size, NOT_YET, np.int64)
    for side in (1, -1):
        rows = np.flatnonzero(direction == side)
        find = search.first_above if side > 0 else search.first_below
        series = "high" if side > 0 else "low"
        taken_if_anchor[rows] = find(series, known_at[rows] + 1, np.full(rows.size, search.bars - 1),
                                     level[rows], True)
        member_anchor[rows] = rows[_cluster(side * level[rows], known_at[rows], taken_if_anchor[rows], liq_tol)]
    anchors = np.flatnonzero(member_anchor == np.arange(index.size))
    row_of = np.full(index.size, NOT_YET, np.int64)
    row_of[anchors] = np.arange(anchors.size)
    members = LiquidityMembers(index.copy(), known_at.copy(), direction.copy(), level.copy(),
                               row_of[member_anchor])
    taken = taken_if_anchor[anchors]
    swept, run = _sweep_or_run(search, direction[anchors], level[anchors], taken, reclaim_bars)
    agg = _aggregate(members, anchors.size)
    levels = LiquidityLevels(index[anchors], known_at[anchors], direction[anchors], taken=taken, swept=swept,
                             run=run, **agg)
    return Liquidity(levels, members, _sweeps(levels), periods)


def _cluster(signed: np.ndarray, known_at: np.ndarray, taken: np.ndarray, tol: float) -> np.ndarray:
    # active anchors form a stack whose levels strictly fall towards the top and are taken top first;
    # a newcomer is never above an active anchor, so it joins the oldest anchor within tolerance
    anchor_of = np.arange(signed.size)
    stack: list[int] = []
    neg_thr: list[float] = []  # -(anchor - tol * |anchor|), increasing up the stack
    taken_l, known_l, signed_l = taken.tolist(), known_at.tolist(), signed.tolist()
    for c, (k, v) in enumerate(zip(known_l, signed_l)):
        while stack and NOT_YET < taken_l[stack[-1]] <= k:
            stack.pop()
            neg_thr.pop()
        i = bisect.bisect_left(neg_thr, -v)
        if i < len(stack):
            anchor_of[c] = stack[i]
        else:
            stack.append(c)
            neg_thr.append(-(v - tol * abs(v)))
    return anchor_of


def _aggregate(members: LiquidityMembers, rows: int) -> dict[str, np.ndarray]:
    r = members.level_row
    count = np.bincount(r, minlength=rows)
    total = np.bincount(r, weights=members.level, minlength=rows)
    high = np.full(rows, -np.inf)
    np.maximum.at(high, r, members.level)
    low = np.full(rows, np.inf)
    np.minimum.at(low, r, members.level)
    second = np.full(rows, NOT_YET, np.int64)
    order = np.argsort(r, kind="stable")  # members of one level, in join order
    rs, ks = r[order], members.known_at[order]
    nth = np.arange(rs.size) - np.searchsorted(rs, rs, side="left")
    second[rs[nth == 1]] = ks[nth == 1]
    return {"level": total / np.maximum(count, 1), "level_max": high, "level_min": low,
            "count": count.astype(np.int64), "equal_at": second}


def _sweep_or_run(search: PriceSearch, side: np.ndarray, pool: np.ndarray, taken: np.ndarray,
                  reclaim_bars: int) -> tuple[np.ndarray, np.ndarray]:
    swept = np.full(taken.size, NOT_YET, np.int64)
    for s in (1, -1):
        rows = np.flatnonzero((side == s) & (taken != NOT_YET))
        t = taken[rows]
        find = search.first_below if s > 0 else search.first_above
        swept[rows] = find("close", t, t + reclaim_bars, pool[rows], True)
    last_chance = taken + reclaim_bars
    known_run = (taken != NOT_YET) & (swept == NOT_YET) & (last_chance <= search.bars - 1)
    return swept, np.where(known_run, last_chance, NOT_YET)


def _sweeps(levels: LiquidityLevels) -> Sweeps:
    known = np.where(levels.swept != NOT_YET, levels.swept, levels.run)
    rows = np.flatnonzero(known != NOT_YET)
    rows = rows[np.argsort(known[rows], kind="stable")]
    kind = np.where(levels.swept[rows] != NOT_YET, SWEEP, RUN).astype("<U5")
    return Sweeps(levels.taken[rows], known[rows], -levels.direction[rows].astype(np.int8), levels.pool[rows],
                  rows.astype(np.int64), levels.index[rows], levels.count[rows], kind)
