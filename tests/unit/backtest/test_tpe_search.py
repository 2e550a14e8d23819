"""TPE search: the same seed asks for the same trials, however the batches are run; only distinct trials."""
import random

import pytest

from trading.backtest.sweep import TrialResult
from trading.backtest.sweep_search import SearchPlan, search_plan
from trading.backtest.tpe_search import distinct_trials, tpe_search

SPACE = {"left": tuple(float(v) for v in range(2, 21)), "rr": (1.5, 2.0, 2.5, 3.0), "age": (24.0, 48.0, 96.0)}


def score(params: dict[str, float]) -> float:
    """A made-up surface with its peak at left 12, rr 2.5 (age 48 a little better)."""
    return 10 - (params["left"] - 12) ** 2 / 4 - 8 * (params["rr"] - 2.5) ** 2 + (params["age"] == 48.0)


class Evaluator:
    """Scores batches like a runner would, remembering each batch; results come back in a shuffled order."""

    def __init__(self, shuffle_seed: int | None = None) -> None:
        self.batches: list[list[int]] = []
        self._rng = random.Random(shuffle_seed) if shuffle_seed is not None else None

    def __call__(self, batch):
        self.batches.append([index for index, _ in batch])
        results = [TrialResult(index, tuple(sorted(p.items())), (0.0,), (score(p),), 1) for index, p in batch]
        if self._rng is not None:
            self._rng.shuffle(results)          # a pool or a cluster finishes in any order
        return results


def test_the_same_seed_gives_the_same_trials_whatever_order_a_batch_comes_back_in():
    first = tpe_search(SPACE, 40, seed=7, evaluate=Evaluator(), batch=8).results
    again = tpe_search(SPACE, 40, seed=7, evaluate=Evaluator(shuffle_seed=3), batch=8).results
    other = tpe_search(SPACE, 40, seed=8, evaluate=Evaluator(), batch=8).results

    assert first == again
    assert [r.params for r in other] != [r.params for r in first]


def test_trials_are_distinct_numbered_in_order_and_asked_a_batch_at_a_time():
    evaluator = Evaluator()
    results = tpe_search(SPACE, 40, seed=1, evaluate=evaluator, batch=8).results

    assert [r.index for r in results] == list(range(40))
    assert len({r.params for r in results}) == 40
    assert all(len(b) <= 8 for b in evaluator.batches) and sum(map(len, evaluator.batches)) == 40
    assert all(dict(r.params)["left"] in SPACE["left"] and dict(r.params)["rr"] in SPACE["rr"] for r in results)


def test_tpe_finds_a_better_region_than_its_random_start():
    results = tpe_search(SPACE, 48, seed=3, evaluate=Evaluator(), batch=8).results
    start, later = results[:16], results[16:]
    # the first 16 asks are TPE's random start-up (mean -1.3 here); the later ones lean towards the peak (6.4)
    assert sum(r.score for r in later) / len(later) > sum(r.score for r in start) / len(start) + 5


def test_a_range_on_steps_comes_back_rounded_like_the_grid():
    results = tpe_search({"min_gap": (0.1, 0.2, 0.3, 0.4, 0.5)}, 5, seed=0,
                         evaluate=lambda b: [TrialResult(i, tuple(p.items()), (0.0,), (p["min_gap"],), 1)
                                             for i, p in b]).results
    assert sorted(dict(r.params)["min_gap"] for r in results) == [0.1, 0.2, 0.3, 0.4, 0.5]


@pytest.mark.parametrize("kind, trials, batch, message", [
    ("tpe", 0, 16, "--trials 0: use a number from 1 to 5,000"),
    ("tpe", None, 16, "--search tpe needs --trials N"),
    ("tpe", 500, 16, "--trials 500: the space holds only 228 distinct trials"),
    ("tpe", 10, 0, "--batch 0: use a number from 1 to 256"),
    ("grid", 10, 16, "--trials is for --search tpe; the grid runs all its 228 points"),
    ("random", None, 16, "--search 'random' is not a search; use grid or tpe"),
])
def test_a_bad_plan_says_what_to_type_instead(kind, trials, batch, message):
    with pytest.raises(ValueError, match="^" + message.replace("(", r"\(").replace(")", r"\)")):
        search_plan(SPACE, kind, trials, 0, batch)


def test_a_plan_that_fits_is_kept():
    assert distinct_trials(SPACE) == 19 * 4 * 3
    assert search_plan(SPACE) == SearchPlan()
    assert search_plan(SPACE, "tpe", 50, 3, 8) == SearchPlan("tpe", 50, 3, 8)
    big = {"a": tuple(float(v) for v in range(100)), "b": tuple(float(v) for v in range(100))}
    with pytest.raises(ValueError, match="the grid holds 10,000 trials, more than 5,000; use fewer values or "
                                         "--search tpe --trials N"):
        search_plan(big)
    assert search_plan(big, "tpe", 200).trials == 200            # TPE searches spaces a grid cannot run


def test_the_bot_and_a_grid_sweep_never_load_optuna():
    import subprocess
    import sys

    code = ("import sys, bot.app, bot.cli, trading.bootstrap, trading.backtest.jobs, trading.backtest.sweep_search; "
            "print('optuna' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
