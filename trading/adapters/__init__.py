"""Adapters at the edge of the core: exchanges, replay data, storage, clocks."""
from trading.adapters.ccxt_loading import install as _load_ccxt_lean

_load_ccxt_lean()     # before any adapter imports ccxt: only the exchange classes in use are imported
