"""Candle and funding files read without pandas give pandas' very numbers, and bad files a clear error."""
import gzip

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, strategies as st

from tests.fakes.shared_data import shared_data_path
from trading.adapters.candle_files import KEPT_COPIES, read_candle_file, read_columns, read_funding_file
from trading.domain.errors import ConfigurationError

CANDLE_FILES = ["BTCUSDT-1m.csv.gz", "ETHUSDT-1m.csv.gz", "BTCUSDT-15m.csv.gz", "ETHUSDT-15m.csv.gz",
                "BTCUSDT-1h.csv.gz", "ETHUSDT-1h.csv.gz", "BTCUSDT-PERP-1h.csv.gz", "ETHUSDT-PERP-1h.csv.gz"]


@pytest.mark.parametrize("name", CANDLE_FILES)
def test_every_shared_candle_file_reads_bit_for_bit_as_pandas_reads_it(name):
    path = shared_data_path(name)
    frame = pd.read_csv(path)

    candles = read_candle_file(path)

    assert candles.open_ms.dtype == np.int64 and np.array_equal(candles.open_ms, frame["timestamp_ms"].to_numpy())
    for column in ("open", "high", "low", "close", "volume"):
        values = getattr(candles, column)
        assert values.dtype == np.float64 and values.flags.c_contiguous
        assert np.array_equal(values, frame[column].to_numpy(np.float64)), column


@pytest.mark.parametrize("name", ["BTCUSDT-PERP-funding-8h.csv.gz", "ETHUSDT-PERP-funding-8h.csv.gz"])
def test_funding_files_read_bit_for_bit_as_pandas_reads_them(name):
    path = shared_data_path(name)
    frame = pd.read_csv(path)

    times, rates = read_funding_file(path)

    assert np.array_equal(times, frame["timestamp_ms"].to_numpy()) and times.dtype == np.int64
    assert np.array_equal(rates, frame["funding_rate"].to_numpy())


def test_columns_are_found_by_name_in_any_order_with_extra_ones_and_windows_line_ends(tmp_path):
    path = tmp_path / "odd.csv"
    path.write_bytes(b"close,note,open_ms,open,high,low,volume\r\n"
                     b"101.5,first,60000,100.25,102,99.5,3\r\n"
                     b"102.75,second,120000,101.5,103,101,0.5\r\n")

    candles = read_candle_file(path)

    assert candles.open_ms.tolist() == [60_000, 120_000]
    assert candles.close.tolist() == [101.5, 102.75] and candles.low.tolist() == [99.5, 101.0]
    assert candles.volume.tolist() == [3.0, 0.5]


@st.composite
def plain_decimals(draw: st.DrawFn) -> str:
    """A field as exchanges write them: digits, with or without a point anywhere (up to 22 digits)."""
    digits = draw(st.text("0123456789", min_size=1, max_size=22))
    point = draw(st.integers(-1, len(digits)))
    return digits if point < 0 else f"{digits[:point]}.{digits[point:]}"


@given(st.integers(1, 7).flatmap(lambda width: st.lists(st.lists(plain_decimals(), min_size=width,
                                                                  max_size=width), min_size=1, max_size=30)),
       st.booleans())
def test_plain_decimals_read_correctly_rounded_as_float_reads_them(tmp_path_factory, rows, final_newline):
    names = tuple(f"c{i}" for i in range(len(rows[0])))
    path = tmp_path_factory.mktemp("plain") / "plain.csv"
    text = "\n".join(",".join(row) for row in [list(names), *rows])
    path.write_text(text + ("\n" if final_newline else ""))

    columns = read_columns(path, names)

    for i, name in enumerate(names):
        expected = np.array([float(row[i]) for row in rows])
        assert columns[name].view(np.int64).tolist() == expected.view(np.int64).tolist()   # bit for bit


@pytest.mark.parametrize("body, expected", [
    (b"1,2.5\r\n3,4\r\n", [[1, 2.5], [3, 4]]),                  # Windows line ends
    (b"1, 2.5\n3,4\n", [[1, 2.5], [3, 4]]),                       # a space
    (b"1,2.5e1\n-3,4\n", [[1, 25], [-3, 4]]),                     # an exponent, a sign
    (b"1,2.5\n\n3,4\n", [[1, 2.5], [3, 4]]),                      # a blank line
    (b"1,-0.0\n3,4\n", [[1, -0.0], [3, 4]]),                      # a negative zero keeps its sign
])
def test_other_number_forms_read_as_numpy_reads_them(tmp_path, body, expected):
    path = tmp_path / "odd.csv"
    path.write_bytes(b"a,b\n" + body)

    columns = read_columns(path, ("a", "b"))

    got = np.stack([columns["a"], columns["b"]], axis=1)
    assert got.view(np.int64).tolist() == np.array(expected, dtype=np.float64).view(np.int64).tolist()


@pytest.mark.parametrize("body", [b"1,2.5\n3\n", b"1,\n3,4\n", b"1,.\n3,4\n", b"1,2.5.1\n3,4\n"])
def test_a_row_that_is_not_a_row_of_numbers_is_an_error(tmp_path, body):
    path = tmp_path / "bad.csv"
    path.write_bytes(b"a,b\n" + body)

    with pytest.raises(ValueError):
        read_columns(path, ("a", "b"))


def test_a_gzipped_file_is_recognised_by_its_content_and_a_header_alone_gives_no_candles(tmp_path):
    zipped, empty = tmp_path / "plain-name.csv", tmp_path / "empty.csv"
    zipped.write_bytes(gzip.compress(b"timestamp_ms,open,high,low,close,volume\n0,1,2,0.5,1.5,10\n"))
    empty.write_text("timestamp_ms,open,high,low,close,volume\n")

    assert read_candle_file(zipped).high.tolist() == [2.0]
    assert len(read_candle_file(empty)) == 0


@pytest.mark.parametrize("content, problem", [
    (b"timestamp_ms,open,high,low,close\n0,1,2,0.5,1.5\n", "no column volume"),
    (b"timestamp_ms,open,high,low,close,volume\n0,1,2,zero,1.5,10\n", "cannot read candles"),
    # mtime=0: a gzip made now would carry the clock in its header, and so in the test's id (the workers of
    # pytest-xdist must collect the same ids)
    (gzip.compress(b"timestamp_ms,open,high,low,close,volume\n0,1,2,0.5,1.5,10\n", mtime=0)[:30],
     "cannot read candles"),
])
def test_a_bad_file_says_what_is_wrong_with_it(tmp_path, content, problem):
    path = tmp_path / "bad.csv.gz"
    path.write_bytes(content)

    with pytest.raises(ConfigurationError, match=problem):
        read_candle_file(path)


def test_missing_files_are_named(tmp_path):
    with pytest.raises(ConfigurationError, match="no such data file"):
        read_candle_file(tmp_path / "nothing.csv.gz")
    with pytest.raises(ConfigurationError, match="no such funding file"):
        read_funding_file(tmp_path / "nothing.csv.gz")


def test_a_kept_copy_gives_the_same_candles_and_is_used_the_next_time(tmp_path):
    source, kept = tmp_path / "BTCUSDT-1m.csv.gz", tmp_path / "parsed"
    text = gzip.decompress(shared_data_path("BTCUSDT-1m.csv.gz").read_bytes())[:200_000]
    source.write_bytes(gzip.compress(text.rpartition(b"\n")[0] + b"\n"))
    parsed = read_candle_file(source)

    first = read_candle_file(source, kept)
    (copy,) = kept.glob("*.npy")
    marked = np.load(copy)
    marked[4, 0] = -1.0               # the copy's first close, changed: the next read must show it
    np.save(copy, marked)
    second = read_candle_file(source, kept)

    assert first.equals(parsed) and len(parsed) > 1_000
    assert second.close[0] == -1.0 and np.array_equal(second.close[1:], parsed.close[1:])
    assert second.open_ms.dtype == np.int64 and np.array_equal(second.open_ms, parsed.open_ms)


def test_an_edited_file_is_parsed_again_and_only_the_last_copies_stay(tmp_path):
    source, kept = tmp_path / "candles.csv", tmp_path / "parsed"
    for close in range(KEPT_COPIES + 3):
        source.write_text(f"timestamp_ms,open,high,low,close,volume\n0,1,40,0.5,{close},10\n")

        assert read_candle_file(source, kept).close.tolist() == [close]
    assert len(list(kept.glob("*.npy"))) == KEPT_COPIES
    assert read_candle_file(source, kept).close.tolist() == [KEPT_COPIES + 2]


def test_a_folder_that_cannot_hold_copies_only_loses_the_speed_up(tmp_path):
    source, blocked = tmp_path / "candles.csv", tmp_path / "a-file-not-a-folder"
    source.write_text("timestamp_ms,open,high,low,close,volume\n0,1,4,0.5,2,10\n")
    blocked.write_text("in the way")

    assert read_candle_file(source, blocked).close.tolist() == [2.0]
    assert blocked.read_text() == "in the way"
