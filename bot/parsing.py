"""Turning command arguments into typed requests; every failure says what to type instead."""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from trading.domain.errors import InvalidInput, echoed, shortened
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


# plain decimal notation only: no exponents, NaN or infinity, no other scripts' digits, and a sane size
_NUMBER = re.compile(r"-?(?:[0-9]{1,15}(?:\.[0-9]{0,12})?|\.[0-9]{1,12})")
# a comma only as a thousands separator, and only where it cannot be a decimal comma: with a decimal point
# (1,000.50) or in two groups or more (1,234,567). '100,5' is a decimal comma, not 1005, and '1,000' alone is
# one thousand to some and one to others: asked again rather than guessed (a guess can be a thousand times off)
_GROUPED = re.compile(r"-?\$?[1-9][0-9]{0,2}(?:(?:,[0-9]{3})+\.[0-9]*|(?:,[0-9]{3}){2,}(?:\.[0-9]*)?)")
_ONE_GROUP = re.compile(r"-?\$?[1-9][0-9]{0,2},[0-9]{3}")


def number(text: str, what: str, usage: str) -> Decimal:
    """Return text as a positive Decimal (a leading $ and commas between thousands allowed)."""
    typed = text.strip()
    if _ONE_GROUP.fullmatch(typed):
        whole, part = typed.removeprefix("$").split(",")
        raise InvalidInput(f"{what} {echoed(text)} could be read two ways: write {whole}{part} for "
                           f"{whole} thousand, or {whole}.{part} with a dot for decimals. Usage: {usage}")
    if "," in typed and not _GROUPED.fullmatch(typed):
        raise InvalidInput(f"{what} must use a dot for decimals, got {echoed(text)}: write {_dotted(typed)} "
                           f"(a comma only between thousands, as in 1,000.50). Usage: {usage}")
    cleaned = typed.replace(",", "").removeprefix("$")
    if not _NUMBER.fullmatch(cleaned):
        raise InvalidInput(f"{what} must be a number like 100 or 0.5, got {echoed(text)}. Usage: {usage}")
    value = Decimal(cleaned)
    if value <= 0:
        raise InvalidInput(f"{what} must be positive, got {echoed(text)}. Usage: {usage}")
    return value


def _dotted(typed: str) -> str:
    """Return typed with a dot for decimals (1.000,50 -> 1000.50, 100,5 -> 100.5), or an example when unclear."""
    bare = typed.removeprefix("$")
    if "." in bare and bare.rfind(",") > bare.rfind("."):       # dots between thousands, a decimal comma
        bare = bare.replace(".", "")
    dotted = bare.replace(",", ".")
    return f"{Decimal(dotted):f}" if _NUMBER.fullmatch(dotted) else "100.5"


def entry_request(args: list[str], command: str) -> EntryRequest:
    """Parse 'SYMBOL AMOUNT_QUOTE [limit PRICE]'."""
    usage = (f"/{command} SYMBOL AMOUNT_USDT [limit PRICE], e.g. /{command} BTC/USDT 100 or "
             f"/{command} BTC/USDT 100 limit 60000")
    if len(args) not in (2, 4) or (len(args) == 4 and args[2].lower() != "limit"):
        raise InvalidInput(f"{_entry_fault(args)} Usage: {usage}")
    limit = number(args[3], "The limit price", usage) if len(args) == 4 else None
    return EntryRequest(args[0], number(args[1], "The amount", usage), limit)


def exit_request(args: list[str], command: str) -> ExitRequest:
    """Parse 'SYMBOL [AMOUNT|PCT%|all]' (all by default)."""
    usage = f"/{command} SYMBOL [AMOUNT|PCT%|all], e.g. /{command} BTC/USDT 50%"
    if len(args) not in (1, 2):
        raise InvalidInput(f"{_exit_fault(args)} Usage: {usage}")
    if len(args) == 1 or args[1].lower() == "all":
        return ExitRequest(args[0], Size(SizeKind.ALL))
    if args[1].endswith("%"):
        return ExitRequest(args[0], Size(SizeKind.PERCENT, number(args[1][:-1], "The percentage", usage)))
    return ExitRequest(args[0], Size(SizeKind.AMOUNT, number(args[1], "The amount", usage)))


def _entry_fault(args: list[str]) -> str:
    """Return what is wrong with the words of an entry that has not 'SYMBOL AMOUNT [limit PRICE]' shape."""
    if not args:
        return "Give a symbol and an amount in USDT."
    if len(args) == 1:
        return "The amount in USDT is missing."
    if len(args) == 3 and args[2].lower() == "limit":
        return "The limit price is missing after 'limit'."
    if len(args) == 4 and re.fullmatch(r"\$?[0-9][0-9.,]*", args[3]):
        return f"Expected the word limit before the price, got {echoed(args[2])}."
    return f"Unexpected {echoed(' '.join(args[2:]))} after the amount: only limit PRICE may follow it."


def _exit_fault(args: list[str]) -> str:
    """Return what is wrong with the words of an exit that has not 'SYMBOL [AMOUNT|PCT%|all]' shape."""
    if not args:
        return "Give a symbol, then an amount in the coin, a percentage or all."
    if len(args) == 3 and args[2] == "%":
        return f"Write the percentage with no space before %: {shortened(args[1], 20)}%."
    extra, base = " ".join(args[2:]), args[0].split("/")[0].upper()
    if extra.upper() == base:
        return (f"Unexpected {echoed(extra)} after the amount (the amount is in the coin, {shortened(base, 20)}, "
                f"already).")
    return f"Unexpected {echoed(extra)} after the amount."


def backtest_words(args: list[str], least: int, usage: str) -> list[str]:
    """Return the words of /backtest, /evaluate or /optimize (least of them, up to a period), or say what is wrong."""
    if len(args) < least:
        raise InvalidInput(f"{'Give a strategy and a symbol.' if least == 2 else 'Give a strategy.'} {usage}")
    if len(args) > 3:
        extra = " ".join(args[3:])
        if len(args) == 4 and re.fullmatch(r"[0-9]{1,4}", args[2]) and args[3].lower() in ("d", "day", "days"):
            raise InvalidInput(f"Write the period as one word: {args[2]}d, not {echoed(args[2] + ' ' + args[3])}. "
                               f"{usage}")
        raise InvalidInput(f"Unexpected {echoed(extra)} after the period. {usage}")
    return args


def count(args: list[str], default: int, most: int, usage: str) -> int:
    """Parse an optional count between 1 and most."""
    if not args:
        return default
    if len(args) > 1 or not re.fullmatch(r"[0-9]{1,6}", args[0]) or not 1 <= int(args[0]) <= most:
        raise InvalidInput(f"Give a number from 1 to {most}. Usage: {usage}")
    return int(args[0])


# a two-factor code as people type or paste it: 123456, 123 456, 123-456, 12 34 56, "code: 123456", 123456.
# 123.456 too: a code typed so must not reach the LLM's prompt, even when none is awaited (a price typed so is
# answered with how to ask about it); while a code is awaited any text with digits is one, see looks_like_code
_CODE_WORD = r"(?:code|otp|2fa|totp)"        # a word typed before a code ('2fa' holds a digit: dropped first)
CODE = re.compile(rf"^\s*(?:{_CODE_WORD}\s*[:#]?\s*)?[0-9](?:[ .,-]?[0-9]){{5}}\s*[.!]?\s*$", re.IGNORECASE)


def code_digits(text: str) -> str:
    """Return the ASCII digits of a typed two-factor code (separators and a leading 'code', 'otp', '2fa' dropped)."""
    return re.sub(r"[^0-9]", "", re.sub(rf"^\s*{_CODE_WORD}", "", text, flags=re.IGNORECASE))


def looks_like_code(text: str) -> bool:
    """Return True when text holds three digits in a row or more: while a code is awaited, never a question."""
    return re.search(r"[0-9](?:[ .-]?[0-9]){2}", text) is not None
