"""Time axes of the charts, in UTC: clock times within a couple of days, dates beyond, never a bare number.

Within two days a tick reads 14:30, with the date under the first tick and under each tick on a new day,
so a 37-hour chart says which day each hour belongs to; up to a year a tick reads 08 Jul, with the year
under the first tick and at each new year; beyond that, Jul 2025.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Callable, Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.dates import AutoDateLocator
from matplotlib.ticker import Formatter, Locator, MaxNLocator

DAY_MS = 86_400_000
CLOCK_SPAN_MS = 2 * DAY_MS
DATE_SPAN_MS = 366 * DAY_MS
MAX_TICKS = 5


def time_labels(times_ms: Sequence[int | None], span_ms: int) -> list[str]:
    """Return one label per tick time (None: an empty label) for an axis spanning span_ms."""
    labels, previous = [], None
    for ms in times_ms:
        if ms is None:
            labels.append("")
            continue
        moment = datetime.fromtimestamp(ms / 1000, tz=timezone.utc)
        if span_ms <= CLOCK_SPAN_MS:
            label, context = moment.strftime("%H:%M"), moment.strftime("%d %b")
        elif span_ms <= DATE_SPAN_MS:
            label, context = moment.strftime("%d %b"), moment.strftime("%Y")
        else:
            label, context = moment.strftime("%b %Y"), None
        labels.append(label if context is None or context == previous else f"{label}\n{context}")
        previous = context
    return labels


class TimeTicks(Formatter):
    """Formats ticks as UTC times (see time_labels), reading each tick's time through to_ms."""

    def __init__(self, to_ms: Callable[[float], int | None], span_ms: int) -> None:
        self._to_ms, self._span_ms = to_ms, span_ms

    def __call__(self, x: float, pos: int | None = None) -> str:
        """Return the label of one tick on its own (with its date or year)."""
        return time_labels([self._to_ms(x)], self._span_ms)[0]

    def format_ticks(self, values: Sequence[float]) -> list[str]:
        """Return the labels of all ticks, the date or year shown where it changes."""
        return time_labels([self._to_ms(v) for v in values], self._span_ms)


def utc_span(first_ms: int, last_ms: int) -> str:
    """Return the span between two times for a subtitle: 20 Jun 02:30 – 21 Jun 15:45 UTC, or whole days."""
    first, last = (datetime.fromtimestamp(ms / 1000, tz=timezone.utc) for ms in (first_ms, last_ms))
    if last_ms - first_ms > CLOCK_SPAN_MS:
        return f"{first:%d %b %Y} – {last:%d %b %Y} UTC"
    if first.date() == last.date():
        return f"{first:%d %b %Y %H:%M} – {last:%H:%M} UTC"
    return f"{first:%d %b %H:%M} – {last:%d %b %Y %H:%M} UTC"


def date_number_axis(axes: Axes, first_ms: int, last_ms: int, labelled: bool = True) -> None:
    """Label an x axis of matplotlib date numbers (days since 1970) with UTC times or dates."""
    span = max(0, last_ms - first_ms)
    set_time_axis(axes, AutoDateLocator(minticks=3, maxticks=MAX_TICKS), TimeTicks(_from_days, span), labelled)


def bar_axis(axes: Axes, open_ms: np.ndarray | Sequence[int], labelled: bool = True) -> None:
    """Label an x axis of bar positions (0, 1, 2...) with the UTC open times of those bars."""
    def at(position: float) -> int | None:
        i = int(round(position))
        return int(open_ms[i]) if 0 <= i < len(open_ms) else None

    span = int(open_ms[-1]) - int(open_ms[0]) if len(open_ms) else 0
    set_time_axis(axes, MaxNLocator(MAX_TICKS, integer=True), TimeTicks(at, span), labelled)


def set_time_axis(axes: Axes, locator: Locator, formatter: TimeTicks, labelled: bool) -> None:
    """Put the locator and the time formatter on the x axis; hide its labels on upper panels."""
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(formatter)
    axes.tick_params(axis="x", labelbottom=labelled)


def _from_days(days: float) -> int:
    return int(round(days * DAY_MS))
