"""Backtesting: metrics, Monte Carlo, walk-forward and the EMA-cross yardstick (the event runner plugs in here)."""
