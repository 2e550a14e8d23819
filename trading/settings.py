"""Settings from the environment and .env (the names are a contract: see .env.example)."""
from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic_settings import SettingsConfigDict

from trading.domain.errors import ConfigurationError, typed_whole
from trading.domain.time_of_day import parse_time_of_day
from trading.llm_settings import LlmOptions
from trading.settings_values import number_in as _number_in, split_list as _split, whole_in as _whole_in

MODES = ("paper", "live")
MARKET_TYPES = ("spot", "futures")
AUTONOMY = ("approve", "autonomous")


class Settings(LlmOptions):
    """Every setting the process reads; invalid values stop start-up with one clear line."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore",
                                      case_sensitive=False)

    telegram_bot_token: SecretStr = SecretStr("")
    telegram_base_url: str = "https://api.telegram.org/bot"
    telegram_allowed_chat_ids: str = ""
    telegram_allowed_user_ids: str = Field(default="", validate_default=True)
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
    exchange_time_sync_minutes: int = Field(default=15, ge=1)
    market_streams: str = "ws"
    stream_stall_seconds: float = Field(default=30.0, ge=1)
    demo_chat_id: int = 1
    # Risk and the trading loop: percentages of equity unless said otherwise; 0 switches an optional rule off.
    risk_per_trade_pct: Decimal = Decimal("2")
    futures_leverage: int = 5
    limit_order_timeout_minutes: int = 10
    limit_order_timeout_action: str = "reprice"
    max_leverage: int = 10
    max_symbol_exposure_pct: Decimal = Decimal("200")
    max_total_exposure_pct: Decimal = Decimal("400")
    atr_stop_multiple: Decimal = Decimal("0")
    kelly_multiplier: Decimal = Decimal("0")
    daily_loss_limit_pct: Decimal = Decimal("6")
    close_on_daily_loss: bool = False
    max_drawdown_pct: Decimal = Decimal("20")
    loss_streak: int = 3
    loss_cooldown_minutes: int = 120
    max_open_positions: int = 3
    max_entries_per_window: int = 6
    entry_window_minutes: int = 60
    hard_stop_pct: Decimal = Decimal("10")
    soft_stop_pct: Decimal = Decimal("5")
    take_profit_zone_pct: Decimal = Decimal("10")
    max_fee_to_risk_pct: Decimal = Decimal("30")
    trailing_activation_pct: Decimal = Decimal("2")
    trailing_callback_pct: Decimal = Decimal("1")
    trailing_activation_r: Decimal = Decimal("2")
    trailing_callback_r: Decimal = Decimal("1")
    slippage_bps: Decimal = Decimal("2")
    slippage_depth: Decimal = Decimal("0")
    partial_take_profit_r: Decimal = Decimal("1")
    partial_take_profit_fraction: Decimal = Decimal("0.5")
    break_even_r: Decimal = Decimal("1")
    breaker_move_pct: Decimal = Decimal("3")
    breaker_move_window_minutes: int = 15
    breaker_max_spread_bps: Decimal = Decimal("50")
    breaker_cooldown_minutes: int = 30
    min_reward_risk: Decimal = Decimal("1.5")
    min_signal_confidence: Decimal = Decimal("0.4")
    decision_timeout_seconds: Decimal = Decimal("10")
    # Parameter sweeps: a Dask scheduler (tcp://host:8786) to run them on, else a local pool of this many
    # processes (0: one per core).
    sweep_cluster: str = ""
    sweep_workers: int = Field(default=0, ge=0)
    # Live approvals: how long a card lives, and how far the price may move before it is shown again.
    approval_timeout_seconds: int = 120
    approval_max_slippage_bps: Decimal = Field(default=Decimal("50"), gt=0, le=1000)
    # The bot's own live entries: approve (each is a card the owner approves with a code) or autonomous (sent at once).
    live_autonomy: str = "approve"
    # Live futures: each position's stop and target also rest on the exchange (on) or stay with the bot only (off);
    # a tightened exchange stop is replaced at most once per EXCHANGE_STOP_REPLACE_S per position (rate limits).
    exchange_stops: str = "on"
    exchange_stop_replace_s: int = 30
    # Notifications: quiet hours (HH:MM-HH:MM in TIMEZONE, empty for none) hold all but risk and system alerts and
    # send a digest after; the watchdog alerts when the loop has not ticked for this long.
    quiet_hours: str = ""
    watchdog_stall_seconds: int = Field(default=180, ge=5)
    # Reports and charts.
    chart_theme: str = "dark"
    report_time: str = "20:00"
    @field_validator("telegram_allowed_chat_ids")
    @classmethod
    def _chat_ids(cls, value: str) -> str:
        for part in _split(value):
            try:
                int(part)
            except ValueError:
                raise ValueError(f"expected comma-separated numeric chat ids like 12345,-100987, got {part!r}") \
                    from None
        return value

    @field_validator("telegram_allowed_user_ids")
    @classmethod
    def _user_ids(cls, value: str, info: ValidationInfo) -> str:
        if any(typed_whole(p) is None for p in _split(value)):    # isdigit() admits '²', which int() refuses
            raise ValueError(f"expected comma-separated numeric user ids like 12345,67890, got {value!r}")
        groups = [c for c in _split(info.data.get("telegram_allowed_chat_ids") or "") if c.startswith("-")]
        if groups and not _split(value):
            raise ValueError(f"required when TELEGRAM_ALLOWED_CHAT_IDS has a group chat ({groups[0]}): list the "
                             f"user ids that may use the bot there, like 12345 (send /start to see yours)")
        return value

    @field_validator("exchange_options")
    @classmethod
    def _options(cls, value: str) -> str:
        try:
            parsed = json.loads(value or "{}")
        except json.JSONDecodeError as exc:
            raise ValueError(f"expected a JSON object like {{\"options\": {{}}}}, got invalid JSON ({exc.msg})") \
                from None
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

    @field_validator("market_streams")
    @classmethod
    def _market_streams(cls, value: str) -> str:
        if value.strip().lower() not in ("ws", "rest"):
            raise ValueError("expected ws (WebSocket streams, REST as the fallback) or rest (REST polling only)")
        return value.strip().lower()

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
            raise ValueError("expected an IANA time zone such as UTC or Europe/Berlin") from None
        return value

    @field_validator("chart_theme")
    @classmethod
    def _chart_theme(cls, value: str) -> str:
        if value.strip().lower() not in ("dark", "light"):
            raise ValueError("expected dark or light")
        return value.strip().lower()

    @field_validator("live_autonomy")
    @classmethod
    def _live_autonomy(cls, value: str) -> str:
        if value.strip().lower() not in AUTONOMY:
            raise ValueError("expected approve (the bot's own live entries wait for your approval) or autonomous")
        return value.strip().lower()

    @field_validator("exchange_stops")
    @classmethod
    def _exchange_stops(cls, value: str) -> str:
        if value.strip().lower() not in ("on", "off"):
            raise ValueError("expected on (live futures stops and targets rest on the exchange too) or off (the "
                             "bot's own stops only)")
        return value.strip().lower()

    @field_validator("exchange_stop_replace_s", mode="before")
    @classmethod
    def _replace_seconds(cls, value: Any) -> int:
        return _whole_in(value, 1, 3600, "a whole number of seconds from 1 to 3600, like 30")

    @field_validator("quiet_hours")
    @classmethod
    def _quiet_hours(cls, value: str) -> str:
        from trading.services.notification_policy import QuietHours   # the one parser of the window
        window = QuietHours.parse(value)
        return str(window) if window is not None else ""

    @field_validator("report_time")
    @classmethod
    def _report_time(cls, value: str) -> str:
        try:
            return f"{parse_time_of_day(value):%H:%M}"
        except ValueError as exc:
            raise ValueError(f"expected a time of day as HH:MM, like 20:00 ({exc})") from None

    @field_validator("log_level")
    @classmethod
    def _log_level(cls, value: str) -> str:
        if value.upper() not in ("DEBUG", "INFO", "WARNING", "ERROR"):
            raise ValueError("expected DEBUG, INFO, WARNING or ERROR")
        return value.upper()

    @field_validator("risk_per_trade_pct", "daily_loss_limit_pct", "max_drawdown_pct", "hard_stop_pct",
                     "soft_stop_pct", "trailing_callback_pct", "breaker_move_pct", mode="before")
    @classmethod
    def _percentage(cls, value: Any) -> Decimal:
        return _number_in(value, Decimal(0), Decimal(100), "a percentage above 0 and at most 100, like 2")

    @field_validator("max_symbol_exposure_pct", "max_total_exposure_pct", "breaker_max_spread_bps",
                     "decision_timeout_seconds", "trailing_callback_r", mode="before")
    @classmethod
    def _positive(cls, value: Any) -> Decimal:
        return _number_in(value, Decimal(0), None, "a number above 0, like 200")

    @field_validator("atr_stop_multiple", "kelly_multiplier", "take_profit_zone_pct", "trailing_activation_pct",
                     "trailing_activation_r", "slippage_bps", "slippage_depth",
                     "max_fee_to_risk_pct", "partial_take_profit_r", "break_even_r", "min_reward_risk",
                     mode="before")
    @classmethod
    def _optional(cls, value: Any) -> Decimal:
        return _number_in(value, None, None, "a number of 0 or more (0 switches the rule off), like 1.5")

    @field_validator("partial_take_profit_fraction", "min_signal_confidence", mode="before")
    @classmethod
    def _fraction(cls, value: Any) -> Decimal:
        return _number_in(value, None, Decimal(1), "a fraction from 0 to 1, like 0.5")

    @field_validator("futures_leverage", "max_leverage", mode="before")
    @classmethod
    def _leverage(cls, value: Any) -> int:
        return _whole_in(value, 1, 125, "a whole number from 1 to 125, like 5")

    @field_validator("loss_streak", "max_open_positions", "entry_window_minutes", "breaker_move_window_minutes",
                     mode="before")
    @classmethod
    def _count(cls, value: Any) -> int:
        return _whole_in(value, 1, None, "a whole number of 1 or more, like 3")

    @field_validator("max_entries_per_window", mode="before")
    @classmethod
    def _entries_per_window(cls, value: Any) -> int:
        # more than a thousand entries in one window is no brake at all: a typo, never a plan
        return _whole_in(value, 1, 1000, "a whole number from 1 to 1000, like 6")

    @field_validator("approval_timeout_seconds", mode="before")
    @classmethod
    def _approval_timeout(cls, value: Any) -> int:
        return _whole_in(value, 5, 3600, "a whole number of seconds from 5 to 3600, like 120")

    @field_validator("hard_stop_pct")
    @classmethod
    def _hard_stop_below_all(cls, value: Decimal, info: ValidationInfo) -> Decimal:
        if value >= 100:
            why = ("the exchange liquidates the position before it loses all of its margin" if
                   info.data.get("market_type") == "futures" else "a long's stop sits at price 0 and never triggers")
            raise ValueError(f"expected a loss below 100%, like 10: at 100% {why}, got '{value.normalize():f}'")
        return value

    @field_validator("limit_order_timeout_action")
    @classmethod
    def _timeout_action(cls, value: str) -> str:
        if value.strip().lower() not in ("reprice", "cancel"):
            raise ValueError("expected reprice or cancel")
        return value.strip().lower()

    @field_validator("loss_cooldown_minutes", "breaker_cooldown_minutes", "limit_order_timeout_minutes", mode="before")
    @classmethod
    def _minutes(cls, value: Any) -> int:
        return _whole_in(value, 0, None, "a whole number of minutes, 0 or more, like 30")

    @field_validator("soft_stop_pct")
    @classmethod
    def _soft_below_hard(cls, value: Decimal, info: ValidationInfo) -> Decimal:
        hard = info.data.get("hard_stop_pct")
        if hard is not None and value >= hard:
            raise ValueError(f"expected a loss below HARD_STOP_PCT ({hard.normalize():f}), like "
                             f"{(hard / 2).normalize():f}, got {value.normalize():f}")
        return value

    @property
    def allowed_chat_ids(self) -> frozenset[int]:
        """Return the chats allowed to talk to the bot."""
        return frozenset(int(p) for p in _split(self.telegram_allowed_chat_ids))

    @property
    def allowed_user_ids(self) -> frozenset[int]:
        """Return the users allowed to use the bot (empty: the owner learned at /start)."""
        return frozenset(int(p) for p in _split(self.telegram_allowed_user_ids))

    @property
    def llm_on(self) -> bool:
        """Return True when the LLM decides: LLM_ENABLED, or by default when a key or a base URL is set."""
        if self.llm_enabled != "auto":
            return self.llm_enabled == "true"
        return bool(self.openai_api_key.get_secret_value().strip() or self.openai_base_url.strip())

    @property
    def kept_symbols(self) -> tuple[str, ...]:
        """Return ALWAYS_KEEP_SYMBOLS in order."""
        return tuple(s.upper() for s in _split(self.always_keep_symbols))

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
    def report_hour_minute(self) -> tuple[int, int]:
        """Return REPORT_TIME as (hour, minute) in TIMEZONE, for the daily report's cron trigger."""
        at = parse_time_of_day(self.report_time)
        return at.hour, at.minute

    @property
    def demo(self) -> bool:
        """Return True when no bot token is set, so the offline demo chat is used."""
        return not self.telegram_bot_token.get_secret_value().strip()


def load_settings(**overrides: Any) -> Settings:
    """Return validated settings, or raise ConfigurationError with one line naming the bad setting."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        first = exc.errors()[0]
        name = str(first["loc"][0]).upper() if first["loc"] else "settings"
        message = first["msg"].removeprefix("Value error, ")
        raise ConfigurationError(f"Invalid setting {name}: {message}") from None
