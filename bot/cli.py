"""The `trading-assistant` command: run (default), demo, health, indicators."""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from trading.domain.errors import AlreadyRunning, ConfigurationError
from trading.settings import load_settings

HEALTHY_WITHIN_S = 60


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run the chosen subcommand; return the exit code."""
    parser = argparse.ArgumentParser(prog="trading-assistant", description=__doc__)
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("run", help="run the bot (default); offline demo chat when TELEGRAM_BOT_TOKEN is empty")
    sub.add_parser("demo", help="run the offline demo chat in this terminal, whatever the token")
    sub.add_parser("health", help="exit 0 when the running bot's heartbeat is fresh (Docker HEALTHCHECK)")
    args = parser.parse_args(argv)
    try:
        if args.command == "health":
            return health()
        settings = load_settings(telegram_bot_token="") if args.command == "demo" else load_settings()
        from bot.runtime import start  # imported here so `health` stays light

        start(settings, demo_chat=args.command == "demo" or sys.stdin.isatty())
        return 0
    except (ConfigurationError, AlreadyRunning) as exc:
        print(f"trading-assistant: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def health() -> int:
    """Return 0 when DATA_DIR/heartbeat was written within the last minute."""
    settings = load_settings()
    path = Path(settings.data_dir) / "heartbeat"
    try:
        age = time.time() - int(path.read_text().strip()) / 1000
    except (OSError, ValueError):
        print(f"unhealthy: no heartbeat at {path}", file=sys.stderr)
        return 1
    if age > HEALTHY_WITHIN_S:
        print(f"unhealthy: last heartbeat {age:.0f} s ago", file=sys.stderr)
        return 1
    print(f"healthy: heartbeat {age:.0f} s ago")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
