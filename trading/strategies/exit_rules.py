"""Each strategy's own exit rules: the defaults it declares over the shared ones, which the settings override.

A strategy whose target is a liquidity pool (A, B, C) lets the whole position run to that target: a
partial exit at 1R halves the trades that reach it, and with round-trip costs of about 0.4R on these
stops a half at 1R nets little. It keeps the break-even stop at 1R (the entry plus the cost of closing).
The trend strategy, with its fixed 2R target, does the same. A setting the operator sets explicitly in
the environment (PARTIAL_TAKE_PROFIT_R=1, say) wins over every strategy's default.
"""
from __future__ import annotations

from dataclasses import fields, replace
from decimal import Decimal
from typing import Any, Iterable, Mapping, get_args, get_type_hints

from trading.risk.protective_stops import ProtectionSettings

ExitDefaults = Mapping[str, Decimal | None]

TARGET_RUNS: ExitDefaults = {"partial_take_profit_r": None, "break_even_r": Decimal(1), "trailing_activation_r": None,
                             "trailing_activation_pct": None}
RULE_NAMES = frozenset(f.name for f in fields(ProtectionSettings))
# the rules None switches off; the others (the trail's callbacks, the partial's fraction) always hold a number
OPTIONAL_RULES = frozenset(name for name, hint in get_type_hints(ProtectionSettings).items()
                           if type(None) in get_args(hint))


def declared_exits(strategies: Iterable[Any]) -> dict[str, ExitDefaults]:
    """Return the exit defaults the strategies declare (an `exit_rules` attribute), by strategy name."""
    return {s.name: s.exit_rules for s in strategies if hasattr(s, "exit_rules")}


def strategy_protection(shared: ProtectionSettings, declared: Mapping[str, ExitDefaults],
                        overridden: Iterable[str] = ()) -> dict[str, ProtectionSettings]:
    """Return each declaring strategy's exit rules: its defaults over shared, except the rules set explicitly."""
    kept = set(overridden) & RULE_NAMES
    return {name: replace(shared, **{k: v for k, v in _checked(name, defaults).items() if k not in kept})
            for name, defaults in declared.items()}


def _checked(strategy: str, defaults: ExitDefaults) -> dict[str, Any]:
    """Return the rules a strategy declares, or raise ValueError naming one unknown or switched off without an off."""
    for rule, value in defaults.items():
        if rule not in RULE_NAMES:
            raise ValueError(f"strategy {strategy} declares an unknown exit rule {rule!r}")
        if value is None and rule not in OPTIONAL_RULES:
            raise ValueError(f"strategy {strategy} switches off {rule}, which needs a number")
    return dict(defaults)      # checked above: every value fits its ProtectionSettings field


def describe_exits(rules: ProtectionSettings) -> str:
    """Return the exit rules in a few words for a report header."""
    parts = []
    if rules.partial_take_profit_r is not None:
        parts.append(f"partial {rules.partial_take_profit_fraction:%} at {rules.partial_take_profit_r}R"
                     .replace(".000000%", "%"))
    if rules.break_even_r is not None:
        parts.append(f"break-even (+costs) at {rules.break_even_r}R")
    if rules.trailing_activation_r is not None:
        parts.append(f"trail {rules.trailing_callback_r}R behind from {rules.trailing_activation_r}R")
    elif rules.trailing_activation_pct is not None:
        parts.append(f"trail {rules.trailing_callback_pct}% behind from +{rules.trailing_activation_pct}%")
    if rules.hard_stop_pct is not None:
        parts.append(f"hard stop {rules.hard_stop_pct}%")
    return ", ".join(parts) or "the strategy's own exits only"
