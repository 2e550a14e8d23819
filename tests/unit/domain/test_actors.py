"""Who turned a switch, in words: the audit's 'user:7' or 'chat:1' is never shown to the user as is."""
import pytest

from trading.domain.actors import in_words


@pytest.mark.parametrize("by, words", [
    ("user:7", "Telegram user 7"), ("user:7, code verified", "Telegram user 7, code verified"),
    ("chat:-100123", "Telegram chat -100123"), ("signal:SIGTERM", "the SIGTERM signal"),
    ("file:KILL", "the KILL file"), ("the watchdog", "the watchdog"), ("", "")])
def test_an_audit_name_reads_as_words(by, words):
    assert in_words(by) == words
