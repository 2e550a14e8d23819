"""Turning command arguments into typed requests; every failure says what to type instead."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from trading.domain.errors import InvalidInput
from trading.services.portfolio import Size, SizeKind


@dataclass(frozen=True, slots=True)
class EntryRequest:
    """/buy or /short: symbol, quote amount, optional limit price."""

    symbol: str
    quote: Decimal
    limit: Decimal | None = None


@dataclass(frozen=True, slots=True)
class ExitRequest:
    """/sell or /cover: symbol and how much."""

    symbol: str
    size: Size


def number(text: str, what: str, usage: str) -> Decimal:
    """Return text as a positive Decimal (commas and a leading $ allowed)."""
    cleaned = text.strip().replace(",", "").removeprefix("$")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise InvalidInput(f"{what} must be a number, got {text!r}. Usage: {usage}") from None
    if not value.is_finite() or value <= 0:
        raise InvalidInput(f"{what} must be positive, got {text!r}. Usage: {usage}")
    return value


def entry_request(args: list[str], command: str) -> EntryRequest:
    """Parse 'SYMBOL AMOUNT_QUOTE [limit PRICE]'."""
    usage = f"/{command} SYMBOL AMOUNT_USDT [limit PRICE], e.g. /{command} BTC/USDT 100 or /{command} BTC/USDT 100 limit 60000"
    if len(args) not in (2, 4) or (len(args) == 4 and args[2].lower() != "limit"):
        raise InvalidInput(f"Usage: {usage}")
    limit = number(args[3], "The limit price", usage) if len(args) == 4 else None
    return EntryRequest(args[0], number(args[1], "The amount", usage), limit)


def exit_request(args: list[str], command: str) -> ExitRequest:
    """Parse 'SYMBOL [AMOUNT|PCT%|all]' (all by default)."""
    usage = f"/{command} SYMBOL [AMOUNT|PCT%|all], e.g. /{command} BTC/USDT 50%"
    if len(args) not in (1, 2):
        raise InvalidInput(f"Usage: {usage}")
    if len(args) == 1 or args[1].lower() == "all":
        return ExitRequest(args[0], Size(SizeKind.ALL))
    if args[1].endswith("%"):
        return ExitRequest(args[0], Size(SizeKind.PERCENT, number(args[1][:-1], "The percentage", usage)))
    return ExitRequest(args[0], Size(SizeKind.AMOUNT, number(args[1], "The amount", usage)))


def count(args: list[str], default: int, most: int, usage: str) -> int:
    """Parse an optional count between 1 and most."""
    if not args:
        return default
    if len(args) > 1 or not args[0].isdigit() or not 1 <= int(args[0]) <= most:
        raise InvalidInput(f"Give a number from 1 to {most}. Usage: {usage}")
    return int(args[0])
