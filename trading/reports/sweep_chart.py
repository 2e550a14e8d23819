"""The score surface of a sweep: out-of-sample return over the two swept parameters (or along the one).

A grid fills its heat map; a TPE search (or a second round between the grid's values) tries a scatter of
points, drawn as such, coloured by score, so no cell is invented between the trials.
"""
from __future__ import annotations

import numpy as np

from trading.backtest.sweep_report import SweepSummary
from trading.domain.figures import signed
from trading.reports.chart_theme import FONT, new_figure, set_title, style_axes, theme_named, to_png

HEIGHT_PX = 1300


def sweep_chart(summary: SweepSummary, theme_name: str = "dark") -> bytes:
    """Return a PNG: a heat map of the best score for each pair of values of the first two swept parameters."""
    theme = theme_named(theme_name)
    figure = new_figure(theme, HEIGHT_PX)
    axes = figure.add_axes((0.16, 0.1, 0.66, 0.72))
    style_axes(axes, theme)
    varied = [name for name, values in summary.space.items() if len(values) > 1] or list(summary.space)
    scores = {r.index: r.score for r in summary.results}
    if len(varied) == 1:
        _line(axes, summary, varied[0], scores, theme)
    elif _filled(summary, varied[0], varied[1]):
        _heat_map(figure, axes, summary, varied[0], varied[1], scores, theme)
    else:
        _scatter(figure, axes, summary, varied[0], varied[1], scores, theme)
    set_title(figure, theme, f"Sweep: strategy {summary.strategy}",
              f"{summary.symbol} · out-of-sample return by parameters · {len(summary.results)} trials")
    return to_png(figure)


def _best_by(summary: SweepSummary, names: tuple[str, ...], scores: dict[int, float]) -> dict[tuple, float]:
    """Return the best score for each combination of the named parameters' values (others at their best)."""
    best: dict[tuple, float] = {}
    for r in summary.results:
        params = dict(r.params)
        key = tuple(params[n] for n in names)
        best[key] = max(best.get(key, -np.inf), scores[r.index])
    return best


def _filled(summary: SweepSummary, x: str, y: str) -> bool:
    """Return True when the trials cover at least half the cells of the grid of the values they tried."""
    pairs = {(dict(r.params).get(x), dict(r.params).get(y)) for r in summary.results}
    xs, ys = {a for a, _ in pairs}, {b for _, b in pairs}
    return len(pairs) * 2 >= len(xs) * len(ys)


def _scatter(figure, axes, summary: SweepSummary, x: str, y: str, scores: dict[int, float], theme) -> None:
    best = _best_by(summary, (x, y), scores)
    values = np.array(list(best.values()))
    limit = max(float(np.abs(values).max()) if values.size else 0.0, 0.1)
    image = axes.scatter([k[0] for k in best], [k[1] for k in best], c=values, cmap="RdYlGn", vmin=-limit,
                         vmax=limit, s=160, edgecolors=theme.muted)
    axes.set_xlabel(x, color=theme.muted, fontsize=FONT)
    axes.set_ylabel(y, color=theme.muted, fontsize=FONT)
    bar = figure.colorbar(image, ax=axes, fraction=0.05)
    bar.ax.tick_params(colors=theme.muted)


def _line(axes, summary: SweepSummary, name: str, scores: dict[int, float], theme) -> None:
    best = _best_by(summary, (name,), scores)
    xs = sorted(k[0] for k in best)
    axes.plot(xs, [best[(x,)] for x in xs], color=theme.line, linewidth=3, marker="o")
    axes.axhline(0, color=theme.muted, linewidth=1)
    axes.set_xlabel(name, color=theme.muted, fontsize=FONT)
    axes.yaxis.set_major_formatter(lambda v, _: signed(v, 1, '%'))


def _heat_map(figure, axes, summary: SweepSummary, x: str, y: str, scores: dict[int, float], theme) -> None:
    best = _best_by(summary, (x, y), scores)
    xs, ys = sorted({k[0] for k in best}), sorted({k[1] for k in best})
    grid = np.array([[best.get((a, b), np.nan) for a in xs] for b in ys])
    limit = max(float(np.nanmax(np.abs(grid))) if np.isfinite(grid).any() else 0.0, 0.1)
    image = axes.imshow(grid, cmap="RdYlGn", vmin=-limit, vmax=limit, aspect="auto", origin="lower")
    axes.grid(False)
    axes.yaxis.tick_left()
    axes.set_xticks(range(len(xs)), [f"{v:g}" for v in xs])
    axes.set_yticks(range(len(ys)), [f"{v:g}" for v in ys])
    axes.set_xlabel(x, color=theme.muted, fontsize=FONT)
    axes.set_ylabel(y, color=theme.muted, fontsize=FONT)
    if grid.size <= 64:
        for (row, col), value in np.ndenumerate(grid):
            if np.isfinite(value):
                axes.text(col, row, signed(value, 1, '%'), ha="center", va="center", fontsize=FONT * 0.7, color="black")
    bar = figure.colorbar(image, ax=axes, fraction=0.05)
    bar.ax.tick_params(colors=theme.muted)
