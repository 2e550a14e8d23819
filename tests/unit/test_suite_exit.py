"""A failing test that leaves a SQLite store open must fail the run, not hang it at exit."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

LEAKY_TEST = '''
from trading.adapters.clocks import ManualClock
from trading.adapters.sqlite_store import SqliteStore


async def test_fails_with_the_store_open(tmp_path):
    store = SqliteStore(tmp_path / "leak.sqlite", ManualClock(0))
    await store.open()
    assert False, "failed before closing the store"
'''


def test_a_failure_with_an_open_store_still_ends_the_run(tmp_path: Path) -> None:
    (tmp_path / "test_leaky.py").write_text(LEAKY_TEST)
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "tests.conftest", "-o", "asyncio_mode=auto",
                          "--rootdir", str(tmp_path), str(tmp_path / "test_leaky.py")],
                         cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "1 failed" in run.stdout
