import json
import stat

import pytest

from trading.domain.errors import ConfigurationError
from trading.secrets import (TOTP_SECRET, ExchangeKeys, SecretVault, delete_key_file, key_file_path,
                             mask_secret)

FAST = 2 ** 10      # a cheap scrypt cost keeps the tests quick; the file records the cost it was written with
KEYS = ExchangeKeys("AbCdEfGhIjKlMnOpQrStUvWxYz0123456789", "s3cr3t-0123456789-abcdefghij")


@pytest.fixture
def vault(tmp_path) -> SecretVault:
    return SecretVault(key_file_path(tmp_path), "correct horse battery staple", cost=FAST)


def test_stored_keys_come_back_with_the_same_master_key(vault, tmp_path):
    vault.set_exchange_keys(KEYS)

    again = SecretVault(key_file_path(tmp_path), "correct horse battery staple")

    assert again.exchange_keys() == KEYS


def test_key_file_is_private_and_holds_no_secret_in_clear(vault):
    vault.set_exchange_keys(KEYS)

    text = vault.path.read_text()

    assert stat.S_IMODE(vault.path.stat().st_mode) == 0o600
    assert KEYS.api_key not in text and KEYS.secret not in text
    envelope = json.loads(text)
    assert (envelope["kdf"], envelope["cost"], envelope["cipher"]) == ("scrypt", FAST, "AES-256-GCM")


def test_each_write_uses_a_fresh_salt_and_nonce(vault):
    vault.set_exchange_keys(KEYS)
    first = json.loads(vault.path.read_text())
    vault.set_exchange_keys(KEYS)
    second = json.loads(vault.path.read_text())

    assert first["salt"] != second["salt"] and first["nonce"] != second["nonce"]


def test_wrong_master_key_is_a_clear_configuration_error(vault, tmp_path):
    vault.set_exchange_keys(KEYS)

    with pytest.raises(ConfigurationError, match="MASTER_KEY does not unlock"):
        SecretVault(key_file_path(tmp_path), "wrong key").exchange_keys()


def test_a_changed_file_is_refused_like_a_wrong_key(vault):
    vault.set_exchange_keys(KEYS)
    envelope = json.loads(vault.path.read_text())
    envelope["ciphertext"] = envelope["ciphertext"][:-8] + "AAAAAAA="
    vault.path.write_text(json.dumps(envelope))

    with pytest.raises(ConfigurationError, match="wrong MASTER_KEY, or the file was changed"):
        vault.read()


def test_a_file_of_another_kind_is_refused(vault):
    vault.path.write_text("not json at all")

    with pytest.raises(ConfigurationError, match="cannot read the key file"):
        vault.read()


def test_missing_master_key_is_refused_before_anything_is_read(tmp_path):
    with pytest.raises(ConfigurationError, match="MASTER_KEY is not set"):
        SecretVault(key_file_path(tmp_path), "  ")


def test_no_file_means_no_keys(vault):
    assert vault.exchange_keys() is None and vault.read() == {}


def test_other_secrets_survive_a_change_of_exchange_keys(vault):
    vault.put(TOTP_SECRET, "JBSWY3DPEHPK3PXP")

    vault.set_exchange_keys(KEYS)

    assert vault.read()[TOTP_SECRET] == "JBSWY3DPEHPK3PXP"


def test_delete_removes_the_file_once(vault):
    vault.set_exchange_keys(KEYS)

    assert delete_key_file(vault.path) is True
    assert delete_key_file(vault.path) is False
    assert not vault.exists()


@pytest.mark.parametrize("value, shown", [
    ("AbCdEfGhIjKlMnOpQrStUvWxYz", "AbCd…WxYz"),
    ("1234567890abc", "1234…0abc"),
    ("12345678", "12…"),
    ("abc", "…"),
    ("", "…"),
])
def test_mask_shows_at_most_four_characters_each_end(value, shown):
    assert mask_secret(value) == shown


def test_keys_never_show_in_clear_in_their_repr():
    assert KEYS.secret not in repr(KEYS) and KEYS.api_key not in repr(KEYS)
