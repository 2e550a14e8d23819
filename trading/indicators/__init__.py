"""Indicators: causal, vectorised functions over candle histories."""
