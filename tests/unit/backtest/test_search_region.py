"""The next region of a sweep: around the best trial by rule, or an advisor's checked suggestion."""
from trading.backtest.search_region import around_best, next_region, region_arguments
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
