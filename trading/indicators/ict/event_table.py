"""Columnar tables of ICT events: numpy arrays per field, cut causally with as_of."""
from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, ClassVar, Self

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

NOT_YET = -1  # a state bar that has not happened (yet)


class EventTable:
    """Base of the event tables: every field is a numpy array with one row per event.

    Subclasses are frozen slotted dataclasses with `index` and `known_at` columns; STATE_COLUMNS names
    the columns that hold the bar of a later state change (NOT_YET when it has not happened).
    """

    __slots__ = ()
    index: np.ndarray        # declared here for the checker: every subclass has these two columns (as fields)
    known_at: np.ndarray
    STATE_COLUMNS: ClassVar[tuple[str, ...]] = ()
    END_STATE: ClassVar[str | None] = None  # the state after which an event is no longer active

    def __len__(self) -> int:
        return int(self.index.shape[0])

    # the ignores below: the checker sees this base, which is no dataclass; every subclass is one
    def columns(self) -> dict[str, np.ndarray]:
        """Return the columns by name, in declaration order."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}  # type: ignore[arg-type]

    def take(self, rows: np.ndarray) -> Self:
        """Return the rows selected by a boolean mask or an index array."""
        return dataclasses.replace(self, **{k: v[rows] for k, v in self.columns().items()})  # type: ignore[type-var]

    def as_of(self, t: int) -> Self:
        """Return the table as known at the close of bar t: later events dropped, later states not yet."""
        known = self.take(self.known_at <= t)
        cols = known.columns()
        for name in self.STATE_COLUMNS:
            cols[name] = np.where(cols[name] > t, NOT_YET, cols[name])
        return dataclasses.replace(known, **cols)  # type: ignore[type-var]

    def active_mask(self, t: int) -> np.ndarray:
        """Return the mask of rows known at bar t whose end state has not happened and that have not expired."""
        mask = self.known_at <= t
        if self.END_STATE is not None:
            mask &= ~happened_by(getattr(self, self.END_STATE), t)
        expires = getattr(self, "expires", None)
        if expires is not None:
            mask &= (expires == NOT_YET) | (expires >= t)
        return mask

    def active_at(self, t: int) -> Self:
        """Return the rows active at the close of bar t, as known at t."""
        return self.take(self.active_mask(t)).as_of(t)

    def known_by(self, t: int) -> np.ndarray:
        """Return the mask of rows known at the close of bar t."""
        return self.known_at <= t

    def equals(self, other: EventTable) -> bool:
        """Return True when both tables hold the same rows (NaN equal to NaN)."""
        a, b = self.columns(), other.columns()
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)

    def to_frame(self) -> pd.DataFrame:
        """Return the table as a DataFrame, one column per field."""
        import pandas as pd     # only the CSV export wants frames

        return pd.DataFrame(self.columns())


def happened_by(state: np.ndarray, t: int) -> np.ndarray:
    """Return the mask of rows whose state bar is at or before t."""
    return (state != NOT_YET) & (state <= t)


def bars(values: object) -> np.ndarray:
    """Return values as an int64 array of bar numbers."""
    return np.asarray(values, dtype=np.int64)


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    if a.shape != b.shape:
        return False
    if a.dtype.kind == "f":
        return bool(np.array_equal(a, b, equal_nan=True))
    return bool(np.array_equal(a, b))
