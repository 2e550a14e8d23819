"""Shape checks on what ccxt returns: a garbled 200 answer parses into nonsense rather than raising."""
from __future__ import annotations

from numbers import Real
from typing import Any

from trading.domain.candles import Candles
from trading.domain.errors import VenueUnavailable


def _malformed(endpoint: str, why: str) -> VenueUnavailable:
    return VenueUnavailable(f"{endpoint}: malformed response ({why})")


def _is_number(value: Any) -> bool:
    return isinstance(value, Real) and not isinstance(value, bool)


def check_markets(markets: Any) -> None:
    """Raise VenueUnavailable unless markets is a non-empty mapping of market structures."""
    if not isinstance(markets, dict) or not markets:
        raise _malformed("load_markets", "no markets")
    if not all(isinstance(m, dict) and m.get("symbol") for m in markets.values()):
        raise _malformed("load_markets", "market without a symbol")


def check_ohlcv(rows: Any) -> None:
    """Raise VenueUnavailable unless rows are [open_ms, open, high, low, close, volume] with real prices."""
    if not isinstance(rows, list):
        raise _malformed("fetch_ohlcv", f"expected a list, got {type(rows).__name__}")
    for row in rows:
        if not isinstance(row, (list, tuple)) or len(row) < 6 or not isinstance(row[0], int):
            raise _malformed("fetch_ohlcv", f"bad candle {row!r:.80}")
        if not all(_is_number(v) and v > 0 for v in row[1:5]):
            raise _malformed("fetch_ohlcv", f"candle without prices {row!r:.80}")
        if row[5] is not None and not _is_number(row[5]):
            raise _malformed("fetch_ohlcv", f"candle with a bad volume {row!r:.80}")


def candles_from_ohlcv(rows: list) -> Candles:
    """Return checked ccxt OHLCV rows as Candles (a missing volume counts as zero)."""
    return Candles.from_rows([(r[0], r[1], r[2], r[3], r[4], r[5] if r[5] is not None else 0.0) for r in rows])


def check_ticker(ticker: Any) -> None:
    """Raise VenueUnavailable unless the ticker has a positive last price."""
    if not isinstance(ticker, dict) or not _is_number(ticker.get("last")) or ticker["last"] <= 0:
        raise _malformed("fetch_ticker", "no last price")


def check_book(book: Any) -> None:
    """Raise VenueUnavailable unless the order book has bid and ask lists of [price, amount] levels."""
    if not isinstance(book, dict) or not isinstance(book.get("bids"), list) or not isinstance(book.get("asks"), list):
        raise _malformed("fetch_order_book", "no bids or asks")
    for level in book["bids"][:1] + book["asks"][:1]:
        if not isinstance(level, (list, tuple)) or not level or not _is_number(level[0]):
            raise _malformed("fetch_order_book", f"bad level {level!r:.80}")


def check_funding(funding: Any) -> None:
    """Raise VenueUnavailable unless the funding structure has a numeric rate."""
    if not isinstance(funding, dict) or not _is_number(funding.get("fundingRate")):
        raise _malformed("fetch_funding_rate", "no funding rate")


def check_server_time(server_ms: Any) -> None:
    """Raise VenueUnavailable unless the server time is a positive integer of epoch milliseconds."""
    if not isinstance(server_ms, int) or isinstance(server_ms, bool) or server_ms <= 0:
        raise _malformed("fetch_time", f"no server time ({server_ms!r:.40})")
