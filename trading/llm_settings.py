"""The LLM decision maker's and the symbol universe's settings: a group the process Settings inherit."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import field_validator
from pydantic_settings import BaseSettings

from trading.settings_values import number_in as _number_in, split_list as _split, whole_in as _whole_in

LLM_FORMATS = ("auto", "json_schema", "json_object", "text")


class LlmOptions(BaseSettings):
    """LLM_* and UNIVERSE_* settings with their checks (the model and keys are in Settings: a contract)."""

    # The LLM decision maker, on any OpenAI-compatible server (OPENAI_API_KEY, OPENAI_BASE_URL, LLM_MODEL).
    llm_enabled: str = "auto"              # auto: on when OPENAI_API_KEY or OPENAI_BASE_URL is set
    llm_response_format: str = "auto"
    llm_timeout_seconds: Decimal = Decimal("20")
    llm_min_confidence: Decimal = Decimal("0.65")
    llm_max_size_pct: Decimal = Decimal("30")
    llm_price_per_1m_input: Decimal = Decimal("0.15")
    llm_price_per_1m_output: Decimal = Decimal("0.60")
    llm_daily_budget_usd: Decimal = Decimal("2")
    llm_daily_token_cap: int = 0
    llm_fallback: str = "hold"
    llm_min_move_pct: Decimal = Decimal("1")
    llm_max_age_minutes: int = 30
    llm_limit_max_distance_pct: Decimal = Decimal("2")
    llm_max_reply_tokens: int = 700
    # The symbol universe picked every UNIVERSE_REFRESH_MINUTES when DYNAMIC_SYMBOLS is on.
    dynamic_symbols: bool = False
    universe_refresh_minutes: int = 60
    always_keep_symbols: str = ""
    universe_size: int = 5
    universe_candidates: int = 20
    universe_min_turnover_usd: Decimal = Decimal("10000000")
    universe_max_spread_bps: Decimal = Decimal("20")
    universe_max_move_pct: Decimal = Decimal("25")


    @field_validator("llm_enabled")
    @classmethod
    def _llm_enabled(cls, value: str) -> str:
        word = value.strip().lower() or "auto"
        aliases = {"1": "true", "yes": "true", "on": "true", "0": "false", "no": "false", "off": "false"}
        word = aliases.get(word, word)
        if word not in ("auto", "true", "false"):
            raise ValueError("expected auto, true or false")
        return word

    @field_validator("llm_response_format")
    @classmethod
    def _llm_format(cls, value: str) -> str:
        if value.strip().lower() not in LLM_FORMATS:
            raise ValueError(f"expected one of {', '.join(LLM_FORMATS)}")
        return value.strip().lower()

    @field_validator("llm_fallback")
    @classmethod
    def _llm_fallback(cls, value: str) -> str:
        if value.strip().lower() not in ("rules", "hold"):
            raise ValueError("expected rules or hold")
        return value.strip().lower()

    @field_validator("llm_timeout_seconds", "llm_limit_max_distance_pct", mode="before")
    @classmethod
    def _llm_positive(cls, value: Any) -> Decimal:
        return _number_in(value, Decimal(0), None, "a number above 0, like 20")

    @field_validator("llm_max_size_pct", "llm_min_move_pct", "universe_max_move_pct", mode="before")
    @classmethod
    def _llm_percentage(cls, value: Any) -> Decimal:
        return _number_in(value, Decimal(0), Decimal(100), "a percentage above 0 and at most 100, like 30")

    @field_validator("llm_price_per_1m_input", "llm_price_per_1m_output", "llm_daily_budget_usd",
                     "universe_min_turnover_usd", "universe_max_spread_bps", mode="before")
    @classmethod
    def _llm_amount(cls, value: Any) -> Decimal:
        return _number_in(value, None, None, "a number of 0 or more (0 for a free local model), like 0.15")

    @field_validator("llm_min_confidence", mode="before")
    @classmethod
    def _llm_confidence(cls, value: Any) -> Decimal:
        return _number_in(value, None, Decimal(1), "a fraction from 0 to 1, like 0.65")

    @field_validator("llm_daily_token_cap", mode="before")
    @classmethod
    def _llm_tokens(cls, value: Any) -> int:
        return _whole_in(value, 0, None, "a whole number of tokens, 0 (no cap) or more, like 2000000")

    @field_validator("llm_max_age_minutes", "llm_max_reply_tokens", "universe_refresh_minutes", "universe_size",
                     "universe_candidates", mode="before")
    @classmethod
    def _llm_count(cls, value: Any) -> int:
        return _whole_in(value, 1, None, "a whole number of 1 or more, like 30")

    @field_validator("always_keep_symbols")
    @classmethod
    def _keep_symbols(cls, value: str) -> str:
        if any("/" not in s for s in _split(value)):
            raise ValueError("expected comma-separated ccxt symbols like BTC/USDT,ETH/USDT (or nothing)")
        return value
