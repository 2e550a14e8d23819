"""Bundled sample of real Binance 1m candles (BTC/USDT, ETH/USDT, July 2025) for the offline demo."""
