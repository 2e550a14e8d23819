"""The next region of a sweep: around the best trial by rule, or an advisor's checked suggestion."""
from trading.backtest.search_region import around_best, next_region, region_arguments, region_hint, rule_region
from trading.backtest.sweep import TrialResult
from trading.backtest.sweep_report import SweepSummary

SPACE = {"left": (3.0, 5.0, 8.0), "rr": (1.5, 2.5)}


def summary(best_left: float, best_rr: float) -> SweepSummary:
    results = []
    for index, (left, rr) in enumerate((a, b) for a in SPACE["left"] for b in SPACE["rr"]):
        score = 5.0 if (left, rr) == (best_left, best_rr) else -1.0
        results.append(TrialResult(index, (("left", left), ("rr", rr)), (0.0,), (score,), 3))
    return SweepSummary("C", "BTC/USDT", SPACE, tuple(results), 0.0, (), None, None, 1, 0, 1)


def test_the_rule_searches_between_the_neighbours_of_the_best_value():
    # best left 5 -> between 3 and 8 at five points; best rr 2.5 (the top) -> between 1.5 and 2.5
    assert around_best(summary(5.0, 2.5)) == {"left": (3.0, 4.25, 5.5, 6.75, 8.0),
                                              "rr": (1.5, 1.75, 2.0, 2.25, 2.5)}
    assert region_arguments({"left": (3.0, 4.25), "rr": (2.0,)}) == "--param left=3,4.25 --param rr=2"


def test_an_advisor_is_used_when_its_grid_is_sound_and_the_rule_otherwise():
    done = summary(3.0, 1.5)
    seen = []

    def advisor(results):
        seen.append(results)
        return {"left": [2, 3, 4]}

    assert next_region(done, advisor) == ({"left": (2.0, 3.0, 4.0)}, "advisor")
    assert seen[0]["strategy"] == "C" and len(seen[0]["trials"]) == 6
    region, why = next_region(done, lambda _: {"nope": [1]})
    assert region == around_best(done) and why == "rule (the advisor's grid was refused: unknown parameter 'nope')"
    region, why = next_region(done, lambda _: 1 / 0)
    assert why == "rule (the advisor failed: ZeroDivisionError)"
    assert next_region(done)[1] == "rule"


def c_summary(lookbacks: tuple[float, ...], best: float) -> SweepSummary:
    results = tuple(TrialResult(k, (("sweep_lookback", v),), (0.0,), (5.0 if v == best else -1.0,), 3)
                    for k, v in enumerate(lookbacks))
    return SweepSummary("C", "BTC/USDT", {"sweep_lookback": lookbacks}, results, 0.0, (), None, None, 1, 0, 1)


def test_the_rule_keeps_a_bar_count_whole():
    # linspace(3, 5, 5) is 3, 3.5, 4, 4.5, 5: C counts sweep_lookback in bars, so 3, 4, 5 are searched
    assert around_best(c_summary((3.0, 4.0, 5.0), 4.0)) == {"sweep_lookback": (3.0, 4.0, 5.0)}


def test_an_advisor_region_the_strategy_would_refuse_falls_back_to_the_rule():
    done = c_summary((4.0, 8.0, 16.0), 8.0)
    region, why = next_region(done, lambda _: {"sweep_lookback": [6.5, 7]})
    assert region == around_best(done)
    assert why == "rule (the advisor's grid was refused: sweep_lookback takes whole numbers)"
    region, why = next_region(done, lambda _: {"sweep_lookback": [0, 2]})
    assert why == "rule (the advisor's grid was refused: sweep_lookback outside its allowed 1 to 500)"
    assert next_region(done, lambda _: {"sweep_lookback": [6, 7]}) == ({"sweep_lookback": (6.0, 7.0)}, "advisor")


def test_a_best_trial_off_the_grid_is_searched_around_where_it_lies():
    # /optimize's trial 0 holds the current parameters, which need not be grid values: left 7 lies between 5 and 8
    off = TrialResult(6, (("left", 7.0), ("rr", 2.5)), (0.0,), (9.0,), 3)
    done = summary(3.0, 1.5)
    done = SweepSummary("C", "BTC/USDT", SPACE, done.results + (off,), 0.0, (), None, None, 1, 0, 1)
    assert around_best(done) == {"left": (5.0, 5.75, 6.5, 7.25, 8.0), "rr": (1.5, 1.75, 2.0, 2.25, 2.5)}


def ema_summary(space: dict, best: dict) -> SweepSummary:
    trial = TrialResult(0, tuple(sorted(best.items())), (0.0,), (5.0,), 3)
    return SweepSummary("ema_cross", "BTC/USDT", space, (trial,), 0.0, (), None, None, 1, 0, 1)


def test_the_rule_drops_the_values_no_trial_of_its_region_can_run_with():
    # best fast 30, slow 35: fast 20..40 and slow 25..35; fast 35 and 40 have no slow above them
    done = ema_summary({"fast": (10.0, 20.0, 30.0, 40.0), "slow": (15.0, 25.0, 35.0)}, {"fast": 30.0, "slow": 35.0})
    assert rule_region(done) == ({"fast": (20.0, 25.0, 30.0), "slow": (25.0, 28.0, 30.0, 32.0, 35.0)},
                                 "clipped to keep fast below slow: fast 35, 40 dropped")
    assert next_region(done)[1] == "rule (clipped to keep fast below slow: fast 35, 40 dropped)"
    assert region_hint(done) == ("--param fast=20,25,30 --param slow=25,28,30,32,35 (clipped to keep fast below "
                                 "slow: fast 35, 40 dropped)")


def test_a_rule_region_wholly_outside_the_relation_says_so_and_moves_to_the_nearest_that_keeps_it():
    # a sweep stored before relations were kept: its best (fast 50, slow 25) broke fast < slow, and the rule's
    # region around it (fast 40..60, slow 20..30) holds no trial that keeps it; slow moved up by
    # max(60 - 30, 40 - 20) + 1 = 31 gives every fast a slow above it and every slow a fast below it
    done = ema_summary({"fast": (40.0, 50.0, 60.0), "slow": (20.0, 25.0, 30.0)}, {"fast": 50.0, "slow": 25.0})
    region, why = next_region(done)
    assert region == {"fast": (40.0, 45.0, 50.0, 55.0, 60.0), "slow": (51.0, 53.0, 56.0, 59.0, 61.0)}
    said = ("no trial of fast 40 to 60 with slow 20 to 30 keeps fast below slow: the nearest region that does moves "
            "slow up by 31")
    assert why == f"rule ({said})"
    assert region_hint(done) == f"--param fast=40,45,50,55,60 --param slow=51,53,56,59,61 ({said})"
