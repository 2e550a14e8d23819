import re

import pytest

from trading.backtest.sweep import parse_param, sweep_space
from trading.services.sweeps import listing_text


def test_the_empty_listing_suggests_a_sweep_that_runs():
    text = listing_text([])
    command = re.search(r"--strategy (\S+) --param (\S+)", text)
    assert command is not None, text
    # before: it suggested --param left=3,5,8, and strategy C has no parameter 'left'
    assert sweep_space(command[1], [command[2]]) == {"sweep_lookback": (8, 12, 16)}
    assert "/optimize C" in text


def test_a_malformed_param_is_shown_examples_that_parse_for_strategy_c():
    with pytest.raises(ValueError) as raised:
        parse_param("sweep_lookback")
    examples = re.findall(r"(\w+=[\d.,:]+)", str(raised.value))
    assert len(examples) == 2
    assert set(sweep_space("C", examples)) == {"rules_min_rr", "sweep_lookback"}
