"""Stored parameter sweeps, for `sweep --show` and the chat's /sweeps: listed a page at a time, or one in full."""
from __future__ import annotations

from typing import Sequence

from trading.adapters.sqlite_store import SqliteStore
from trading.adapters.sqlite_sweeps import StoredSweep, SweepArchive, SweepListing
from trading.backtest.comparison import percent
from trading.backtest.result_export import iso_time
from trading.backtest.sweep_report import sweep_text
from trading.domain.errors import InvalidInput, typed_whole
from trading.strategies.parameter_space import params_text

PAGE = 10
USAGE = "Usage: /sweeps (the recent ones), /sweeps ID (one in full) or /sweeps older ID (the page before ID)"


def sweeps_request(args: Sequence[str]) -> tuple[str, int | None]:
    """Return what /sweeps asks for: ('list', None), ('list', older than id) or ('show', id)."""
    words = [a.strip().lstrip("#") for a in args]
    if not words:
        return "list", None
    if len(words) == 1 and (shown := typed_whole(words[0])) is not None:
        return "show", shown
    if len(words) == 2 and words[0].lower() == "older" and (older := typed_whole(words[1])) is not None:
        return "list", older
    raise InvalidInput(USAGE)


class SweepService:
    """Reads the stored sweeps back."""

    def __init__(self, store: SqliteStore) -> None:
        self._archive = SweepArchive(store)

    async def recent(self, limit: int = PAGE, before_id: int | None = None) -> list[SweepListing]:
        """Return a page of sweeps, newest first (those older than before_id when given)."""
        return await self._archive.recent(limit, before_id)

    async def sweep(self, sweep_id: int) -> StoredSweep:
        """Return the stored sweep; raise InvalidInput naming the id when there is none."""
        found = await self._archive.get(sweep_id)
        if found is None:
            raise InvalidInput(f"No sweep #{sweep_id}. /sweeps (or `trading-assistant sweep --show`) lists the "
                               f"stored ones.")
        return found


def listing_line(s: SweepListing) -> str:
    """Return one stored sweep in a line: number, when, what, how, its best trial and the overfitting risk."""
    how = f"TPE seed {s.seed}" if s.search == "tpe" else "grid"
    best = "no trials" if s.best_score_pct is None else f"best {percent(s.best_score_pct)}"
    params = params_text(sorted(s.best_params.items()))
    pbo = "" if s.pbo is None else f", PBO {s.pbo:.2f}"
    return (f"#{s.id} {iso_time(s.created_ms)[:16].replace('T', ' ')} {s.strategy} {s.symbol}\n"
            f"   {how}, {s.trials} trials, {best}{pbo}" + (f"\n   {params}" if params else ""))


EXAMPLE_PARAM = "sweep_lookback=8,12,16"      # one of strategy C's declared parameters


def listing_text(listed: Sequence[SweepListing], page: int = PAGE, show: str = "/sweeps {id}",
                 older: str | None = "/sweeps older {id}") -> str:
    """Return a page of stored sweeps, newest first, and how to see one (and the older page, when full)."""
    if not listed:
        return ("No sweeps stored yet. Run one with /optimize C here, or in a shell: "
                f"trading-assistant sweep --strategy C --param {EXAMPLE_PARAM}")
    lines = ["Parameter sweeps, newest first (out-of-sample return of the best trial)"]
    lines += [listing_line(s) for s in listed]
    more = f"; older: {older.format(id=listed[-1].id)}" if older and len(listed) == page else ""
    return "\n".join(lines) + f"\n\nOne in full: {show.format(id=listed[0].id)}{more}"


def stored_text(sweep: StoredSweep) -> str:
    """Return a stored sweep's report, headed by its number, when and where it ran."""
    head = (f"Sweep #{sweep.id}, run {iso_time(sweep.created_ms)[:16].replace('T', ' ')} UTC on {sweep.ran_on} "
            f"in {sweep.seconds:.1f} s")
    return f"{head}\n{sweep_text(sweep.summary, sweep.top)}"
