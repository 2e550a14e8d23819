"""No import cycles: trading/ imports nothing back at import time, and the ccxt broker and the ccxt_* modules it
delegates to do not import each other in a cycle even for type checking. Read from the sources with ast."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TRADING = ROOT / "trading"


def _modules() -> dict[str, Path]:
    found = {}
    for path in TRADING.rglob("*.py"):
        name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        found[name.removesuffix(".__init__")] = path
    return found


def _type_checking(node: ast.stmt) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def _imported(statements: list[ast.stmt], known: set[str], typing_too: bool) -> set[str]:
    """Return the modules of known that module-level statements import (inside `if TYPE_CHECKING:` when asked)."""
    found: set[str] = set()
    for node in statements:
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found |= {m for m in [node.module, *(f"{node.module}.{a.name}" for a in node.names)] if m in known}
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name in known}
        elif isinstance(node, (ast.If, ast.Try)) and (typing_too or not _type_checking(node)):
            branches = [node.body, node.orelse] + [h.body for h in getattr(node, "handlers", [])]
            found |= {m for branch in branches for m in _imported(branch, known, typing_too)}
    return found


def import_graph(typing_too: bool) -> dict[str, set[str]]:
    """Return, for every module of trading/, the modules of trading/ it imports at module level."""
    modules = _modules()
    known = set(modules)
    return {name: _imported(ast.parse(path.read_text()).body, known, typing_too) - {name}
            for name, path in modules.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Return the groups of modules that import each other in a cycle (strongly connected, more than one)."""
    order: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(start: str) -> None:       # iterative Tarjan: no recursion limit on a long chain of imports
        work = [(start, iter(sorted(graph[start])))]
        order[start] = low[start] = len(order)
        stack.append(start)
        while work:
            node, targets = work[-1]
            nxt = next((t for t in targets if t in graph), None)
            if nxt is not None:
                if nxt not in order:
                    order[nxt] = low[nxt] = len(order)
                    stack.append(nxt)
                    work.append((nxt, iter(sorted(graph[nxt]))))
                elif nxt in stack:
                    low[node] = min(low[node], order[nxt])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == order[node]:
                group = []
                while True:
                    member = stack.pop()
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    found.append(sorted(group))

    for module in sorted(graph):
        if module not in order:
            visit(module)
    return found


def test_the_cycle_finder_finds_a_cycle_and_only_it():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}

    assert cycles(graph) == [["a", "b", "c"]]


def test_no_module_of_trading_imports_another_that_imports_it_back_at_import_time():
    graph = import_graph(typing_too=False)

    assert {"trading.services.order_placement", "trading.services.order_legs"} <= graph["trading.services.portfolio"]
    assert cycles(graph) == []


def test_the_ccxt_broker_and_its_ccxt_modules_import_each_other_in_no_cycle_even_for_type_checking():
    graph = import_graph(typing_too=True)
    ccxt = {m: {d for d in deps if d.startswith("trading.adapters.ccxt_")} for m, deps in graph.items()
            if m.startswith("trading.adapters.ccxt_")}

    assert "trading.adapters.ccxt_placement" in ccxt["trading.adapters.ccxt_broker"]      # it does delegate
    assert cycles(ccxt) == []
    assert not any("trading.adapters.ccxt_broker" in deps for m, deps in ccxt.items())


def test_the_split_modules_stay_under_300_lines():
    split = ["adapters/ccxt_broker.py", "adapters/ccxt_placement.py", "services/portfolio.py",
             "services/portfolio_views.py", "services/order_legs.py", "services/order_placement.py",
             "services/order_outcomes.py"]
    sizes = {name: len((TRADING / name).read_text().splitlines()) for name in split}

    assert all(lines < 300 for lines in sizes.values()), sizes
