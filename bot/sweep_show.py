"""`trading-assistant sweep --show [ID]`: a stored sweep read back (report, JSON or chart), or the recent ones."""
from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from trading.adapters.sqlite_sweeps import StoredSweep
    from trading.settings import Settings

RECENT = 20


async def show_sweeps(args: argparse.Namespace, settings: Settings) -> str:
    """Return the stored sweep args.show names (report or JSON; chart written), or the recent ones for 0."""
    from trading.services.sweeps import listing_text

    if args.show == 0:
        listed = await _read(settings, lambda service: service.recent(RECENT))
        if args.json:
            return json.dumps([asdict(s) for s in listed], allow_nan=False)
        return listing_text(listed, RECENT, show="trading-assistant sweep --show {id}", older=None)
    return _shown(args, settings, await _read(settings, lambda service: service.sweep(args.show)))


def _shown(args: argparse.Namespace, settings: Settings, sweep: StoredSweep) -> str:
    from trading.backtest.sweep_report import sweep_record
    from trading.services.sweeps import stored_text

    if args.chart is not None:
        from trading.reports.sweep_chart import sweep_chart

        args.chart.write_bytes(sweep_chart(sweep.summary, settings.chart_theme))
    if args.json:
        return json.dumps(sweep_record(sweep.summary, sweep.top) | {"id": sweep.id, "seconds": sweep.seconds,
                                                                    "ran_on": sweep.ran_on}, allow_nan=False)
    return stored_text(sweep) + (f"\nChart written to {args.chart}" if args.chart is not None else "")


async def _read(settings: Settings, read):  # noqa: ANN001, ANN202 - read: SweepService -> awaitable
    from trading.adapters.clocks import WallClock
    from trading.adapters.sqlite_store import SqliteStore
    from trading.services.sweeps import SweepService

    store = SqliteStore(settings.data_dir / "trading.sqlite", WallClock())
    await store.open()
    try:
        return await read(SweepService(store))
    finally:
        await store.close()
