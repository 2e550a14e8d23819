"""Funding for the paper futures account: the rate of each 8-hourly funding time, from the data where it has it.

A replayed folder may hold Binance's funding history beside the candles (BTCUSDT-PERP-funding-8h.csv.gz,
columns timestamp_ms,funding_rate): those rates apply at their times. Everywhere else (the bundled sample,
a live feed, a time the file does not cover) the paper venue applies DEFAULT_FUNDING_RATE, Binance's
baseline of 0.01% per 8 hours, at 00:00, 08:00 and 16:00 UTC.
"""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Mapping

from trading.backtest.history import DEFAULT_FUNDING_RATE, FundingRates, read_funding
from trading.domain.symbols import normalize_symbol
from trading.engine.funding import FUNDING_INTERVAL_MS
from trading.engine.simulated_exchange import FundingRateSource

__all__ = ["DEFAULT_FUNDING_RATE", "funding_files", "replay_funding", "rates_from"]


def funding_files(spec: str) -> list[Path]:
    """Return the funding-rate files of a replay folder given as MARKET_DATA=replay:<folder> (none otherwise)."""
    if not spec.startswith("replay:"):
        return []
    folder = Path(spec.removeprefix("replay:")).expanduser()
    return sorted(folder.glob("*-funding-*.csv*")) if folder.is_dir() else []


def replay_funding(spec: str) -> dict[str, FundingRates]:
    """Return the funding history per symbol found beside the replayed candles."""
    return {normalize_symbol(path.name.split("-")[0]): read_funding(path) for path in funding_files(spec)}


def rates_from(history: Mapping[str, FundingRates]) -> FundingRateSource:
    """Return the venue's rate look-up: a symbol's published rate at a funding time it covers, else None."""
    def rate(symbol: str, ts_ms: int) -> Decimal | None:
        rates = history.get(symbol.split(":")[0])
        if rates is None or len(rates.times_ms) == 0:
            return None
        if not int(rates.times_ms[0]) <= ts_ms < int(rates.times_ms[-1]) + FUNDING_INTERVAL_MS:
            return None
        return rates.rate_at(ts_ms)

    return rate
