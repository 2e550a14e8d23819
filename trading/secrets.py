"""The encrypted key file in DATA_DIR: exchange API keys and the TOTP secret, unlocked by MASTER_KEY.

The file is JSON: a random salt, the scrypt cost, a random nonce and the AES-256-GCM ciphertext of the
secrets. The encryption key is derived from MASTER_KEY with scrypt and the salt; GCM authenticates the
whole payload, so a wrong MASTER_KEY or a tampered file is refused rather than decrypted into garbage.
"""
from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from trading.domain.errors import ConfigurationError

KEY_FILE_NAME = "secrets.enc.json"
FORMAT_VERSION = 1
SCRYPT_COST = 2 ** 15          # about 32 MB and 0.1 s per unlock: cheap once, costly to brute-force
EXCHANGE_API_KEY = "exchange_api_key"
EXCHANGE_SECRET = "exchange_secret"
TOTP_SECRET = "totp_secret"    # the two-factor secret live approvals check codes against
_AAD = b"trading-assistant secrets v1"


@dataclass(frozen=True, slots=True)
class ExchangeKeys:
    """An exchange API key and its secret."""

    api_key: str
    secret: str

    def __repr__(self) -> str:
        return f"ExchangeKeys(api_key={mask_secret(self.api_key)!r}, secret={mask_secret(self.secret)!r})"


def mask_secret(value: str) -> str:
    """Return value with all but its first and last four characters hidden: 'abcd…wxyz'."""
    if len(value) > 12:
        return f"{value[:4]}…{value[-4:]}"
    # a short value would be mostly revealed by eight characters; show less of it
    return f"{value[:2]}…" if len(value) > 6 else "…"


def key_file_path(data_dir: Path) -> Path:
    """Return where the encrypted key file lives in data_dir."""
    return Path(data_dir) / KEY_FILE_NAME


class SecretVault:
    """Named secrets in one encrypted file; every read unlocks the file with MASTER_KEY."""

    def __init__(self, path: Path, master_key: str, *, cost: int = SCRYPT_COST) -> None:
        if not master_key.strip():
            raise ConfigurationError("MASTER_KEY is not set: it is needed to encrypt and unlock the exchange keys "
                                     "and the TOTP secret")
        self.path = Path(path)
        self._master = master_key.encode()
        self._cost = cost

    def exists(self) -> bool:
        """Return True when the key file is there."""
        return self.path.exists()

    def read(self) -> dict[str, str]:
        """Return every stored secret by name ({} when there is no file); raise ConfigurationError if locked."""
        if not self.path.exists():
            return {}
        envelope = self._envelope()
        try:
            salt, nonce = _b64(envelope["salt"]), _b64(envelope["nonce"])
            ciphertext, cost = _b64(envelope["ciphertext"]), int(envelope["cost"])
        except (KeyError, ValueError, TypeError):
            raise ConfigurationError(f"{self.path} is not a key file of this program (damaged?)") from None
        try:
            plain = AESGCM(self._derive(salt, cost)).decrypt(nonce, ciphertext, _AAD)
        except InvalidTag:
            raise ConfigurationError(f"MASTER_KEY does not unlock {self.path}: wrong MASTER_KEY, or the file "
                                     f"was changed") from None
        return {str(k): str(v) for k, v in json.loads(plain).items()}

    def write(self, secrets: dict[str, str]) -> None:
        """Replace the file's contents with secrets, encrypted under a fresh salt and nonce (mode 0600)."""
        salt, nonce = os.urandom(16), os.urandom(12)
        ciphertext = AESGCM(self._derive(salt, self._cost)).encrypt(
            nonce, json.dumps(secrets, sort_keys=True).encode(), _AAD)
        envelope = {"version": FORMAT_VERSION, "kdf": "scrypt", "cost": self._cost, "salt": _text(salt),
                    "nonce": _text(nonce), "cipher": "AES-256-GCM", "ciphertext": _text(ciphertext)}
        _write_private(self.path, json.dumps(envelope, indent=1))

    def put(self, name: str, value: str) -> None:
        """Store or replace one named secret, keeping the others."""
        self.write(self.read() | {name: value})

    def exchange_keys(self) -> ExchangeKeys | None:
        """Return the stored exchange keys, or None when none are stored."""
        secrets = self.read()
        if not secrets.get(EXCHANGE_API_KEY) or not secrets.get(EXCHANGE_SECRET):
            return None
        return ExchangeKeys(secrets[EXCHANGE_API_KEY], secrets[EXCHANGE_SECRET])

    def set_exchange_keys(self, keys: ExchangeKeys) -> None:
        """Store the exchange keys, keeping any other secret."""
        self.write(self.read() | {EXCHANGE_API_KEY: keys.api_key, EXCHANGE_SECRET: keys.secret})

    def totp_secret(self) -> str | None:
        """Return the stored TOTP secret, or None when none is stored."""
        return self.read().get(TOTP_SECRET) or None

    def set_totp_secret(self, secret: str) -> None:
        """Store the TOTP secret, keeping any other secret."""
        self.write(self.read() | {TOTP_SECRET: secret})

    def _envelope(self) -> dict[str, Any]:
        try:
            envelope = json.loads(self.path.read_text())
        except (OSError, ValueError) as exc:
            raise ConfigurationError(f"cannot read the key file {self.path}: {exc}") from None
        if not isinstance(envelope, dict) or envelope.get("version") != FORMAT_VERSION:
            raise ConfigurationError(f"{self.path} is not a key file of this program (unknown format)")
        return envelope

    def _derive(self, salt: bytes, cost: int) -> bytes:
        return Scrypt(salt=salt, length=32, n=cost, r=8, p=1).derive(self._master)


def delete_key_file(path: Path) -> bool:
    """Remove the key file; return False when there was none."""
    try:
        Path(path).unlink()
    except FileNotFoundError:
        return False
    return True


def _write_private(path: Path, text: str) -> None:
    # write beside and rename, so a crash never leaves half a key file; 0600 from creation on
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.chmod(temporary, 0o600)     # O_CREAT's mode is reduced by the umask, never widened; make it exact
    os.replace(temporary, path)


def _text(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def _b64(text: str) -> bytes:
    return base64.b64decode(text.encode(), validate=True)
