import argparse
import io

import pytest

from bot.keys_command import add_keys_parser, run_keys
from trading.secrets import SecretVault, key_file_path
from trading.settings import load_settings

API_KEY = "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789"
SECRET = "s3cr3t-0123456789-abcdefghij"


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="trading-assistant")
    add_keys_parser(parser.add_subparsers(dest="command"))
    return parser.parse_args(list(argv))


@pytest.fixture
def settings(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)     # no stray .env
    return load_settings(data_dir=tmp_path / "data", master_key="master key for tests")


def run(settings, *argv: str, stdin: str = "") -> tuple[int, str]:
    out = io.StringIO()
    code = run_keys(parse(*argv), settings, stdin=io.StringIO(stdin), stdout=out)
    return code, out.getvalue()


def test_set_reads_key_and_secret_from_a_pipe_and_stores_them_encrypted(settings):
    code, out = run(settings, "keys", "set", stdin=f"{API_KEY}\n{SECRET}\n")

    stored = SecretVault(key_file_path(settings.data_dir), "master key for tests").exchange_keys()
    assert code == 0 and "AbCd…6789" in out and API_KEY not in out
    assert (stored.api_key, stored.secret) == (API_KEY, SECRET)


def test_show_prints_the_keys_masked(settings):
    run(settings, "keys", "set", stdin=f"{API_KEY}\n{SECRET}\n")

    code, out = run(settings, "keys", "show")

    assert code == 0
    assert "API key: AbCd…6789" in out and "Secret:  s3cr…ghij" in out
    assert API_KEY not in out and SECRET not in out


def test_show_without_keys_says_how_to_store_them(settings):
    code, out = run(settings, "keys", "show")

    assert code == 1 and "trading-assistant keys set" in out


def test_wrong_master_key_is_one_line_and_exit_code_2(settings, capsys):
    run(settings, "keys", "set", stdin=f"{API_KEY}\n{SECRET}\n")
    other = settings.model_copy(update={"master_key": load_settings(master_key="not it").master_key})

    code, _ = run(other, "keys", "show")

    err = capsys.readouterr().err
    assert code == 2 and "MASTER_KEY does not unlock" in err and err.count("\n") == 1
    assert "Traceback" not in err


def test_set_without_master_key_is_refused(settings, capsys):
    bare = settings.model_copy(update={"master_key": load_settings(master_key="").master_key})

    code, _ = run(bare, "keys", "set", stdin=f"{API_KEY}\n{SECRET}\n")

    assert code == 2 and "MASTER_KEY is not set" in capsys.readouterr().err
    assert not key_file_path(settings.data_dir).exists()


def test_set_with_a_missing_secret_stores_nothing(settings, capsys):
    code, _ = run(settings, "keys", "set", stdin=f"{API_KEY}\n")

    assert code == 2 and not key_file_path(settings.data_dir).exists()


def test_delete_with_yes_removes_the_file(settings):
    run(settings, "keys", "set", stdin=f"{API_KEY}\n{SECRET}\n")

    code, out = run(settings, "keys", "delete", "--yes")

    assert code == 0 and "Deleted" in out and not key_file_path(settings.data_dir).exists()


def test_delete_without_a_terminal_or_yes_keeps_the_file(settings, capsys):
    run(settings, "keys", "set", stdin=f"{API_KEY}\n{SECRET}\n")

    code, _ = run(settings, "keys", "delete", stdin="yes\n")

    assert code == 2 and "--yes" in capsys.readouterr().err
    assert key_file_path(settings.data_dir).exists()
