"""Turning what a user types ('btc', 'BTCUSDT', 'eth-usdt') into a unified market symbol."""
from __future__ import annotations

import difflib
from typing import Iterable

from trading.domain.errors import BadSymbol, echoed

_QUOTES = ("USDT", "USDC", "FDUSD", "BUSD", "TUSD", "USD", "EUR", "KRW", "BTC", "ETH", "BNB")


def normalize_symbol(text: str, default_quote: str = "USDT") -> str:
    """Return text in ccxt's unified spelling, e.g. 'btcusdt' -> 'BTC/USDT', 'btc' -> 'BTC/USDT'."""
    raw = text.strip().upper().replace("-", "/").replace("_", "/")
    if not raw:
        return raw
    if "/" in raw:
        return raw
    for quote in _QUOTES:
        if raw.endswith(quote) and len(raw) > len(quote):
            return f"{raw[: -len(quote)]}/{quote}"
    return f"{raw}/{default_quote}"


def resolve_symbol(text: str, known: Iterable[str], default_quote: str = "USDT") -> str:
    """Return the known symbol meant by text, or raise BadSymbol suggesting close matches."""
    known = list(known)
    candidate = normalize_symbol(text, default_quote)
    if candidate in known:
        return candidate
    perp = f"{candidate}:{candidate.split('/')[-1]}" if "/" in candidate and ":" not in candidate else ""
    if perp in known:
        return perp
    raise BadSymbol(unknown_symbol_message(text, known, candidate))


def unknown_symbol_message(text: str, known: list[str], candidate: str) -> str:
    """Return the reply for an unknown symbol, suggesting markets whose base asset is spelled alike."""
    by_base: dict[str, list[str]] = {}
    for symbol in sorted(known, key=lambda k: (":" in k, k)):
        by_base.setdefault(symbol.split("/")[0], []).append(symbol)
    base = candidate.split("/")[0]
    alike = difflib.get_close_matches(base, list(by_base), n=3, cutoff=0.6) if len(base) <= 20 else []
    matches = [s for b in alike for s in by_base[b]]
    if matches:
        return f"Unknown symbol {echoed(text)}. Did you mean {' or '.join(matches[:3])}?"
    sample = ", ".join(sorted(known)[:5])
    return f"Unknown symbol {echoed(text)}. Try one of: {sample}."
