"""The LLM's settings: defaults, validation with one clear line, and every one documented in .env.example."""
import re
from pathlib import Path

import pytest

from trading.domain.errors import ConfigurationError
from trading.services.engine_settings import llm_settings, loop_settings
from trading.settings import Settings, load_settings

ENV_EXAMPLE = Path(__file__).resolve().parents[3] / ".env.example"


def test_every_setting_has_a_line_and_its_default_in_env_example():
    text = ENV_EXAMPLE.read_text()
    documented = dict(re.findall(r"^([A-Z][A-Z0-9_]+)=(.*)$", text, re.MULTILINE))
    for name in (n for n in Settings.model_fields if n.startswith(("llm_", "universe_", "dynamic_", "always_"))):
        assert name.upper() in documented, name
        default = Settings.model_fields[name].default
        assert documented[name.upper()] == str(default).lower() or documented[name.upper()] == str(default), name


def test_the_llm_is_on_with_a_key_or_a_base_url_unless_switched_off():
    assert not Settings(_env_file=None, openai_api_key="").llm_on
    assert Settings(_env_file=None, openai_api_key="sk-x").llm_on
    assert Settings(_env_file=None, openai_base_url="http://127.0.0.1:11434/v1").llm_on
    assert not Settings(_env_file=None, openai_api_key="sk-x", llm_enabled="off").llm_on
    assert Settings(_env_file=None, llm_enabled="yes").llm_on


@pytest.mark.parametrize("name, value, expected", [
    ("LLM_RESPONSE_FORMAT", "xml", "Invalid setting LLM_RESPONSE_FORMAT: expected one of auto, json_schema"),
    ("LLM_FALLBACK", "panic", "Invalid setting LLM_FALLBACK: expected rules or hold"),
    ("LLM_MIN_CONFIDENCE", "1.5", "Invalid setting LLM_MIN_CONFIDENCE: expected a fraction from 0 to 1"),
    ("LLM_MAX_SIZE_PCT", "0", "Invalid setting LLM_MAX_SIZE_PCT: expected a percentage above 0"),
    ("LLM_ENABLED", "maybe", "Invalid setting LLM_ENABLED: expected auto, true or false"),
    ("ALWAYS_KEEP_SYMBOLS", "BTCUSDT", "Invalid setting ALWAYS_KEEP_SYMBOLS: expected comma-separated ccxt"),
])
def test_a_bad_llm_setting_stops_start_up_with_one_line(monkeypatch, name, value, expected):
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigurationError, match=re.escape(expected)):
        load_settings(_env_file=None)


def test_the_loop_reviews_symbols_only_with_the_llm_on_and_waits_longer_than_the_llm_itself():
    off = loop_settings(Settings(_env_file=None), ("BTC/USDT",))
    on = loop_settings(Settings(_env_file=None, openai_api_key="sk-x", llm_timeout_seconds="20"), ("BTC/USDT",))
    assert off.reviews is None and on.reviews is not None
    assert on.decision_timeout_s > 2 * 20
    llm = llm_settings(Settings(_env_file=None, llm_min_confidence="0.7", llm_max_age_minutes="15"))
    assert llm.checks.min_confidence == 0.7 and llm.schedule.max_age_ms == 15 * 60_000
