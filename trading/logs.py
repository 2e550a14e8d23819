"""Structured logging: JSON lines to DATA_DIR/logs (rotated daily, 7 kept), readable console, secrets masked.

structlog loads with the first structured logger (get_logger) or the first record a handler writes: importing
it takes ~10 ms, and an offline command on a file (a backtest) usually has neither.
"""
from __future__ import annotations

import logging
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, MutableMapping

if TYPE_CHECKING:
    import structlog

MASK = "***"
_SECRET_KEYS = re.compile(r"(token|secret|api_?key|apikey|password|passphrase|totp|otp|master_?key|"
                          r"signature|authorization|private_?key|code)$", re.IGNORECASE)
_SECRET_PATTERNS = [
    re.compile(r"\b\d{6,12}:[A-Za-z0-9_-]{30,}\b"),                    # Telegram bot token
    re.compile(r"\bsk-[A-Za-z0-9_-]{16,}\b"),                           # OpenAI-style keys
    re.compile(r"(?i)\b(api[_-]?key|secret|token|signature|totp|code)=([^&\s\"']+)"),  # query strings
    re.compile(r"/bot\d{6,12}:[A-Za-z0-9_-]+"),                         # Bot API URLs
    re.compile(r"(?<=://)[^/?#\s]+(?=@[^/?#\s@]+)"),                    # user[:password]@ in a URL (to the last @)
]


class Redactor:
    """A structlog processor that masks secrets by key name, by shape, and by known value."""

    def __init__(self, known_secrets: Iterable[str] = ()) -> None:
        self._known = sorted({s for s in known_secrets if s and len(s) >= 6}, key=len, reverse=True)

    def add_secret(self, secret: str) -> None:
        """Mask this exact value wherever it appears from now on."""
        if secret and len(secret) >= 6 and secret not in self._known:
            self._known = sorted([*self._known, secret], key=len, reverse=True)

    def __call__(self, _logger: Any, _name: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
        return {k: self._clean(k, v) for k, v in event.items()}

    def _clean(self, key: str, value: Any) -> Any:
        if _SECRET_KEYS.search(str(key)) and value not in (None, "", False):
            return MASK
        if isinstance(value, str):
            return self.mask_text(value)
        if isinstance(value, dict):
            return {k: self._clean(str(k), v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return type(value)(self._clean("", v) for v in value)
        return value

    def mask_text(self, text: str) -> str:
        """Return text with every known or recognisable secret replaced by the mask."""
        for secret in self._known:
            text = text.replace(secret, MASK)
        for pattern in _SECRET_PATTERNS:
            text = pattern.sub(lambda m: f"{m.group(1)}={MASK}" if m.re.groups == 2 else MASK, text)
        return text


REDACTOR = Redactor()
_pending: Callable[[], None] | None = None     # structlog's configuration, applied by the first get_logger
_structured = False                             # True once get_logger has handed out a logger
_masking = False                                # True once configure_logging set up the masking processors


def configure_logging(data_dir: Path | None, level: str = "INFO", secrets: Iterable[str] = (),
                      console: bool = True, console_level: str | None = None) -> None:
    """Set up structlog and the stdlib root logger (third-party libraries log through it too)."""
    global _pending, _masking
    _masking = True
    for secret in secrets:
        REDACTOR.add_secret(secret)
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
        handler.close()
    root.setLevel(level)
    if console:
        handler = logging.StreamHandler(sys.stderr)
        handler.setLevel(console_level or level)
        handler.setFormatter(_FormatterOnFirstRecord(lambda: _formatter(console=True)))
        root.addHandler(handler)
    if data_dir is not None:
        from logging.handlers import TimedRotatingFileHandler

        (data_dir / "logs").mkdir(parents=True, exist_ok=True)
        file_handler = TimedRotatingFileHandler(
            data_dir / "logs" / "trading-assistant.jsonl", when="midnight", backupCount=7, utc=True,
            encoding="utf-8")
        file_handler.setFormatter(_FormatterOnFirstRecord(lambda: _formatter(console=False)))
        root.addHandler(file_handler)
    # even at LOG_LEVEL=DEBUG: the Telegram library logs each update with its text (a two-factor code typed in the
    # chat) and the openai SDK each request with its prompt; their warnings and errors still come through
    for noisy in ("httpx", "httpcore", "apscheduler.executors.default", "aiosqlite", "telegram", "openai"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    _pending = _configure_structlog
    if _structured:
        _apply_pending()


def _shared_processors() -> list[Any]:
    """Return the processors every record passes, structured or from the stdlib: level, name, time, masking."""
    import structlog

    return [structlog.contextvars.merge_contextvars, structlog.stdlib.add_log_level,
            structlog.stdlib.add_logger_name, structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info, _render_message_args, REDACTOR]


def _configure_structlog() -> None:
    import structlog

    structlog.configure(
        processors=[structlog.stdlib.filter_by_level, *_shared_processors(),
                    structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False,
    )


def _apply_pending() -> None:
    global _pending
    configure, _pending = _pending, None
    if configure is not None:
        configure()


def _formatter(console: bool) -> logging.Formatter:
    """Return a handler's formatter: readable lines on the console, JSON in the file."""
    import structlog

    renderer = structlog.dev.ConsoleRenderer(colors=False) if console else \
        structlog.processors.JSONRenderer(default=str)
    return structlog.stdlib.ProcessorFormatter(
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
        foreign_pre_chain=_shared_processors())


class _FormatterOnFirstRecord(logging.Formatter):
    """A handler's formatter, built when the handler writes its first record."""

    def __init__(self, build: Callable[[], logging.Formatter]) -> None:
        super().__init__()
        self._build = build
        self._built: logging.Formatter | None = None

    def format(self, record: logging.LogRecord) -> str:
        """Return the record as the built formatter renders it."""
        if self._built is None:
            self._built = self._build()
        return self._built.format(record)


def _render_message_args(_logger: Any, _name: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    # stdlib records from libraries arrive with %-style args; render them so redaction sees the final text
    record = event.get("_record")
    if record is not None and record.args:
        event["event"] = record.getMessage()
        record.args = ()
    return event


def masking() -> bool:
    """Return True once configure_logging ran: records (a traceback too) pass the REDACTOR before any output."""
    return _masking


def get_logger(name: str) -> structlog.stdlib.BoundLogger:
    """Return a structured logger (configured as configure_logging last asked, whenever that was)."""
    global _structured
    import structlog

    _structured = True
    _apply_pending()
    return structlog.get_logger(name)
