"""Sweeps in SQLite: every field and trial read back as saved, listed newest first with their best trial."""
from trading.adapters.clocks import ManualClock
from trading.adapters.sqlite_store import SqliteStore
from trading.adapters.sqlite_sweeps import StoredSweep, SweepArchive
from trading.backtest.sweep import TrialResult
from trading.backtest.sweep_report import SecondRound, SweepSummary

TRIALS = (TrialResult(0, (("left", 3.0), ("rr", 1.5)), (1.25, -0.5), (0.1 + 0.2, -1.0), 4),
          TrialResult(1, (("left", 5.0), ("rr", 1.5)), (2.0, 0.75), (3.5, 1.0 / 3), 6),
          TrialResult(2, (("left", 4.0), ("rr", 1.5)), (0.0, 0.0), (-2.0, 0.0), 0))


def tpe_sweep() -> SweepSummary:
    return SweepSummary("C", "BTC/USDT", {"left": (3.0, 5.0), "rr": (1.5,)}, TRIALS, 2.75, (1, 0), 0.5, None, 2,
                        1_750_000_000_000, 1_751_000_000_000, "tpe", 7,
                        SecondRound(2, {"left": (4.0,)}, "advisor (fake-model)"))


async def test_a_sweep_reads_back_exactly_as_it_was_saved(tmp_path):
    store = SqliteStore(tmp_path / "db.sqlite", ManualClock(1))
    await store.open()
    archive = SweepArchive(store)
    sweep_id = await archive.save(StoredSweep(1_752_000_000_000, tpe_sweep(), top=2, seconds=3.5,
                                              ran_on="tcp://127.0.0.1:8786"))

    back = await archive.get(sweep_id)
    assert await archive.get(sweep_id + 1) is None
    await store.close()

    s, saved = back.summary, tpe_sweep()
    assert back.id == sweep_id and (back.created_ms, back.top, back.seconds, back.ran_on) == (
        1_752_000_000_000, 2, 3.5, "tcp://127.0.0.1:8786")
    assert s.results == saved.results and s.space == saved.space and s.second_round == saved.second_round
    assert (s.strategy, s.symbol, s.search, s.seed, s.folds, s.first_ms, s.last_ms) == (
        "C", "BTC/USDT", "tpe", 7, 2, 1_750_000_000_000, 1_751_000_000_000)
    assert (s.chosen_return_pct, s.chosen, s.pbo, s.deflated_sharpe) == (2.75, (1, 0), 0.5, None)
    assert [r.index for r in s.best(2)] == [1, 0]


async def test_sweeps_are_listed_newest_first_a_page_at_a_time_with_their_best_trial(tmp_path):
    store = SqliteStore(tmp_path / "db.sqlite", ManualClock(1))
    await store.open()
    archive = SweepArchive(store)
    ids = [await archive.save(StoredSweep(k, tpe_sweep())) for k in range(5)]

    page = await archive.recent(3)
    older = await archive.recent(3, before_id=page[-1].id)
    await store.close()

    assert [s.id for s in page] == ids[:1:-1] and [s.id for s in older] == ids[1::-1]
    first = page[0]
    assert (first.strategy, first.search, first.seed, first.trials, first.pbo) == ("C", "tpe", 7, 3, 0.5)
    assert first.best_score_pct == TRIALS[1].score and first.best_params == {"left": 5.0, "rr": 1.5}


async def test_a_tpe_sweep_keeps_its_pruned_samples_and_an_older_one_drops_the_grid_figure_it_held(tmp_path):
    from dataclasses import replace

    from trading.backtest.sweep_relations import RelationCheck

    pruned = RelationCheck(7, 9, "fast must stay below slow", sampled=True)
    grid_figure = RelationCheck(3, 6, "fast must stay below slow")      # what TPE sweeps stored before
    store = SqliteStore(tmp_path / "db.sqlite", ManualClock(1))
    await store.open()
    archive = SweepArchive(store)
    sampled = await archive.save(StoredSweep(1, replace(tpe_sweep(), relations=pruned)))
    older = await archive.save(StoredSweep(2, replace(tpe_sweep(), relations=grid_figure)))
    grid = await archive.save(StoredSweep(3, replace(tpe_sweep(), search="grid", seed=None, relations=grid_figure)))
    back = [(await archive.get(i)).summary.relations for i in (sampled, older, grid)]
    await store.close()

    assert back == [pruned, None, grid_figure]
