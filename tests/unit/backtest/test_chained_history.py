import numpy as np
import pytest

from trading.backtest.chained_history import chained, chained_year
from trading.domain.candles import Candles

# three 1m bars that open at 100 and close at 110: each copy is 10% higher than the one before
BASE = Candles.from_rows([(0, 100.0, 104.0, 99.0, 103.0, 5.0), (60_000, 103.0, 106.0, 102.0, 105.0, 6.0),
                          (120_000, 105.0, 111.0, 104.0, 110.0, 7.0)])


def test_copies_follow_each_other_minute_by_minute():
    out = chained(BASE, 3)

    assert out.open_ms.tolist() == [i * 60_000 for i in range(9)]
    assert out.volume.tolist() == [5.0, 6.0, 7.0] * 3


def test_each_copy_opens_at_the_previous_copy_close():
    out = chained(BASE, 3)

    assert out.open[3] == pytest.approx(out.close[2])
    assert out.open[6] == pytest.approx(out.close[5])
    assert out.high[3:6].tolist() == pytest.approx([104.0 * 1.1, 106.0 * 1.1, 111.0 * 1.1])
    assert out.close[-1] == pytest.approx(110.0 * 1.1 * 1.1)


def test_a_year_is_cut_from_as_many_copies_as_it_takes():
    out = chained_year(BASE, bars=7)

    assert len(out) == 7
    assert np.all(np.diff(out.open_ms) == 60_000)


def test_chaining_needs_candles():
    with pytest.raises(ValueError):
        chained(BASE[:1], 2)
