"""Sweeps keep the strategy's declared relations (fast below slow): such trials are skipped before they run."""
import random

import pytest

from trading.backtest.search_region import around_best, next_region
from trading.backtest.sweep import TrialResult
from trading.backtest.sweep_relations import RelationCheck, region_within, relation_check
from trading.backtest.sweep_report import SweepSummary, sweep_record, sweep_text
from trading.backtest.sweep_search import SearchPlan, run_search, search_plan, second_round
from trading.backtest.tpe_search import tpe_search

EMA = {"fast": (10.0, 20.0, 30.0), "slow": (15.0, 25.0)}


class RecordingRunner:
    """A TrialRunner that scores trials with a made-up surface and remembers every trial it was given."""

    busy_s = 0.0

    def __init__(self, shuffle_seed: int | None = None) -> None:
        self.ran: list[tuple[int, dict[str, float]]] = []
        self._rng = random.Random(shuffle_seed) if shuffle_seed is not None else None

    def run(self, batch, progress=None, cancel=None):
        self.ran += [(i, dict(p)) for i, p in batch]
        results = [TrialResult(i, tuple(sorted(p.items())), (0.0,), (p["slow"] - p["fast"] / 2,), 1) for i, p in batch]
        if self._rng is not None:
            self._rng.shuffle(results)
        return sorted(results, key=lambda r: r.index)


def test_the_relation_count_takes_the_defaults_of_what_is_not_swept():
    # (10,15) (10,25) (20,25) keep fast below slow; (20,15) (30,15) (30,25) break it
    assert relation_check("ema_cross", EMA) == RelationCheck(3, 6, "fast must stay below slow")
    assert relation_check("ema_cross", EMA | {"confidence": (0.4, 0.6)}) == RelationCheck(6, 12,
                                                                                         "fast must stay below slow")
    # slow left at its default 26: fast 30 breaks it
    assert relation_check("ema_cross", {"fast": (20.0, 30.0)}).kept == 1
    # C declares no relation: everything is kept
    assert relation_check("C", {"sweep_lookback": (4.0, 8.0)}) == RelationCheck(2, 2)


@pytest.mark.parametrize("space, message", [
    ({"fast": (30.0, 40.0), "slow": (20.0, 25.0)},
     "every combination breaks the rule that fast stays below slow: fast at least 30, slow at most 25; "
     "sweep fast below 25 or slow above 30"),
    ({"slow": (5.0, 10.0)},
     "every combination breaks the rule that fast stays below slow: fast is 12 (its default), slow at most 10; "
     "sweep fast below 10 or slow above 12"),
    ({"fast": (30.0, 40.0)},
     "every combination breaks the rule that fast stays below slow: fast at least 30, slow is 26 (its default: "
     "add --param slow=... to sweep it); sweep fast below 26 or slow above 30"),
])
def test_a_space_whose_every_combination_breaks_the_relation_is_refused_with_a_range_that_works(space, message):
    for kind, trials in (("grid", None), ("tpe", 1)):
        with pytest.raises(ValueError, match="^" + message.replace("(", r"\(").replace(")", r"\)")
                           .replace(".", r"\.") + "$"):
            search_plan(space, kind, trials, strategy="ema_cross")


def test_the_grid_never_runs_a_trial_that_breaks_the_relation_and_the_report_says_how_many_were_skipped():
    plan = search_plan(EMA, strategy="ema_cross")
    runner = RecordingRunner()
    results, kept_out = run_search(EMA, plan, runner)

    assert kept_out == plan.relations                 # the grid is what ran: its count is what was skipped
    assert [p for _, p in runner.ran] == [{"fast": 10.0, "slow": 15.0}, {"fast": 10.0, "slow": 25.0},
                                         {"fast": 20.0, "slow": 25.0}]
    assert [r.index for r in results] == [0, 1, 2]
    summary = SweepSummary("ema_cross", "BTC/USDT", EMA, tuple(results), 0.0, (), None, None, 1, 0, 1,
                           relations=kept_out)
    assert "3 of the 6 combinations skipped before running: fast must stay below slow" in sweep_text(summary)
    assert sweep_record(summary)["skipped"] == {"combinations": 6, "skipped": 3,
                                                "because": "fast must stay below slow"}


def test_the_size_limits_count_only_the_combinations_that_run():
    big = {"fast": tuple(float(v) for v in range(2, 102)), "slow": tuple(float(v) for v in range(3, 103))}
    # 100 x 100 = 10,000 points, 5,050 of them with fast below slow: still too many for the grid
    with pytest.raises(ValueError, match="the grid holds 5,050 trials"):
        search_plan(big, strategy="ema_cross")
    with pytest.raises(ValueError, match="the space holds only 3 distinct trials"):
        search_plan(EMA, "tpe", 4, strategy="ema_cross")
    assert search_plan(EMA, "tpe", 3, strategy="ema_cross") == SearchPlan(
        "tpe", 3, 0, 16, "ema_cross", RelationCheck(3, 6, "fast must stay below slow"))


SPACE = {"fast": tuple(float(v) for v in range(5, 41)), "slow": tuple(float(v) for v in range(10, 31))}


def test_tpe_prunes_a_sampled_trial_that_breaks_the_relation_and_keeps_its_seed():
    plan = search_plan(SPACE, "tpe", 30, 4, 8, strategy="ema_cross")
    first, again = RecordingRunner(), RecordingRunner(shuffle_seed=9)
    results, _ = run_search(SPACE, plan, first)

    assert len(results) == 30 and [r.index for r in results] == list(range(30))
    assert all(p["fast"] < p["slow"] for _, p in first.ran)                  # never run
    assert all(dict(r.params)["fast"] < dict(r.params)["slow"] for r in results)
    assert run_search(SPACE, plan, again)[0] == results                          # the same seed, any finishing order


@pytest.mark.parametrize("seed, asked, pruned", [
    # asked in batches of 2: (20,25) (20,25) | (20,25) (20,25) | (30,15) (30,25) | (20,25) (10,15) | (10,25):
    # 9 samples, 2 of them with fast not below slow; the repeats of (20,25) are answered by its trial
    (0, 9, 2),
    # (20,15) (20,15) | (20,15) (10,25) | (10,15) (20,25): 6 samples, (20,15) pruned each of the 3 times it came
    (2, 6, 3),
])
def test_a_tpe_sweep_reports_the_samples_it_pruned_not_the_grid_count(seed, asked, pruned):
    plan = search_plan(EMA, "tpe", 3, seed, 2, strategy="ema_cross")
    results, kept_out = run_search(EMA, plan, RecordingRunner())

    assert plan.relations == RelationCheck(3, 6, "fast must stay below slow")       # the grid's figure, not run
    assert kept_out == RelationCheck(asked - pruned, asked, "fast must stay below slow", sampled=True)
    summary = SweepSummary("ema_cross", "BTC/USDT", EMA, tuple(results), 0.0, (), None, None, 1, 0, 1, "tpe", seed,
                           relations=kept_out)
    text = sweep_text(summary)
    assert (f"{pruned} of the {asked} parameter sets TPE sampled were pruned before running: "
            f"fast must stay below slow") in text and "combinations" not in text
    assert sweep_record(summary)["skipped"] == {"samples": asked, "pruned": pruned,
                                                "because": "fast must stay below slow"}


def test_without_the_check_tpe_would_have_run_such_trials():
    # the space is mostly fast >= slow: unpruned, TPE's random start asks for some of them
    runner = RecordingRunner()
    tpe_search(SPACE, 30, 4, lambda batch: runner.run(batch), 8)
    assert any(p["fast"] >= p["slow"] for _, p in runner.ran)


def ema_summary() -> SweepSummary:
    results = (TrialResult(0, (("fast", 10.0), ("slow", 20.0)), (0.0,), (5.0,), 3),
               TrialResult(1, (("fast", 12.0), ("slow", 20.0)), (0.0,), (1.0,), 3))
    return SweepSummary("ema_cross", "BTC/USDT", {"fast": (10.0, 12.0), "slow": (20.0,)}, results, 0.0, (), None,
                        None, 1, 0, 1)


def test_a_second_round_skips_the_region_points_that_break_the_relation_and_says_so():
    runner = RecordingRunner()
    more, second = second_round(ema_summary(), runner, lambda _: {"fast": [9, 11, 14], "slow": [10, 20]}, "m")

    assert second.chosen_by == "advisor (m)"
    assert [p for _, p in runner.ran] == [{"fast": 9.0, "slow": 10.0}, {"fast": 9.0, "slow": 20.0},
                                         {"fast": 11.0, "slow": 20.0}, {"fast": 14.0, "slow": 20.0}]
    assert [r.index for r in more] == [2, 3, 4, 5]
    assert (second.skipped, second.skip_rule) == (2, "fast must stay below slow")
    done = SweepSummary("ema_cross", "BTC/USDT", {"fast": (9.0, 10.0, 11.0, 12.0, 14.0), "slow": (10.0, 20.0)},
                        ema_summary().results + tuple(more), 0.0, (), None, None, 1, 0, 1, second_round=second)
    assert ("Second round, trials #2 to #5: the region chosen by the advisor (m) (2 combinations skipped before "
            "running: fast must stay below slow)") in sweep_text(done)


def test_an_advisor_region_whose_every_trial_breaks_the_relation_falls_back_to_the_rule():
    done = ema_summary()
    region, why = next_region(done, lambda _: {"fast": [13, 14], "slow": [10, 12]})
    assert region == around_best(done)
    assert why == "rule (the advisor's grid was refused: every trial breaks the rule that fast stays below slow)"


def test_optimize_grids_keep_their_relations_whatever_the_tuned_values():
    # /optimize runs each grid point over the tuned parameters: a grid that set one side of a relation and
    # not the other could break it against a tuned value, so each grid sets both sides or neither
    from trading.backtest.strategy_specs import SPECS
    from trading.backtest.walkforward import parameter_grid
    from trading.strategies.parameter_space import relations

    for spec in SPECS:
        for low, high in relations(spec.tunable()):
            assert (low in spec.grid) == (high in spec.grid), spec.name
        assert all(spec.broken(point) is None for point in parameter_grid(spec.grid)), spec.name


def test_a_region_is_clipped_to_the_values_that_can_keep_the_relation():
    # slow reaches 35 at most: fast 35 and 40 pair with none; every slow has fast 20 below it
    region = {"fast": (20.0, 25.0, 30.0, 35.0, 40.0), "slow": (25.0, 30.0, 35.0)}
    assert region_within("ema_cross", region, {}) == ({"fast": (20.0, 25.0, 30.0), "slow": (25.0, 30.0, 35.0)},
                                                      "clipped to keep fast below slow: fast 35, 40 dropped")
    # slow left out of the region: the fixed value (the best trial's, else its default 26) is what it pairs with
    assert region_within("ema_cross", {"fast": (20.0, 25.0, 30.0)}, {}) == (
        {"fast": (20.0, 25.0)}, "clipped to keep fast below slow: fast 30 dropped")
    assert region_within("ema_cross", {"fast": (20.0, 25.0, 30.0)}, {"slow": 40.0}) == (
        {"fast": (20.0, 25.0, 30.0)}, "")
    assert region_within("C", {"sweep_lookback": (3.0, 4.0)}, {}) == ({"sweep_lookback": (3.0, 4.0)}, "")


def test_a_region_wholly_outside_the_relation_moves_the_least_to_one_whose_every_value_has_a_partner():
    moved, said = region_within("ema_cross", {"fast": (40.0, 50.0, 60.0), "slow": (20.0, 25.0, 30.0)}, {})
    # slow up by max(60 - 30, 40 - 20) + 1 = 31
    assert moved == {"fast": (40.0, 50.0, 60.0), "slow": (51.0, 56.0, 61.0)}
    assert said == ("no trial of fast 40 to 60 with slow 20 to 30 keeps fast below slow: the nearest region that "
                    "does moves slow up by 31")
    assert all(any(f < s for s in moved["slow"]) for f in moved["fast"])
    assert all(any(f < s for f in moved["fast"]) for s in moved["slow"])
    # slow fixed at 26 (not swept): fast moves down by 40 - 26 + 1 = 15
    assert region_within("ema_cross", {"fast": (30.0, 35.0, 40.0)}, {"slow": 26.0}) == (
        {"fast": (15.0, 20.0, 25.0)}, "no trial of fast 30 to 40 with slow 26 keeps fast below slow: the nearest "
                                      "region that does moves fast down by 15")


def test_a_region_with_no_feasible_region_near_it_says_so_and_what_to_sweep():
    # slow fixed at 3: fast would have to move down by 400 - 3 + 1 = 398, to -8 and 2, below its allowed 2
    assert region_within("ema_cross", {"fast": (390.0, 400.0)}, {"slow": 3.0}) == (
        {"fast": (390.0, 400.0)}, "no trial of fast 390 to 400 with slow 3 keeps fast below slow, and no region near "
                                  "it does within their allowed ranges: sweep fast below 3 or slow above 390")
