"""Domain values shared by every part of the core: candles, instruments, orders, positions, signals, events."""
