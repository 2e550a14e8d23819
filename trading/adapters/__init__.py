"""Adapters at the edge of the core: exchanges, replay data, storage, clocks."""
