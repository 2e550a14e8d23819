"""Candle and funding files (CSV, gzipped or not) read into numpy columns, without pandas.

numpy's own parser reads the numbers (correctly rounded, as pandas' parser reads these files:
tests/unit/adapters/test_candle_files.py checks every shared file bit for bit against pandas), which
spares a command line the quarter of a second that importing pandas takes. Columns are found by name
in the header, so their order does not matter and extra ones are not even parsed.
"""
from __future__ import annotations

import gzip
import io
import zlib
from pathlib import Path

import numpy as np

from trading.domain.candles import Candles
from trading.domain.errors import ConfigurationError

PRICE_COLUMNS = ("open", "high", "low", "close", "volume")
GZIP_MAGIC = b"\x1f\x8b"
READ_ERRORS = (OSError, EOFError, zlib.error, UnicodeDecodeError, ValueError)


def read_columns(path: Path, names: tuple[str, ...]) -> dict[str, np.ndarray]:
    """Return the named columns of a CSV(.gz) file as float64 arrays; raise ValueError naming a missing one."""
    header, body = _header_and_body(path)
    return _parsed(header, body, names)


def read_candle_file(path: Path) -> Candles:
    """Return the candles of a timestamp_ms (or open_ms),open,high,low,close,volume CSV(.gz) file."""
    if not path.exists():
        raise ConfigurationError(f"no such data file: {path}")
    try:
        header, body = _header_and_body(path)
        time_column = "open_ms" if "open_ms" in header else "timestamp_ms"
        columns = _parsed(header, body, (time_column, *PRICE_COLUMNS))
    except READ_ERRORS as exc:
        raise ConfigurationError(f"cannot read candles from {path}: {exc}") from None
    # epoch ms are whole numbers far below 2**53: exact in a float64, exact back in an int64
    return Candles(columns[time_column].astype(np.int64), *(columns[c] for c in PRICE_COLUMNS))


def read_funding_file(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Return the times (epoch ms) and rates of a timestamp_ms,funding_rate CSV(.gz) file."""
    if not path.exists():
        raise ConfigurationError(f"no such funding file: {path}")
    try:
        columns = read_columns(path, ("timestamp_ms", "funding_rate"))
    except READ_ERRORS as exc:
        raise ConfigurationError(f"cannot read funding rates from {path}: {exc}") from None
    return columns["timestamp_ms"].astype(np.int64), columns["funding_rate"]


def _header_and_body(path: Path) -> tuple[list[str], bytes]:
    raw = path.read_bytes()
    if raw[:2] == GZIP_MAGIC:
        raw = gzip.decompress(raw)
    header, _, body = raw.partition(b"\n")
    return [name.strip().strip('"') for name in header.decode("utf-8-sig").split(",")], body


def _parsed(header: list[str], body: bytes, names: tuple[str, ...]) -> dict[str, np.ndarray]:
    missing = [name for name in names if name not in header]
    if missing:
        raise ValueError(f"no column {', '.join(missing)} (the header has {', '.join(header)})")
    if not body or body.isspace():       # a header alone (isspace scans, strip would copy the text)
        return {name: np.empty(0, np.float64) for name in names}
    wanted = [header.index(name) for name in names]
    table = np.loadtxt(io.BytesIO(body), delimiter=",", usecols=wanted, dtype=np.float64, ndmin=2)
    return {name: np.ascontiguousarray(table[:, i]) for i, name in enumerate(names)}
