"""Where each mode's account and engine state are stored in the state table.

Kept apart from the venues and the loop: the loop tells which account was written last (which mode ran last)
without importing the live venue and with it ccxt, and the reports read a mode's engine state without the loop.
"""
LIVE_ACCOUNT_PREFIX = "live_account:"      # + the ledger's venue: one live account per exchange and market type
PAPER_ACCOUNT_KEY = "paper_account"
STATE_KEY = "engine"                 # the paper engine's state (every mode's, before live had its own)
LIVE_STATE_KEY = "engine:live"       # paper positions never reach a live bot (nor its day's loss), nor the reverse


def engine_state_key(mode: str) -> str:
    """Return the key the engine state of a trading mode is saved under."""
    return LIVE_STATE_KEY if mode == "live" else STATE_KEY
