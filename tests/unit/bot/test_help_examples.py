"""/help COMMAND's usage and examples say what the command really accepts."""
from bot.commands import COMMANDS
from bot.views.about import EXAMPLES
from trading.backtest.periods import parse_period
from trading.backtest.strategy_specs import spec_named
from trading.services.divergence_report import parse_days
from trading.services.sweeps import sweeps_request
from trading.strategies.parameter_space import parsed_value

NOW = 1_753_142_400_000          # 2025-07-22, the demo's clock
USAGE = {c.name: c.usage for c in COMMANDS}


def test_the_backtest_commands_show_the_date_range_they_take():
    # before: /help backtest said [30d] only; a range FROM..TO works for all three
    for name in ("backtest", "evaluate", "optimize"):
        assert "FROM..TO]" in USAGE[name], USAGE[name]
    assert "older ID" in USAGE["sweeps"] and USAGE["divergence"] == "/divergence [DAYS]"


def test_every_backtest_sweeps_divergence_and_params_example_is_accepted():
    for example in EXAMPLES["backtest"] + EXAMPLES["evaluate"] + EXAMPLES["optimize"]:
        words = example.split()[1:]
        spec_named(words[0])
        if len(words) == 3:
            parse_period(words[2], NOW)
    for example in EXAMPLES["sweeps"]:
        sweeps_request(example.split()[1:])
    for example in EXAMPLES["divergence"]:
        parse_days(example.split()[1:])
    for example in EXAMPLES["params"]:
        words = example.split()[1:]
        space = spec_named(words[0]).tunable()
        if len(words) == 3:
            parsed_value(space[words[1]], words[2])


def test_the_exit_commands_say_their_amount_is_in_the_coin_and_the_entries_in_usdt():
    # before: /sell SYMBOL [AMOUNT|PCT%|all] beside /buy SYMBOL USDT, with nothing saying AMOUNT is in BTC
    summary = {c.name: c.summary for c in COMMANDS}
    for name in ("sell", "cover"):
        assert "AMOUNT in the coin (BTC), not USDT" in summary[name], summary[name]
    assert "USDT" in USAGE["buy"] and "USDT" in USAGE["short"]
