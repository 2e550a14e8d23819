import json
import logging
import subprocess
import sys
from pathlib import Path

from trading.logs import MASK, REDACTOR, Redactor, configure_logging, get_logger

TOKEN = "123456789:AAHk-very-secret-telegram-token-0123456789"
ROOT = Path(__file__).resolve().parents[3]


def test_redactor_masks_values_under_secret_keys():
    event = Redactor()(None, "info", {"event": "login", "api_key": "abc123456", "apiKey": "x1234567",
                                      "secret": "s3cr3t-value", "totp_code": "123456", "symbol": "BTC/USDT"})
    assert event["api_key"] == MASK and event["apiKey"] == MASK and event["secret"] == MASK
    assert event["totp_code"] == MASK
    assert event["symbol"] == "BTC/USDT"


def test_redactor_masks_secrets_by_shape_inside_text_and_nested_values():
    event = Redactor()(None, "info", {
        "event": f"POST https://api.telegram.org/bot{TOKEN}/getMe failed",
        "detail": {"url": "https://x.test/api?timestamp=1&signature=deadbeefcafe&x=1"},
        "items": ["sk-abcdefghijklmnopqrstuvwx"],
    })
    assert TOKEN not in event["event"] and MASK in event["event"]
    assert "deadbeefcafe" not in event["detail"]["url"]
    assert event["items"] == [MASK]


def test_redactor_masks_known_secret_values_anywhere():
    redactor = Redactor(["my-master-key-value"])
    event = redactor(None, "info", {"event": "loaded my-master-key-value from env"})
    assert event["event"] == f"loaded {MASK} from env"


def test_log_file_lines_are_json_with_secrets_masked(tmp_path):
    configure_logging(tmp_path, "INFO", secrets=["hunter2-long-secret"], console=False)
    get_logger("test").info("keys loaded", exchange_secret="abc-def-123", note="hunter2-long-secret here")
    logging.getLogger("ccxt").warning("calling %s", f"https://x/bot{TOKEN}/sendMessage")
    for handler in logging.getLogger().handlers:
        handler.flush()
    lines = (tmp_path / "logs" / "trading-assistant.jsonl").read_text().splitlines()
    records = [json.loads(line) for line in lines]
    assert records[0]["event"] == "keys loaded" and records[0]["exchange_secret"] == MASK
    assert records[0]["note"] == f"{MASK} here"
    assert TOKEN not in lines[1] and records[1]["level"] == "warning"
    configure_logging(None, console=False)


def test_at_debug_the_telegram_library_s_update_texts_and_the_llm_prompts_are_not_logged(tmp_path):
    configure_logging(tmp_path, "DEBUG", console=False)
    # PTB logs "Processing update ..." with the message text: a two-factor code typed in the chat
    logging.getLogger("telegram.ext.Application").debug("Processing update %s", {"text": "481516"})
    logging.getLogger("openai._base_client").debug("Request options: %s", {"content": "the prompt"})
    logging.getLogger("telegram.ext.Updater").warning("polling failed")
    for handler in logging.getLogger().handlers:
        handler.flush()
    text = (tmp_path / "logs" / "trading-assistant.jsonl").read_text()
    configure_logging(None, console=False)
    assert "481516" not in text and "the prompt" not in text and "polling failed" in text


def test_structlog_loads_only_with_the_first_record_or_structured_logger_and_still_masks(tmp_path):
    # a fresh interpreter: an offline command that logs nothing never imports structlog (~10 ms)
    script = ("import logging, sys\n"
              "from trading.logs import configure_logging\n"
              "configure_logging(None, 'WARNING', secrets=['hunter2-long-secret'])\n"
              "print('structlog' in sys.modules)\n"
              "logging.getLogger('aiosqlite').warning('opened with %s', 'hunter2-long-secret')\n"
              "print('structlog' in sys.modules)\n"
              "from trading.logs import get_logger\n"
              "get_logger('later').warning('keys loaded', api_key='abc-def-123')\n")
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60)

    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "True"]
    first, second = done.stderr.splitlines()
    assert "opened with ***" in first and "[warning  ]" in first and "hunter2" not in done.stderr
    assert "keys loaded" in second and "api_key=***" in second and "abc-def-123" not in second


def test_credentials_inside_a_url_are_masked_wherever_text_is_masked():
    # /show_config showed OPENAI_BASE_URL=https://user:pass@host/v1 as it was
    assert REDACTOR.mask_text("https://bob:hunter2@llm.example/v1 tcp://10.0.0.1:8786 mailto:a@b") == \
        f"https://{MASK}@llm.example/v1 tcp://10.0.0.1:8786 mailto:a@b"
    # a token as the user name alone, and a password holding an '@' (found by review)
    assert REDACTOR.mask_text("https://tok123456789@api.x.com/v1 https://user:pa@ss@host/v1") == \
        f"https://{MASK}@api.x.com/v1 https://{MASK}@host/v1"
    # an '@' in the query is not a user name: the host stays readable
    assert REDACTOR.mask_text("https://api.x.com?email=a@b.com") == "https://api.x.com?email=a@b.com"
