"""`trading-assistant totp setup|show|reset` through the real command line."""
import stat

import pyotp
import pytest

from bot.cli import main
from trading.secrets import SecretVault, key_file_path

MASTER = "master key for the totp tests"


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)                  # no stray .env
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("MASTER_KEY", MASTER)
    return tmp_path / "data"


def stored(data_dir):
    return SecretVault(key_file_path(data_dir), MASTER).totp_secret()


def test_setup_stores_the_secret_encrypted_prints_the_uri_and_writes_a_private_qr_png(env, capsys):
    assert main(["totp", "setup"]) == 0

    out = capsys.readouterr().out
    secret = stored(env)
    qr = env / "totp-qr.png"
    assert secret and f"secret={secret}" in out and out.count("otpauth://totp/") == 1
    assert qr.read_bytes().startswith(b"\x89PNG\r\n\x1a\n") and stat.S_IMODE(qr.stat().st_mode) == 0o600
    assert secret not in key_file_path(env).read_text()
    assert pyotp.parse_uri(next(w for w in out.split() if w.startswith("otpauth://"))).secret == secret


def test_setup_twice_is_refused_and_keeps_the_first_secret(env, capsys):
    assert main(["totp", "setup"]) == 0
    first = stored(env)

    assert main(["totp", "setup"]) == 2
    assert "already set up" in capsys.readouterr().err and stored(env) == first


def test_show_masks_the_secret_and_says_how_to_create_one_when_missing(env, capsys):
    assert main(["totp", "show"]) == 1
    assert "trading-assistant totp setup" in capsys.readouterr().out
    main(["totp", "setup"])
    capsys.readouterr()

    assert main(["totp", "show"]) == 0
    out = capsys.readouterr().out
    assert stored(env) not in out and f"{stored(env)[:4]}…{stored(env)[-4:]}" in out


def test_reset_needs_yes_without_a_terminal_and_then_replaces_the_secret(env, capsys, monkeypatch):
    main(["totp", "setup"])
    first = stored(env)
    monkeypatch.setattr("sys.stdin", open("/dev/null"))
    assert main(["totp", "reset"]) == 2 and stored(env) == first

    assert main(["totp", "reset", "--yes"]) == 0
    assert stored(env) != first


def test_without_master_key_nothing_is_created(env, capsys, monkeypatch):
    monkeypatch.setenv("MASTER_KEY", "")
    assert main(["totp", "setup"]) == 2
    assert "MASTER_KEY is not set" in capsys.readouterr().err and not key_file_path(env).exists()
