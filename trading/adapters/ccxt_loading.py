"""Import only the ccxt exchange classes in use: `import ccxt` otherwise loads every exchange (~55 MB more).

ccxt's packages (`ccxt`, `ccxt.async_support`, `ccxt.pro`) import each of their ~100 exchange modules in their
`__init__`. The finder below runs those `__init__` files without the lines that import an exchange (a line
`from ccxt.<package>.<id> import <id>`), and gives each package a module `__getattr__` that imports an exchange
the first time it is asked for: `ccxt.async_support.binance` is the class, as before (also once another module
imported `ccxt.async_support.binance` itself), and the errors, the base
Exchange, `exchanges` and the rest of each package are ccxt's own. Installed by trading/adapters/__init__.py,
before any adapter imports ccxt; should a future ccxt lay its `__init__` out differently, nothing is dropped and
the packages load whole, as without it.
"""
from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import re
import sys
from types import ModuleType
from typing import Any, Sequence

PACKAGES = ("ccxt", "ccxt.async_support", "ccxt.pro")
_EXCHANGE_IMPORT = re.compile(r"^from (ccxt(?:\.async_support|\.pro)?)\.(\w+) import (\w+)\s*(#.*)?$")


def without_exchanges(source: str, package: str) -> tuple[str, frozenset[str]]:
    """Return a package's __init__ source without its exchange imports, and the exchange ids it left out."""
    kept, left_out = [], set()
    for line in source.splitlines():
        found = _EXCHANGE_IMPORT.match(line)
        if found and found.group(1) == package and found.group(2) == found.group(3):
            left_out.add(found.group(2))
            continue
        kept.append(line)
    return "\n".join(kept) + "\n", frozenset(left_out)


class _ExchangePackage(ModuleType):
    """A ccxt package whose exchange attributes are always the exchange classes, never their modules."""

    def __getattr__(self, name: str) -> Any:
        if name not in type(self)._lazy_of(self):
            raise AttributeError(f"module {self.__name__!r} has no attribute {name!r}")
        importlib.import_module(f"{self.__name__}.{name}")    # binds the class, through __setattr__ below
        return self.__dict__[name]

    def __setattr__(self, name: str, value: Any) -> None:
        # importing ccxt.pro.binanceusdm imports ccxt.async_support.binanceusdm, and the import system then binds
        # the module to the package; ccxt's own __init__ would have bound the class
        if isinstance(value, ModuleType) and name in self._lazy_of(self):
            value = getattr(value, name, value)
        super().__setattr__(name, value)

    @staticmethod
    def _lazy_of(module: ModuleType) -> frozenset[str]:
        return module.__dict__.get("_lean_exchanges", frozenset())


class _LeanPackage(importlib.abc.Loader):
    """Runs a ccxt package's __init__ without its exchange imports; exchanges are imported when asked for."""

    def __init__(self, origin: str) -> None:
        self._origin = origin

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return None

    def exec_module(self, module: ModuleType) -> None:
        with open(self._origin, encoding="utf-8") as handle:
            source, lazy = without_exchanges(handle.read(), module.__name__)
        module.__class__ = _ExchangePackage
        module.__dict__["_lean_exchanges"] = lazy
        exec(compile(source, self._origin, "exec"), module.__dict__)     # ccxt's own code, as `import` would run it


class LeanCcxtFinder(importlib.abc.MetaPathFinder):
    """Finds ccxt's packages as usual, and loads them lean."""

    def find_spec(self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
                  ) -> importlib.machinery.ModuleSpec | None:
        if fullname not in PACKAGES:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.origin is None or not spec.origin.endswith("__init__.py"):
            return None
        spec.loader = _LeanPackage(spec.origin)
        return spec


def install() -> None:
    """Load ccxt lean from now on (a no-op when it is installed already or ccxt is imported already)."""
    if "ccxt" in sys.modules or any(isinstance(f, LeanCcxtFinder) for f in sys.meta_path):
        return
    sys.meta_path.insert(0, LeanCcxtFinder())


def exchange_class(exchange_id: str, streaming: bool = False) -> type:
    """Return ccxt's async class for exchange_id (ccxt.pro's when streaming), importing that exchange only."""
    install()
    package = importlib.import_module("ccxt.pro" if streaming else "ccxt.async_support")
    return getattr(package, exchange_id)
