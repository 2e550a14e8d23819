"""Settings from the environment and .env (the names are a contract: see .env.example)."""
from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from trading.domain.errors import ConfigurationError

MODES = ("paper", "live")
MARKET_TYPES = ("spot", "futures")


class Settings(BaseSettings):
    """Every setting the process reads; invalid values stop start-up with one clear line."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore",
                                      case_sensitive=False)

    telegram_bot_token: SecretStr = SecretStr("")
    telegram_base_url: str = "https://api.telegram.org/bot"
    telegram_allowed_chat_ids: str = ""
    trading_mode: str = "paper"
    exchange: str = "binance"
    exchange_testnet: bool = False
    exchange_options: str = "{}"
    market_data: str = "live"
    symbols: str = "BTC/USDT,ETH/USDT"
    openai_api_key: SecretStr = SecretStr("")
    openai_base_url: str = ""
    llm_model: str = "gpt-4o-mini"
    data_dir: Path = Path("./data")
    master_key: SecretStr = SecretStr("")
    # Our own settings beyond the contract.
    market_type: str = "spot"
    paper_starting_balance: Decimal = Field(default=Decimal("10000"), gt=0)
    timezone: str = "UTC"
    log_level: str = "INFO"
    replay_speed: float = Field(default=60.0, gt=0)
    demo_chat_id: int = 1

    @field_validator("telegram_allowed_chat_ids")
    @classmethod
    def _chat_ids(cls, value: str) -> str:
        for part in _split(value):
            try:
                int(part)
            except ValueError:
                raise ValueError(f"expected comma-separated numeric chat ids like 12345,-100987, got {part!r}")
        return value

    @field_validator("exchange_options")
    @classmethod
    def _options(cls, value: str) -> str:
        try:
            parsed = json.loads(value or "{}")
        except json.JSONDecodeError as exc:
            raise ValueError(f"expected a JSON object like {{\"options\": {{}}}}, got invalid JSON ({exc.msg})")
        if not isinstance(parsed, dict):
            raise ValueError("expected a JSON object like {\"urls\": {...}}")
        return value

    @field_validator("market_data")
    @classmethod
    def _market_data(cls, value: str) -> str:
        value = value.strip()
        if value in ("live", "replay") or (value.startswith("replay:") and len(value) > 7):
            return value
        raise ValueError("expected live, replay or replay:<path to a CSV(.gz) file or folder>")

    @field_validator("symbols")
    @classmethod
    def _symbols(cls, value: str) -> str:
        if not _split(value) or any("/" not in s for s in _split(value)):
            raise ValueError("expected comma-separated ccxt symbols like BTC/USDT,ETH/USDT")
        return value

    @field_validator("market_type")
    @classmethod
    def _market_type(cls, value: str) -> str:
        if value.strip().lower() not in MARKET_TYPES:
            raise ValueError("expected spot or futures")
        return value.strip().lower()

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("expected an IANA time zone such as UTC or Europe/Berlin")
        return value

    @field_validator("log_level")
    @classmethod
    def _log_level(cls, value: str) -> str:
        if value.upper() not in ("DEBUG", "INFO", "WARNING", "ERROR"):
            raise ValueError("expected DEBUG, INFO, WARNING or ERROR")
        return value.upper()

    @property
    def allowed_chat_ids(self) -> frozenset[int]:
        """Return the chats allowed to talk to the bot."""
        return frozenset(int(p) for p in _split(self.telegram_allowed_chat_ids))

    @property
    def symbol_list(self) -> tuple[str, ...]:
        """Return the configured symbols in order."""
        return tuple(s.upper() for s in _split(self.symbols))

    @property
    def exchange_config(self) -> dict[str, Any]:
        """Return EXCHANGE_OPTIONS parsed."""
        return json.loads(self.exchange_options or "{}")

    @property
    def mode(self) -> str:
        """Return 'paper' or 'live'; anything unexpected reads as paper (see mode_warning)."""
        return self.trading_mode.strip().lower() if self.trading_mode.strip().lower() in MODES else "paper"

    @property
    def mode_warning(self) -> str | None:
        """Return the warning to log when TRADING_MODE was not understood."""
        if self.trading_mode.strip().lower() in MODES:
            return None
        return f"TRADING_MODE={self.trading_mode!r} is not paper or live; running in paper mode"

    @property
    def demo(self) -> bool:
        """Return True when no bot token is set, so the offline demo chat is used."""
        return not self.telegram_bot_token.get_secret_value().strip()


def _split(value: str) -> list[str]:
    return [p.strip() for p in value.split(",") if p.strip()]


def load_settings(**overrides: Any) -> Settings:
    """Return validated settings, or raise ConfigurationError with one line naming the bad setting."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        first = exc.errors()[0]
        name = str(first["loc"][0]).upper() if first["loc"] else "settings"
        message = first["msg"].removeprefix("Value error, ")
        raise ConfigurationError(f"Invalid setting {name}: {message}") from None
