"""A strategy's parameter space: the one way parameters are written, and the relations between them."""
import re
from pathlib import Path

from trading.strategies.ema_cross import EmaCrossParams
from trading.strategies.parameter_space import broken_relation, parameter_space, params_text, relations

ROOT = Path(__file__).resolve().parents[3]


def test_params_text_writes_name_value_words_in_the_order_given():
    assert params_text({"fast": 9, "slow": 21.0, "min_gap": 0.30000000000000004}) == "fast=9 slow=21 min_gap=0.3"
    assert params_text((("a", 1.5), ("b", 2.0)), ", ") == "a=1.5, b=2"
    assert params_text({}) == ""


def test_parameters_are_written_by_params_text_only():
    # the one-line 'k=v' formatter once stood in eight places; a copy drifts (one sorted, one used ', ')
    copy = re.compile(r"""join\(f["']\{\w+\}=\{\w+:g\}["'] for""")
    found = [str(path.relative_to(ROOT)) for folder in ("trading", "bot") for path in (ROOT / folder).rglob("*.py")
             if copy.search(path.read_text()) and path.name != "parameter_space.py"]
    assert found == []


def test_a_relation_is_named_with_the_values_that_break_it():
    space = parameter_space(EmaCrossParams())
    assert relations(space) == [("fast", "slow")]
    assert broken_relation(space, {"fast": 30, "slow": 21}) == "fast (30) must stay below slow (21)"
    assert broken_relation(space, {"fast": 20, "slow": 21}) is None
