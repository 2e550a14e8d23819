"""Growable numpy columns: the rows of one event table as they are appended and updated bar by bar."""
from __future__ import annotations

from typing import Any, Mapping

import numpy as np

NOT_YET = -1
FIRST_CAPACITY = 64


class Columns:
    """Columns of one table in preallocated numpy arrays that double when full.

    Rows are appended whole and single cells updated in place (a state bar that happens later); `frozen()`
    copies the filled part so that a snapshot never sees later updates.
    """

    __slots__ = ("_names", "_arrays", "size", "columns")

    def __init__(self, dtypes: Mapping[str, Any]) -> None:
        self._names = tuple(dtypes)
        self._arrays = [np.empty(FIRST_CAPACITY, dtype) for dtype in dtypes.values()]
        self.columns = dict(zip(self._names, self._arrays))    # the live arrays by name
        self.size = 0

    def __len__(self) -> int:
        return self.size

    def append(self, *values: Any) -> int:
        """Append one row (values in column order) and return its row number."""
        row = self.size
        if row == self._arrays[0].shape[0]:
            self._arrays = [np.concatenate([a, np.empty_like(a)]) for a in self._arrays]
            self.columns = dict(zip(self._names, self._arrays))
        for array, value in zip(self._arrays, values):
            array[row] = value
        self.size = row + 1
        return row

    def column(self, name: str) -> np.ndarray:
        """Return the live array of a column (only its first `size` cells are rows)."""
        return self.columns[name]

    def frozen(self) -> dict[str, np.ndarray]:
        """Return a copy of every column cut to the rows appended so far, by name."""
        return {name: array[: self.size].copy() for name, array in zip(self._names, self._arrays)}
