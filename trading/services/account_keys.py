"""Where each mode's account snapshot is stored in the state table.

Kept apart from the venues so the loop can tell which account was written last (which mode ran last) without
importing the live venue and with it ccxt.
"""
LIVE_ACCOUNT_PREFIX = "live_account:"      # + the ledger's venue: one live account per exchange and market type
PAPER_ACCOUNT_KEY = "paper_account"
