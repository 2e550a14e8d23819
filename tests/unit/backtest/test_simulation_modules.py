"""The backtest's simulation stays split in two modules: the walk over time, and the orders it leads to."""
from __future__ import annotations

import ast
from pathlib import Path

BACKTEST = Path(__file__).resolve().parents[3] / "trading" / "backtest"


def _imports(module: str) -> set[str]:
    tree = ast.parse((BACKTEST / f"{module}.py").read_text())
    return {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}


def test_the_walk_and_the_orders_are_modules_under_300_lines():
    sizes = {name: len((BACKTEST / f"{name}.py").read_text().splitlines())
             for name in ("simulation", "trade_execution")}
    assert all(lines < 300 for lines in sizes.values()), sizes


def test_the_orders_never_import_the_walk():
    assert "trading.backtest.trade_execution" in _imports("simulation")
    assert not {m for m in _imports("trade_execution") if m.startswith("trading.backtest.simulation")}
