from decimal import Decimal

from trading.adapters.clocks import ManualClock
from trading.adapters.sqlite_equity import EquityHistory, EquityPoint
from trading.adapters.sqlite_store import SqliteStore


async def test_equity_samples_are_read_back_by_period_and_per_venue(tmp_path):
    store = SqliteStore(tmp_path / "db.sqlite", ManualClock(1))
    await store.open()
    spot, futures = EquityHistory(store, "paper-spot"), EquityHistory(store, "paper-futures")
    for ts, equity in ((1_000, "10000"), (2_000, "10010.5"), (3_000, "9990.25")):
        await spot.record(EquityPoint(ts, Decimal(equity), Decimal("5000")))
    await futures.record(EquityPoint(2_500, Decimal("1"), Decimal("1")))

    assert [p.equity for p in await spot.between(2_000, 3_000)] == [Decimal("10010.5"), Decimal("9990.25")]
    assert (await spot.last_at_or_before(2_999)).equity == Decimal("10010.5")
    assert await spot.last_at_or_before(999) is None
    assert [p.ts_ms for p in await futures.between(0, 10_000)] == [2_500]
    await store.close()
