"""What each exit rule contributed: how often it closed a part of a trade and what those parts netted.

A trade that took a partial profit and was then stopped at break-even counts once under each rule, with
the net result of the part that rule closed (its move, its exit fee and its share of the entry fee), so
the rules' results add up to the trades' results less funding. Results in R divide by the trade's 1R.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Sequence

from trading.backtest.trades import ClosedTrade

ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class ExitRuleResult:
    """The parts of trades one exit rule closed."""

    rule: str
    exits: int
    pnl: Decimal
    r_total: Decimal | None          # None when no trade it closed had a stop

    @property
    def average_r(self) -> Decimal | None:
        """Return the average result in R of the parts this rule closed."""
        return None if self.r_total is None or not self.exits else self.r_total / self.exits


def exit_breakdown(trades: Sequence[ClosedTrade]) -> list[ExitRuleResult]:
    """Return each exit rule's count and net result over the trades, the most frequent first."""
    counts: dict[str, int] = defaultdict(int)
    pnl: dict[str, Decimal] = defaultdict(lambda: ZERO)
    in_r: dict[str, Decimal] = {}
    for trade in trades:
        legs = trade.exit_legs or ((trade.exit_reason or "unknown", trade.pnl),)
        for rule, result in legs:
            counts[rule] += 1
            pnl[rule] += result
            if trade.initial_risk:
                in_r[rule] = in_r.get(rule, ZERO) + result / trade.initial_risk
    rows = [ExitRuleResult(rule, counts[rule], pnl[rule], in_r.get(rule)) for rule in counts]
    return sorted(rows, key=lambda row: (-row.exits, row.rule))


def exit_breakdown_text(trades: Sequence[ClosedTrade]) -> str:
    """Return the per-exit-rule lines of a report ('' without trades)."""
    rows = exit_breakdown(trades)
    if not rows:
        return ""
    lines = ["Exits by rule (count, net, average R):"]
    for row in rows:
        average = f"{row.average_r:+.2f}R" if row.average_r is not None else "-"
        lines.append(f"  {row.rule.replace('_', ' '):<20}{row.exits:>4} {row.pnl:>+11,.2f} {average:>7}")
    return "\n".join(lines)
