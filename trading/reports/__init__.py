"""Reports for the user: charts rendered to PNG bytes (candles with ICT overlays, backtest report, equity)."""
