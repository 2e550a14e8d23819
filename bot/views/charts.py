"""Rendering of /chart's caption."""
from __future__ import annotations

from bot.views import esc, price
from trading.domain.figures import signed
from trading.services.charts import PriceChart


def chart_caption(chart: PriceChart) -> str:
    """Return /chart's caption: market, last price and change, and what is drawn."""
    return (f"<b>{esc(chart.symbol)} {chart.timeframe}</b> · last {price(chart.last_price)} "
            f"({signed(chart.change_pct, 2, '%')} over the chart) · {chart.zones} zones, "
            f"{chart.levels} liquidity levels, {chart.trades} of the bot's entries and exits")
