"""Backtest periods as people type them: dates (2025-06-01), spans back from now (30d) or ranges (A..B)."""
from __future__ import annotations

import re
from datetime import date, datetime, timezone

from trading.domain.errors import echoed

DAY_MS = 86_400_000
_SPAN = re.compile(r"^(\d+)([dw])$")
MAX_SPAN_DAYS = 36_500          # a century back covers any market's history


class PeriodWithoutData(ValueError):
    """A backtest period with no bars in it; names the days the data does cover (None: no data at all)."""

    def __init__(self, what: str, covered: tuple[str, str] | None) -> None:
        where = f"; the data covers {covered[0]} to {covered[1]}" if covered else "; there is no data at all"
        super().__init__(f"no {what} in the period asked for{where}")
        self.covered = covered


def day_start_ms(text: str, what: str = "date") -> int:
    """Return the UTC midnight of a YYYY-MM-DD date, or raise ValueError saying what to type."""
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"{what} {echoed(text)} is not a date like 2025-06-01") from None
    return int(datetime(day.year, day.month, day.day, tzinfo=timezone.utc).timestamp() * 1000)


def date_range(start: str | None, end: str | None,
               names: tuple[str, str] = ("--from", "--to")) -> tuple[int | None, int | None]:
    """Return [start, end) in epoch ms from inclusive dates (end: through that whole day); None is open."""
    start_ms = None if start is None else day_start_ms(start, names[0])
    end_ms = None if end is None else day_start_ms(end, names[1]) + DAY_MS
    if start_ms is not None and end_ms is not None and end_ms <= start_ms:
        raise ValueError(f"{names[1]} {end} is before {names[0]} {start}")
    return start_ms, end_ms


def parse_period(text: str, now_ms: int) -> tuple[int, int]:
    """Return [start, end) for '30d', '4w' (back from now) or '2025-06-01..2025-07-31' (whole days, UTC)."""
    text = text.strip().lower()
    span = _SPAN.match(text)
    if span:
        days = int(span[1]) * (7 if span[2] == "w" else 1)
        if days < 1:
            raise ValueError("a period needs at least one day, e.g. 30d")
        if days > MAX_SPAN_DAYS:
            raise ValueError(f"a period reaches back at most {MAX_SPAN_DAYS}d, got {echoed(text)}; "
                             f"e.g. 365d or 2025-06-01..2025-07-31")
        return now_ms - days * DAY_MS, now_ms
    if ".." in text:
        first, _, last = text.partition("..")
        if not first.strip() or not last.strip():
            raise ValueError(f"a range needs both days, got {echoed(text)}; e.g. 2025-06-01..2025-07-31")
        start, end = date_range(first, last, ("the start", "the end"))
        assert start is not None and end is not None
        if start >= now_ms:
            today = datetime.fromtimestamp(now_ms / 1000, timezone.utc).date().isoformat()
            raise ValueError(f"the start {first.strip()} is not before today ({today}): a backtest needs "
                             f"past candles, e.g. 30d")
        return start, min(end, now_ms)
    raise ValueError(f"period {echoed(text)} is not like 30d, 4w or 2025-06-01..2025-07-31")
