"""The installed entry point as a real process: SIGTERM shuts it down cleanly (scheduler, queue, database) and,
being a restart rather than an alarm, leaves the kill switch off."""
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_sigterm_stops_the_process_cleanly_and_leaves_the_kill_switch_off(tmp_path):
    env = {**os.environ, "DATA_DIR": str(tmp_path), "MARKET_DATA": "replay", "TELEGRAM_BOT_TOKEN": "",
           "REPLAY_SPEED": "600"}
    process = subprocess.Popen([sys.executable, "-m", "bot", "run"], cwd=tmp_path, env=env,
                               stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True)
    try:
        deadline = time.monotonic() + 30
        while not (tmp_path / "heartbeat").exists() and time.monotonic() < deadline:
            assert process.poll() is None, process.stdout.read()
            time.sleep(0.1)
        assert (tmp_path / "heartbeat").exists(), "the bot never wrote its heartbeat"
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, output
    assert "shut down cleanly" in output
    with sqlite3.connect(tmp_path / "trading.sqlite") as db:
        kinds = [k for (k,) in db.execute("SELECT kind FROM events ORDER BY id")]
    assert kinds[0] == "market_data" and "started" in kinds and kinds[-1] == "stopping"
    assert "kill_switch" not in kinds, "a SIGTERM is a clean stop, not a kill switch"
    with sqlite3.connect(tmp_path / "trading.sqlite") as db:
        (saved,) = db.execute("SELECT value_json FROM state WHERE key = 'kill_switch'").fetchone()
    assert '"active": false' in saved
    assert not (tmp_path / "trading.sqlite-wal").exists() or (tmp_path / "trading.sqlite-wal").stat().st_size == 0
