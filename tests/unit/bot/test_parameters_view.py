from bot.views.parameters import table_text
from trading.services.strategy_parameters import ParameterRow, ParameterTable
from trading.strategies.parameter_space import Parameter

LOOKBACK = Parameter("sweep_lookback", True, 16, 1, 500)


def test_the_tuned_legend_shows_only_when_a_parameter_is_tuned():
    # before: "✏️ tuned (...)" explained a mark that no line carried
    untouched = table_text(ParameterTable("C", (ParameterRow(LOOKBACK, 16, False),)))
    tuned = table_text(ParameterTable("C", (ParameterRow(LOOKBACK, 8, True),)))
    assert "✏️" not in untouched and "rules_min_rr: the minimum reward:risk" in untouched
    assert "= 8 (default 16, 1..500) ✏️" in tuned and "✏️ tuned (an applied /optimize proposal or /params)" in tuned
