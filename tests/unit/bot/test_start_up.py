"""A command's start-up: the collector is held while modules load, then what they built is frozen out of its scans."""
import gc

import pytest

from bot.cli import main
from bot.start_up import hold_collector, started


@pytest.fixture
def collector():
    """Leave the collector as the test found it: on, and what the test froze back in its sight."""
    frozen = gc.get_freeze_count()
    yield frozen
    if gc.get_freeze_count() != frozen:
        gc.unfreeze()
    gc.enable()


def test_held_start_up_is_frozen_and_the_collector_runs_again(collector):
    hold_collector()
    assert not gc.isenabled()
    built_at_start_up = [[] for _ in range(1000)]

    started()

    assert gc.isenabled()
    assert gc.get_freeze_count() >= len(built_at_start_up)
    frozen = gc.get_freeze_count()
    started()                      # once only: a second call freezes nothing more
    assert gc.get_freeze_count() == frozen


def test_started_without_a_hold_freezes_nothing(collector):
    frozen = gc.get_freeze_count()

    started()

    assert gc.isenabled() and gc.get_freeze_count() == frozen


def test_a_collector_switched_off_by_someone_else_stays_off(collector):
    gc.disable()

    hold_collector()
    started()

    assert not gc.isenabled() and gc.get_freeze_count() == collector


def test_main_called_with_arguments_leaves_the_collector_alone(collector, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    frozen = gc.get_freeze_count()

    assert main(["backtest", "--list"]) == 0

    assert gc.isenabled() and gc.get_freeze_count() == frozen
