"""The `trading-assistant` command: run (default), demo, health, indicators, backtest and the lab, keys, totp."""
from __future__ import annotations

import argparse
import sys
import time
import traceback
from pathlib import Path
from typing import TYPE_CHECKING

from bot.backtest_command import add_backtest_parser, run_backtest
from bot.divergence_command import add_divergence_parser, run_divergence
from bot.evaluate_command import add_evaluate_parser, run_evaluate
from bot.keys_command import add_keys_parser, run_keys
from bot.start_up import hold_collector, started
from bot.sweep_command import add_sweep_parser, run_sweep_command
from bot.totp_command import add_totp_parser, run_totp
from trading.domain.errors import AlreadyRunning, ConfigurationError

if TYPE_CHECKING:
    from trading.settings import Settings

HEALTHY_WITHIN_S = 60
OFFLINE = ("backtest", "evaluate", "sweep", "divergence", "indicators")    # commands whose stdout is their output


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run the chosen subcommand; return the exit code."""
    parser = argparse.ArgumentParser(prog="trading-assistant", description=__doc__)
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("run", help="run the bot (default); offline demo chat when TELEGRAM_BOT_TOKEN is empty")
    sub.add_parser("demo", help="run the offline demo chat in this terminal, whatever the token")
    sub.add_parser("health", help="exit 0 when the running bot's heartbeat is fresh (Docker HEALTHCHECK)")
    add_indicators_parser(sub)
    add_keys_parser(sub)
    add_totp_parser(sub)
    add_backtest_parser(sub)
    add_evaluate_parser(sub)
    add_sweep_parser(sub)
    add_divergence_parser(sub)
    args = parser.parse_args(argv)
    if argv is None and args.command == "backtest":
        hold_collector()      # this process is the command: its start-up is frozen once loaded (bot/start_up.py)
    try:
        return _command(args)
    finally:
        started()


def _command(args: argparse.Namespace) -> int:
    """Run the parsed subcommand; return the exit code."""
    from trading.settings import load_settings     # here, not at the top: `--help` stays instant

    settings = offline_logging() if args.command in OFFLINE else None
    try:
        if args.command == "health":
            return health()
        if args.command == "indicators":
            return indicators(args)
        if args.command == "backtest":
            return run_backtest(args, settings)
        if args.command == "evaluate":
            return run_evaluate(args, settings)
        if args.command == "sweep":
            return run_sweep_command(args, settings)
        if args.command == "divergence":
            return run_divergence(args, settings)
        if args.command == "keys":
            return run_keys(args, load_settings())
        if args.command == "totp":
            return run_totp(args, load_settings())
        settings = load_settings(telegram_bot_token="") if args.command == "demo" else load_settings()
        from bot.runtime import start  # imported here so `health` stays light

        start(settings, demo_chat=args.command == "demo" or sys.stdin.isatty())
        return 0
    except (ConfigurationError, AlreadyRunning) as exc:
        print(f"trading-assistant: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # noqa: BLE001 - the last word on any other failure: one masked line, no traceback
        return stopped_by(exc)


def stopped_by(exc: Exception) -> int:
    """Say in one masked line what stopped the process, log it with its traceback through the redacting logger,
    return the exit code.

    Python's own report would print the whole chain unmasked: an exchange error carries ccxt's message with the
    signed request (its URL, signature and all). Logging not set up yet (no masking), only the last frame is logged.
    """
    from trading.logs import get_logger, masking
    from trading.services.job_watch import describe

    frame = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ is not None else None
    where = f"{Path(frame.filename).name}:{frame.lineno} in {frame.name}" if frame is not None else "?"
    get_logger(__name__).error("the process stops on an error", error=describe(exc), where=where,
                               exc_info=exc if masking() else None)
    print(f"trading-assistant: stopped: {describe(exc)}", file=sys.stderr)
    return 1


def offline_logging() -> Settings | None:
    """Send an offline command's logs to stderr, warnings and worse, secrets masked: stdout holds its output only.

    Return the settings read for it (the command uses them), or None when they are invalid: the command itself
    reports the bad setting. Unconfigured, structlog prints to stdout, so `evaluate --json` on exchange data
    once began with a log line.
    """
    from trading.logs import configure_logging
    from trading.settings import load_settings

    try:
        settings: Settings | None = load_settings()
    except ConfigurationError:
        settings = None
    secrets = [] if settings is None else [settings.telegram_bot_token.get_secret_value(),
                                           settings.master_key.get_secret_value(),
                                           settings.openai_api_key.get_secret_value()]
    configure_logging(None, "WARNING", secrets=secrets)
    return settings


def add_indicators_parser(sub: argparse._SubParsersAction) -> None:
    """Add `indicators`: export what the bot sees in a candle file, one CSV per concept."""
    p = sub.add_parser("indicators", help="export swings, structure, FVGs, order blocks, breakers, liquidity, "
                                          "sweeps and signals of a candle CSV(.gz) to CSV files")
    p.add_argument("--data", type=Path, required=True, help="timestamp_ms,open,high,low,close,volume CSV(.gz)")
    p.add_argument("--timeframe", default="15m", help="timeframe of the ICT tables (finer data is resampled)")
    p.add_argument("--left", type=int, default=5, help="bars before a pivot")
    p.add_argument("--right", type=int, default=5, help="bars after a pivot (its confirmation delay)")
    p.add_argument("--out", type=Path, default=Path("indicators"), help="output folder")


def indicators(args: argparse.Namespace) -> int:
    """Write the indicator and signal CSVs and list them."""
    from trading.domain.candles import Timeframe
    from trading.services.indicator_export import export_indicators
    from trading.services.signal_export import export_signals

    if not args.data.exists():
        print(f"trading-assistant: no such file {args.data}", file=sys.stderr)
        return 2
    if args.left < 1 or args.right < 1:
        print("trading-assistant: --left and --right must be at least 1", file=sys.stderr)
        return 2
    try:
        timeframe = Timeframe.parse(args.timeframe)
        written = export_indicators(args.data, timeframe, args.left, args.right, args.out)
        written.append(export_signals(args.data, args.out))
    except ValueError as exc:
        print(f"trading-assistant: {exc}", file=sys.stderr)
        return 2
    for path in written:
        print(path)
    return 0


def health() -> int:
    """Return 0 when DATA_DIR/heartbeat was written within the last minute."""
    from trading.settings import load_settings

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
