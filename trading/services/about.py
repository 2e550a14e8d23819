"""What the bot says about itself: its version, its effective settings and its recent problems, secrets masked."""
from __future__ import annotations

import json
import platform
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from pydantic import SecretStr

from trading.logs import MASK, REDACTOR
from trading.llm_settings import LlmOptions
from trading.settings import Settings

LOG_FILE = Path("logs") / "trading-assistant.jsonl"
TAIL_BYTES = 512 * 1024
PROBLEMS = ("warning", "error", "critical")
_SECRET_OPTION_KEYS = ("apikey", "secret", "password", "token", "uid", "privatekey")


@dataclass(frozen=True, slots=True)
class LogLine:
    """One warning or error from the log."""

    timestamp: str
    level: str
    message: str


def versions() -> dict[str, str]:
    """Return the version of the bot and of what it runs on."""
    found = {"trading-assistant": _version("trading-assistant"), "python": platform.python_version()}
    for package in ("python-telegram-bot", "ccxt", "pandas"):
        found[package] = _version(package)
    return found


def running_values(settings: Settings, source: str, api_url: str, symbols: tuple[str, ...],
                   zone: str) -> dict[str, tuple[str, str]]:
    """Return, by setting name, what this process runs with where the setting says otherwise, and why.

    source: the market data feed's description; api_url: the Bot API address the bot talks to (no token);
    symbols and zone: what the process trades and reports in (a change from the chat waits for the restart).
    """
    found: dict[str, tuple[str, str]] = {}
    if source.startswith("replay") != settings.market_data.startswith("replay"):
        found["market_data"] = (source, f"configured: {settings.market_data}; this process replays recorded candles")
    if api_url != settings.telegram_base_url:
        found["telegram_base_url"] = (api_url, f"configured: {settings.telegram_base_url}; the offline demo talks "
                                               f"to its own local server")
    if symbols != settings.symbol_list:
        found["symbols"] = (",".join(symbols), f"{settings.symbols} from the next restart")
    if zone != settings.timezone:
        found["timezone"] = (zone, f"{settings.timezone} from the next restart")
    return found


def effective_settings(settings: Settings,
                       running: dict[str, tuple[str, str]] | None = None) -> list[tuple[str, str]]:
    """Return every setting as NAME, value, with secrets masked (keys inside EXCHANGE_OPTIONS too).

    running: what the process runs with where it differs from the setting (running_values), shown first.
    """
    rows = []
    groups = LlmOptions.model_fields       # inherited groups would list first: keep the contract's settings on top
    for name in [*(n for n in Settings.model_fields if n not in groups), *groups]:
        value = getattr(settings, name)
        if isinstance(value, SecretStr):
            shown = "(set, hidden)" if value.get_secret_value() else "(not set)"
        elif name == "exchange_options":
            shown = json.dumps(_masked_options(settings.exchange_config))
        elif name in (running or {}):
            used, why = (running or {})[name]
            shown = f"{used} ({why})"
        else:
            shown = str(value)
        rows.append((name.upper(), REDACTOR.mask_text(shown)))
    return rows


def recent_problems(data_dir: Path, limit: int) -> list[LogLine]:
    """Return the newest warnings and errors of the JSON log (at most limit, newest last), secrets masked."""
    path = Path(data_dir) / LOG_FILE
    try:
        with path.open("rb") as handle:
            handle.seek(max(0, path.stat().st_size - TAIL_BYTES))
            lines = handle.read().decode("utf-8", errors="replace").splitlines()
    except OSError:
        return []
    found = []
    for line in lines:
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict) and str(entry.get("level", "")).lower() in PROBLEMS:
            found.append(LogLine(str(entry.get("timestamp", ""))[:19], str(entry["level"]).upper(),
                                 REDACTOR.mask_text(str(entry.get("event", "")))[:300]))
    return found[-limit:]


def _masked_options(options: object) -> object:
    if isinstance(options, dict):
        return {k: MASK if str(k).lower().replace("_", "") in _SECRET_OPTION_KEYS else _masked_options(v)
                for k, v in options.items()}
    if isinstance(options, list):
        return [_masked_options(v) for v in options]
    return options


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "unknown"
