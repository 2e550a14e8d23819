import pytest

from trading.backtest.walkforward import (WalkForwardWindow, parameter_grid, walk_forward,
                                          walk_forward_windows)


def test_windows_roll_so_that_test_windows_follow_their_training_and_never_overlap():
    windows = walk_forward_windows(100, in_sample=30, out_of_sample=10)

    assert windows[0] == WalkForwardWindow(0, 30, 30, 40)
    assert windows[-1] == WalkForwardWindow(60, 90, 90, 100)
    assert len(windows) == 7
    for earlier, later in zip(windows, windows[1:]):
        assert earlier.out_end <= later.out_start
    assert all(w.in_end <= w.out_start for w in windows)


def test_incomplete_last_fold_is_left_out():
    assert walk_forward_windows(45, in_sample=30, out_of_sample=10)[-1].out_end == 40


def test_a_step_shorter_than_the_test_window_is_refused():
    with pytest.raises(ValueError, match="overlap"):
        walk_forward_windows(100, in_sample=30, out_of_sample=10, step=5)


def test_grid_lists_every_combination_in_order():
    assert parameter_grid({"fast": [5, 10], "slow": [20]}) == [{"fast": 5, "slow": 20}, {"fast": 10, "slow": 20}]


def count_matches(data):
    """Return an evaluator scoring parameter k by how many bars in [start, end) equal k."""
    calls = []

    def evaluate(params, start, end):
        calls.append((params["k"], start, end))
        return sum(1 for x in data[start:end] if x == params["k"])

    return evaluate, calls


def test_parameters_are_chosen_in_sample_and_reported_out_of_sample_only():
    # folds train on 0-20 (all 1s), 10-30 (tie, first wins), 20-40 (all 2s), 30-50 (tie) and test on
    # the next 10 bars; a k chosen on 1s scores 0 on the 2s of bars 20-39
    data = [1] * 20 + [2] * 20 + [1] * 20
    evaluate, calls = count_matches(data)
    windows = walk_forward_windows(len(data), in_sample=20, out_of_sample=10)

    report = walk_forward(windows, {"k": [1, 2]}, evaluate, score=float)

    assert [fold.params["k"] for fold in report.folds] == [1, 1, 2, 1]
    assert report.out_of_sample == [0, 0, 0, 10]
    tested = [(start, end) for k, start, end in calls if (start, end) in
              {(w.out_start, w.out_end) for w in windows}]
    assert tested == [(w.out_start, w.out_end) for w in windows]     # once each, with the chosen k


def test_changing_data_from_a_test_window_on_never_changes_the_parameters_chosen_for_it():
    data = [1, 2, 2, 1, 2, 1, 1, 1, 2, 2] * 6
    windows = walk_forward_windows(len(data), in_sample=15, out_of_sample=5)
    chosen = [f.params for f in walk_forward(windows, {"k": [1, 2]}, count_matches(data)[0], float).folds]

    for i, window in enumerate(windows):
        future_flipped = data[:window.out_start] + [3 - x for x in data[window.out_start:]]
        evaluate = count_matches(future_flipped)[0]
        again = walk_forward(windows, {"k": [1, 2]}, evaluate, float).folds[i]
        assert again.params == chosen[i]
