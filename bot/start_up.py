"""A command process's start-up: the cyclic collector waits until the modules are loaded, then skips them.

Loading the modules builds some 300,000 objects (classes, functions, pydantic's schemas, numpy's tables) that
live as long as the process. The collector would scan them in every full collection, at start-up and again
at exit: about 80 ms of a 1 s backtest command. So the process holds the collector while it starts, then
freezes what start-up built (gc.freeze: never scanned again, nor freed by the collector; a short command
loses nothing by that) and collects as usual from there on. Only a process that is the command does this:
main() called with explicit arguments (a test, another program) leaves the collector alone.
"""
from __future__ import annotations

import gc

_held = False


def hold_collector() -> None:
    """Stop the cyclic collector until started() (no-op when it is already off)."""
    global _held
    if gc.isenabled():
        gc.disable()
        _held = True


def started() -> None:
    """Freeze what start-up built out of the collector's sight and let it run again (once, only if held)."""
    global _held
    if _held:
        _held = False
        gc.freeze()
        gc.enable()
