"""Candle and funding files (CSV, gzipped or not) read into numpy columns, without pandas.

The numbers are read correctly rounded, as pandas' parser reads these files (tests/unit/adapters/
test_candle_files.py checks every shared file bit for bit against pandas), which spares a command line the
quarter of a second that importing pandas takes. Columns are found by name in the header, so their order
does not matter. A file of plain decimals (digits and points, the exchanges' own form) is read as whole
numbers and a count of decimals each, in about 60 ms for 130,000 candles; any other text goes to numpy's
general parser, which takes two and a half times as long (exponents, signs, spaces, quotes, blank lines).

A command may also keep the parsed columns in a folder (DATA_DIR/parsed-candles): the next command on the
same file finds them by a digest of the file's bytes, so an edited file is parsed afresh, and loads them in
a few milliseconds. The copies are plain .npy files holding the exact float64 values; the last KEPT_COPIES
stay.
"""
from __future__ import annotations

import contextlib
import gzip
import hashlib
import io
import os
import zlib
from pathlib import Path

import numpy as np

from trading.domain.candles import Candles
from trading.domain.errors import ConfigurationError

PRICE_COLUMNS = ("open", "high", "low", "close", "volume")
GZIP_MAGIC = b"\x1f\x8b"
READ_ERRORS = (OSError, EOFError, zlib.error, UnicodeDecodeError, ValueError)
KEPT_COPIES = 8
PLAIN_BYTES = b"0123456789.,\n"         # a file of these alone is read by _plain_columns
CHUNK_BYTES = 1 << 20
EXACT_WIDTH = 15                         # a field this wide holds at most 15 digits: below 2**53, exact in a float
LINES_AS_FIELDS = bytes.maketrans(b"\n", b",")
POWERS_OF_TEN = np.array([float(10 ** k) for k in range(EXACT_WIDTH)])     # each exact in a float64


def read_columns(path: Path, names: tuple[str, ...]) -> dict[str, np.ndarray]:
    """Return the named columns of a CSV(.gz) file as float64 arrays; raise ValueError naming a missing one."""
    header, body = _header_and_body(path.read_bytes())
    return _parsed(header, body, names)


def read_candle_file(path: Path, keep_in: Path | None = None) -> Candles:
    """Return the candles of a timestamp_ms (or open_ms),open,high,low,close,volume CSV(.gz) file.

    keep_in: a folder for parsed copies; the file's own copy is loaded from it when there, else made.
    """
    if not path.exists():
        raise ConfigurationError(f"no such data file: {path}")
    try:
        raw = path.read_bytes()
        digest = hashlib.blake2b(raw, digest_size=20).hexdigest() if keep_in is not None else ""
        kept = _kept_copy(keep_in / f"{digest}.npy") if keep_in is not None else None
        if kept is not None:
            return kept
        header, body = _header_and_body(raw)
        time_column = "open_ms" if "open_ms" in header else "timestamp_ms"
        columns = _parsed(header, body, (time_column, *PRICE_COLUMNS))
    except READ_ERRORS as exc:
        raise ConfigurationError(f"cannot read candles from {path}: {exc}") from None
    # epoch ms are whole numbers far below 2**53: exact in a float64, exact back in an int64
    candles = Candles(columns[time_column].astype(np.int64), *(columns[c] for c in PRICE_COLUMNS))
    if keep_in is not None:
        _keep(keep_in, digest, np.stack([columns[time_column], *(columns[c] for c in PRICE_COLUMNS)]))
    return candles


def read_funding_file(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Return the times (epoch ms) and rates of a timestamp_ms,funding_rate CSV(.gz) file."""
    if not path.exists():
        raise ConfigurationError(f"no such funding file: {path}")
    try:
        columns = read_columns(path, ("timestamp_ms", "funding_rate"))
    except READ_ERRORS as exc:
        raise ConfigurationError(f"cannot read funding rates from {path}: {exc}") from None
    return columns["timestamp_ms"].astype(np.int64), columns["funding_rate"]


def _header_and_body(raw: bytes) -> tuple[list[str], bytes]:
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
    columns = _plain_columns(body, len(header))
    if columns is not None:
        return {name: columns[header.index(name)] for name in names}
    wanted = [header.index(name) for name in names]
    table = np.loadtxt(io.BytesIO(body), delimiter=",", usecols=wanted, dtype=np.float64, ndmin=2)
    return {name: np.ascontiguousarray(table[:, i]) for i, name in enumerate(names)}


def _plain_columns(body: bytes, width: int) -> np.ndarray | None:
    """Return the width columns of a text of plain decimals as rows of float64, or None for any other text.

    The text is read a megabyte of lines at a time, so its working arrays stay small beside the result.
    """
    if not body.endswith(b"\n"):
        body += b"\n"
    if body.translate(None, PLAIN_BYTES):
        return None
    columns = np.empty((width, body.count(b"\n")))
    start = done = 0
    while start < len(body):
        end = body.find(b"\n", start + CHUNK_BYTES) + 1 or len(body)
        rows = _plain_rows(body[start:end], width)
        if rows is None:
            return None
        columns[:, done:done + len(rows)] = rows.T
        start, done = end, done + len(rows)
    return columns


def _plain_rows(text: bytes, width: int) -> np.ndarray | None:
    """Return the rows of width fields of plain decimals (whole lines) as float64, or None if they are not.

    Each field is read as a whole number with its point removed, then divided by ten to the power of its
    decimals: both are exact in a float64 (at most 15 digits; wider fields go through float()), so the one
    rounding of the division gives the correctly rounded value, the one numpy's and pandas' parsers give.
    """
    raw = np.frombuffer(text, np.uint8)
    ends = np.flatnonzero(raw < ord("."))          # where each field ends: its comma or line end
    rows = len(ends) // width
    line_ends = raw[ends] == ord("\n")
    if rows * width != len(ends) or line_ends.sum() != rows or not line_ends[width - 1::width].all():
        return None                      # a row with more or fewer fields, or a blank line
    starts = np.concatenate(([0], ends[:-1] + 1))
    points = np.flatnonzero(raw == ord("."))
    field_of_point = np.searchsorted(ends, points)
    if (ends == starts).any() or (np.diff(field_of_point) < 1).any():
        return None                      # an empty field, or two points in one
    try:
        whole = np.fromstring(text.translate(LINES_AS_FIELDS, b"."), dtype=np.int64, sep=",")
    except ValueError:                   # a field that was a point alone
        return None
    decimals = np.zeros(len(ends), np.intp)
    decimals[field_of_point] = ends[field_of_point] - points - 1
    wide = np.flatnonzero(ends - starts > EXACT_WIDTH)
    values = whole / POWERS_OF_TEN[np.minimum(decimals, EXACT_WIDTH - 1)]
    values[wide] = [float(text[s:e]) for s, e in zip(starts[wide].tolist(), ends[wide].tolist())]
    return values.reshape(rows, width)


def _kept_copy(copy: Path) -> Candles | None:
    """Return the candles of a parsed copy, or None when there is none (or it is unreadable: parse again)."""
    try:
        table = np.load(copy, allow_pickle=False)
    except (OSError, ValueError):
        return None
    if table.ndim != 2 or table.shape[0] != 1 + len(PRICE_COLUMNS) or table.dtype != np.float64:
        return None
    return Candles(table[0].astype(np.int64), *table[1:])


def _keep(folder: Path, digest: str, table: np.ndarray) -> None:
    """Write a parsed copy (whole or not at all) and drop the oldest beyond KEPT_COPIES.

    A folder that cannot be written only loses the speed-up: the candles were read all the same.
    """
    partial = folder / f"{digest}.{os.getpid()}.part"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with partial.open("wb") as out:
            np.save(out, table, allow_pickle=False)
        made = folder / f"{digest}.npy"
        os.replace(partial, made)
        others = sorted((p for p in folder.glob("*.npy") if p != made), key=lambda p: p.stat().st_mtime_ns)
        for old in others[:max(0, len(others) + 1 - KEPT_COPIES)]:
            old.unlink(missing_ok=True)
    except OSError:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
