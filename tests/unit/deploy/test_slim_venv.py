"""The Docker image ships only the stripped venv, and deploy/slim-venv never removes what the product loads."""
from __future__ import annotations

import importlib.machinery
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[3]


def slim_venv() -> ModuleType:
    """Load deploy/slim-venv (a script without .py) as a module."""
    loader = importlib.machinery.SourceFileLoader("slim_venv", str(ROOT / "deploy" / "slim-venv"))
    spec = importlib.util.spec_from_loader("slim_venv", loader)
    module = importlib.util.module_from_spec(spec)
    sys.modules["slim_venv"] = module        # dataclasses look the module up while the class is built
    loader.exec_module(module)
    return module


def stages() -> list[list[str]]:
    """Return the Dockerfile's instructions (continuations joined, comments dropped), one list per stage."""
    text = re.sub(r"\\\n\s*", " ", (ROOT / "Dockerfile").read_text())
    found: list[list[str]] = []
    for line in (raw.strip() for raw in text.splitlines()):
        if line.startswith("FROM "):
            found.append([])
        if line and not line.startswith("#"):
            found[-1].append(line)
    return found


def test_the_image_is_built_in_two_stages_and_ships_only_the_stripped_venv() -> None:
    builder, image = stages()

    assert builder[0] == "FROM python:3.11-slim AS builder" and image[0] == "FROM python:3.11-slim"
    assert any("--require-hashes -r requirements.lock" in line for line in builder)
    assert any(line.endswith("python deploy/slim-venv /opt/venv") for line in builder)
    assert [line for line in image if line.startswith(("COPY", "ADD"))] == ["COPY --from=builder /opt/venv /opt/venv"]
    users = [line.split()[1] for line in image if line.startswith("USER ")]
    assert users and users[-1] not in ("root", "0")
    assert 'CMD ["trading-assistant", "health"]' in next(line for line in image if line.startswith("HEALTHCHECK"))
    assert 'ENTRYPOINT ["trading-assistant"]' in image and 'CMD ["run"]' in image


def test_rules_remove_build_and_test_files_and_keep_the_fonttools_matplotlib_imports(tmp_path: Path) -> None:
    site = tmp_path / "venv" / "lib" / "python3.11" / "site-packages"
    for name in ("pip/__init__.py", "pkg/__init__.py", "pkg/core.py", "pkg/core.pyi", "pkg/tests/test_core.py",
                 "pkg/__pycache__/core.cpython-311.pyc", "pkg-1.0.dist-info/RECORD", "pkg-1.0.dist-info/METADATA",
                 "fontTools/__init__.py", "fontTools/agl.py", "fontTools/misc/textTools.py",
                 "fontTools/misc/arrayTools.py", "fontTools/ttLib/__init__.py", "PIL/_webp.abi3.so", "PIL/Image.py"):
        (site / name).parent.mkdir(parents=True, exist_ok=True)
        (site / name).write_text("x")
    module = slim_venv()

    removed = {str(path.relative_to(site)) for _, path in module.doomed(site, module.rules(site))}

    assert removed == {"pip", "pkg/core.pyi", "pkg/tests", "pkg/__pycache__", "pkg-1.0.dist-info/RECORD",
                       "fontTools/misc/arrayTools.py", "fontTools/ttLib", "PIL/_webp.abi3.so"}


def test_a_kept_exchange_keeps_the_exchanges_its_modules_import() -> None:
    module = slim_venv()
    site = Path(sysconfig.get_paths()["purelib"])

    kept = module.kept_ccxt_exchanges(site, "binanceusdm")

    assert kept == {"binanceusdm", "binance"}


def test_no_rule_removes_a_file_the_product_loads() -> None:
    """Load every product module, each default exchange's REST and stream class and a chart, in this environment."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, str(ROOT / "deploy" / "image-smoke"), "--loaded"], capture_output=True,
                            text=True, env=env, timeout=120, cwd=ROOT)
    assert result.returncode == 0, result.stderr[-2000:]
    site = Path(sysconfig.get_paths()["purelib"])
    module = slim_venv()
    rules = module.rules(site)

    loaded = [Path(f).relative_to(site).parts for f in json.loads(result.stdout) if Path(f).is_relative_to(site)]
    hit = [(parts, rule.why) for parts in loaded for rule in rules
           if any(rule.matches(parts[:depth]) for depth in range(1, len(parts) + 1))]

    assert len(loaded) > 500 and hit == []


def stripped_ccxt(folder: Path, prune_imports: bool = True) -> Path:
    """Return folder holding ccxt as deploy/slim-venv leaves it in the image (default exchanges), to put first on
    the path: the files no rule removes, and (unless told not to) the package imports of the removed ones pruned."""
    module = slim_venv()
    site = Path(sysconfig.get_paths()["purelib"])
    rules = module.rules(site)
    for path in sorted((site / "ccxt").rglob("*")):
        parts = path.relative_to(site).parts
        if path.is_dir() or any(rule.matches(parts[:depth]) for rule in rules for depth in range(1, len(parts) + 1)):
            continue
        (folder / path.relative_to(site)).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, folder / path.relative_to(site))
    if prune_imports:
        module.prune_ccxt_imports(folder)
    return folder


def plain_import_ccxt(overlay: Path) -> subprocess.CompletedProcess:
    """Import ccxt's three packages from overlay in a fresh interpreter, without the bot's lean loader."""
    return subprocess.run([sys.executable, "-c", "import ccxt, ccxt.async_support, ccxt.pro; print(ccxt.__file__)"],
                          capture_output=True, text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(overlay)})


def test_ccxt_stripped_as_in_the_image_imports_plainly_once_its_package_imports_are_pruned(tmp_path: Path) -> None:
    unpruned = plain_import_ccxt(stripped_ccxt(tmp_path / "unpruned", prune_imports=False))
    assert unpruned.returncode != 0 and "ModuleNotFoundError: No module named 'ccxt." in unpruned.stderr

    pruned = plain_import_ccxt(stripped_ccxt(tmp_path / "pruned"))

    assert pruned.returncode == 0, pruned.stderr[-1000:]
    assert pruned.stdout.startswith(str(tmp_path / "pruned"))
    kraken = subprocess.run([sys.executable, "-c", _KRAKEN], capture_output=True, text=True, timeout=120,
                            env={**os.environ, "PYTHONPATH": f"{tmp_path / 'pruned'}{os.pathsep}{ROOT}"})
    assert kraken.stdout.splitlines() == [                  # an exchange the image left out still says so
        f"EXCHANGE='kraken': ccxt's kraken classes are not installed here (ccxt.{package}.kraken is missing); the "
        f"Docker image ships only the exchanges in CCXT_EXCHANGES: rebuild it with --build-arg "
        f"CCXT_EXCHANGES=\"... kraken\" (or all)" for package in ("async_support", "pro")], kraken.stderr[-1000:]


_KRAKEN = """
from trading.adapters.ccxt_client import create_exchange
from trading.domain.errors import ConfigurationError
for streaming in (False, True):
    try:
        create_exchange("kraken", streaming=streaming)
    except ConfigurationError as exc:
        print(exc)
"""


def test_the_commands_run_on_ccxt_stripped_as_in_the_image(tmp_path: Path) -> None:
    """--help, health, a backtest of a small file with its chart, the offline demo answering /status."""
    overlay = stripped_ccxt(tmp_path / "site")
    env = {**os.environ, "PYTHONPATH": f"{overlay}{os.pathsep}{ROOT}"}

    result = subprocess.run([sys.executable, str(ROOT / "deploy" / "image-smoke"), "--commands"], capture_output=True,
                            text=True, env=env, timeout=300, cwd=tmp_path)

    assert result.returncode == 0, result.stderr[-2000:]
    assert "image-smoke: ok (commands, plain import ccxt)" in result.stderr
