"""Rendering of /sweeps: a page of stored sweeps, or one sweep's report, monospace and escaped."""
from __future__ import annotations

from typing import Sequence

from bot.views import esc
from trading.adapters.sqlite_sweeps import StoredSweep, SweepListing
from trading.services.sweeps import PAGE, listing_text, stored_text


def sweeps_page(listed: Sequence[SweepListing]) -> str:
    """Return a page of stored sweeps, newest first, with the commands that show one or the older page."""
    return f"<pre>{esc(listing_text(listed, PAGE))}</pre>"


def sweep_report(sweep: StoredSweep) -> str:
    """Return one stored sweep's report: its best trials, the walk-forward over them and the overfitting figures."""
    return f"<pre>{esc(stored_text(sweep))}</pre>"
