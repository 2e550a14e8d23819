"""An opened SQLite store in a test's folder, closed when the test is done."""
from __future__ import annotations

import contextlib
from pathlib import Path
from typing import AsyncIterator

from trading.adapters.clocks import ManualClock
from trading.adapters.sqlite_store import SqliteStore


@contextlib.asynccontextmanager
async def opened_store(folder: Path) -> AsyncIterator[SqliteStore]:
    """Yield the bot's database at folder/db.sqlite with every migration applied."""
    store = SqliteStore(folder / "db.sqlite", ManualClock(1))
    await store.open()
    try:
        yield store
    finally:
        await store.close()
