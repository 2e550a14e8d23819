"""The client order ids of the bot's orders: built and read here only.

Binance keeps a client id to 36 characters. Every order of the bot's starts with "ta-":
- an entry of the engine's (and the key of the position it opens): "ta-<20 hex of its setup>";
- an exit of the engine's: "<entry key>-x<n>", n counting the position's exits from 1;
- a leg of an approved order: "ta-a<20 hex of the approval>-<leg>" (".r<n>" after it once re-priced).
The user's orders placed with no approval are "manual-<16 hex>" (trading/services/order_placement.py).
"""
from __future__ import annotations

import hashlib
import re

CLIENT_ID_PREFIX = "ta"
_EXIT = re.compile(r"(?P<key>.+)-x(?P<n>[0-9]+)")      # ASCII digits only: str.isdigit takes '٣' too
_APPROVAL = f"{CLIENT_ID_PREFIX}-a"
# the hex and leg tell an approved leg (maybe re-priced: ".r<n>") from an entry whose own hex starts with "a"
_APPROVED = re.compile(rf"{_APPROVAL}[0-9a-f]{{20}}-[0-9]+(\..+)?")
_ENTRY = re.compile(rf"{CLIENT_ID_PREFIX}-[0-9a-f]{{20}}")
_REPRICED = re.compile(r"(?:\.r[0-9]+)+\Z")      # what a re-place adds to an id (ccxt_orders.derived_client_id)


def _digest(origin: str) -> str:
    return hashlib.sha256(origin.encode()).hexdigest()[:20]


def entry_client_id(origin: str) -> str:
    """Return the client id of an entry (or key of a position) from its origin: the same origin, the same id."""
    return f"{CLIENT_ID_PREFIX}-{_digest(origin)}"


def exit_client_id(entry_key: str, n: int) -> str:
    """Return the client id of the n-th exit (from 1) the engine sends for the position entry_key opened."""
    return f"{entry_key}-x{n}"


def exit_number(client_id: str) -> tuple[str, int] | None:
    """Return the entry key and the number of an exit of the engine's, or None when client_id is not one."""
    match = _EXIT.fullmatch(client_id)
    return None if match is None else (match["key"], int(match["n"]))


def origin_client_id(client_id: str) -> str:
    """Return the client id an order was first sent under: client_id without its re-price suffixes (".r<n>").

    The broker maps a re-placed order to its origin in memory only; after a restart the id itself tells it.
    """
    return _REPRICED.sub("", client_id)


def approval_client_id(approval_id: str, leg: int = 0) -> str:
    """Return the client order id of an approved order's leg: derived from the approval, <= 36 characters."""
    return f"{_APPROVAL}{_digest(approval_id)}-{leg}"


def is_approved_order(client_id: str) -> bool:
    """Return True for a leg of an order the user approved."""
    return _APPROVED.fullmatch(client_id) is not None


def is_engine_entry(client_id: str) -> bool:
    """Return True for an entry of the engine's own (its position's key), not an approved leg nor an exit."""
    return _ENTRY.fullmatch(client_id) is not None


def is_engine_order(client_id: str) -> bool:
    """Return True for an order the engine sent by itself: "ta-" and no approved leg (the user's, by a card)."""
    return client_id.startswith(f"{CLIENT_ID_PREFIX}-") and not is_approved_order(client_id)
