"""JSON-able snapshots of risk state, so limits, halts, stops and the kill switch survive a restart."""
from __future__ import annotations

from dataclasses import fields
from typing import Any, Mapping, Self

from trading.engine.snapshots import from_plain, to_plain


class Restorable:
    """Mixin for state dataclasses saved as JSON (Decimals as strings, enums as values)."""

    __slots__ = ()

    def snapshot(self) -> dict[str, Any]:
        """Return a JSON-able dict of this state."""
        return to_plain(self)

    @classmethod
    def restore(cls, data: Mapping[str, Any]) -> Self:
        """Rebuild from snapshot(); missing keys take defaults, keys from a newer version are ignored."""
        known = {f.name for f in fields(cls)}  # type: ignore[arg-type]
        return from_plain(cls, {name: value for name, value in data.items() if name in known})
