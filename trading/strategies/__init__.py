"""Strategies: turn indicator events into trade Signals."""
