"""The real-candle tests skip on a machine without ../shared/data, and fail in CI, where a skip would hide them."""
import pytest

from tests.fakes import shared_data


def test_missing_shared_data_fails_in_ci_and_skips_elsewhere(monkeypatch, tmp_path):
    monkeypatch.setattr(shared_data, "SHARED_DATA", tmp_path)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI must place ../shared/data"):
        shared_data.shared_data_path("BTCUSDT-1m.csv.gz")
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception, match="not present"):
        shared_data.shared_data_path("BTCUSDT-1m.csv.gz")


def test_present_shared_data_is_found_in_ci_too(monkeypatch, tmp_path):
    (tmp_path / "BTCUSDT-1m.csv.gz").write_bytes(b"")
    monkeypatch.setattr(shared_data, "SHARED_DATA", tmp_path)
    monkeypatch.setenv("CI", "true")
    assert shared_data.shared_data_path("BTCUSDT-1m.csv.gz") == tmp_path / "BTCUSDT-1m.csv.gz"
