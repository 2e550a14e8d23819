"""Plain forms of engine state: what to_plain makes of each kind of value, and from_plain rebuilds."""
from dataclasses import dataclass, field
from decimal import Decimal
from enum import IntEnum

from trading.domain.orders import Fill, Side
from trading.engine.snapshots import from_plain, to_plain


class Level(IntEnum):
    LOW = 1


@dataclass(frozen=True, slots=True)
class Holder:
    fill: Fill
    sides: tuple[Side, ...]
    by_name: dict[str, Decimal]
    level: Level = Level.LOW
    note: str | None = None
    flag: bool = True
    ratio: float = 0.5
    extra: list[int] = field(default_factory=lambda: [1, 2])


def test_dataclasses_decimals_enums_and_containers_become_plain_data_and_come_back():
    fill = Fill("P-1", "BTC/USDT", Side.BUY, Decimal("0.01000"), Decimal("117750.01"), Decimal("1.1775"), "USDT",
                1_753_147_860_000, False)
    holder = Holder(fill, (Side.SELL,), {"fee": Decimal("0.1")})

    plain = to_plain(holder)

    assert plain == {"fill": {"order_id": "P-1", "symbol": "BTC/USDT", "side": "buy", "amount": "0.01000",
                              "price": "117750.01", "fee": "1.1775", "fee_asset": "USDT",
                              "ts_ms": 1_753_147_860_000, "is_maker": False},
                     "sides": ["sell"], "by_name": {"fee": "0.1"}, "level": 1, "note": None, "flag": True,
                     "ratio": 0.5, "extra": [1, 2]}
    assert type(plain["sides"][0]) is str and type(plain["level"]) is int      # enums leave as their values
    assert from_plain(Fill, plain["fill"]) == fill


def test_a_dataclass_type_and_unknown_objects_are_left_as_they_are():
    marker = object()
    assert to_plain(Fill) is Fill
    assert to_plain(marker) is marker
