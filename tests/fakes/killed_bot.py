"""A bot killed at the moment one of its orders reaches the fake exchange: the database as it stood then.

The process dies after the exchange took the order and before the bot saved what followed from it. A test copies
the bot's SQLite database when the order arrives (before the fake acts on it), lets the run go on, and restarts a
bot on the copy: what the restarted bot knows is what a bot killed at that moment would know.
"""
from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Callable
from urllib.parse import parse_qsl

from aiohttp import web

from tests.fakes.exchange_api import FakeExchange


def copy_database(database: Path, copy: Path) -> None:
    """Copy the committed content of a live SQLite database (WAL included) into a new file."""
    copy.parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(database)) as source, closing(sqlite3.connect(copy)) as target:
        source.backup(target)


def kill_at_order(fake: FakeExchange, path: str, database: Path, copy: Path,
                  wanted: Callable[[dict[str, str]], bool] = lambda params: True) -> list[dict[str, str]]:
    """Copy database to copy when the first order to path whose parameters are wanted arrives; return the
    parameters of the order it was taken at (empty until then)."""
    send = fake.routes[("POST", path)]
    taken: list[dict[str, str]] = []

    async def watched(request: web.Request) -> web.StreamResponse:
        params = dict(request.query) | dict(parse_qsl(await request.text()))
        if not taken and wanted(params):
            copy_database(database, copy)
            taken.append(params)
        return await send(request)

    fake.routes[("POST", path)] = watched
    return taken
