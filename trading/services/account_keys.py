"""Where each mode's account and engine state are stored in the state table.

Kept apart from the venues and the loop: the loop tells which account was written last (which mode ran last)
without importing the live venue and with it ccxt, and the reports read a mode's engine state without the loop.
"""
from __future__ import annotations

from trading.ports import StateStore

LIVE_ACCOUNT_PREFIX = "live_account:"      # + the ledger's venue: one live account per exchange and market type
PAPER_ACCOUNT_KEY = "paper_account"
STATE_KEY = "engine"                 # the paper engine's state (every mode's, before live had its own)
LIVE_STATE_KEY = "engine:live"       # paper positions never reach a live bot (nor its day's loss), nor the reverse
# the loop's copy of its engine's kill switch, for /status: each mode's, as the engine state it mirrors
KILL_SWITCH_KEY = "kill_switch"      # paper's (every mode's, before live had its own)
LIVE_KILL_SWITCH_KEY = "kill_switch:live"


def engine_state_key(mode: str) -> str:
    """Return the key the engine state of a trading mode is saved under."""
    return LIVE_STATE_KEY if mode == "live" else STATE_KEY


def kill_switch_key(mode: str) -> str:
    """Return the key the loop of a trading mode mirrors its kill switch under."""
    return LIVE_KILL_SWITCH_KEY if mode == "live" else KILL_SWITCH_KEY


async def saved_kill_switch(store: StateStore, mode: str) -> object | None:
    """Return the kill switch the loop of mode saved; a live bot with none takes the one saved before live had
    its own key when live ran last (its account written after paper's), and moves it, as the engine state moves.

    The shared key held whichever mode saved last: a paper kill read in live said live was stopped while live
    traded. Live's engine state is its own, so its mirror is too; a paper kill stays on paper until /resume there.
    """
    key = kill_switch_key(mode)
    saved = await store.load_state(key)
    if saved is not None or key == KILL_SWITCH_KEY:
        return saved
    last = await store.written_last((LIVE_ACCOUNT_PREFIX, PAPER_ACCOUNT_KEY))
    legacy = await store.load_state(KILL_SWITCH_KEY)
    if legacy is None or last is None or not last.startswith(LIVE_ACCOUNT_PREFIX):
        return None            # paper's (or nothing ran live): live shows its own once its loop saves it
    await store.save_state(key, legacy)
    await store.delete_state(KILL_SWITCH_KEY)
    return legacy
