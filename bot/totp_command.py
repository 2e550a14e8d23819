"""`trading-assistant totp setup|show|reset`: the two-factor secret for live approvals, encrypted at rest."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from trading.domain.errors import ConfigurationError

if TYPE_CHECKING:       # imported where used: every other command starts without them
    from trading.secrets import SecretVault
    from trading.settings import Settings

QR_FILE_NAME = "totp-qr.png"


def add_totp_parser(subparsers: argparse._SubParsersAction) -> None:
    """Add the `totp` subcommand and its actions to the command line."""
    totp = subparsers.add_parser("totp", help="create, show (masked) or replace the two-factor (TOTP) secret "
                                              "that live approvals and /live on ask a code of")
    actions = totp.add_subparsers(dest="totp_action", required=True)
    actions.add_parser("setup", help="create the secret, print its otpauth:// URI and write a QR code PNG")
    actions.add_parser("show", help="print the stored secret, masked")
    reset = actions.add_parser("reset", help="replace the secret (the authenticator app must scan the new one)")
    reset.add_argument("--yes", action="store_true", help="do not ask for confirmation")


def run_totp(args: argparse.Namespace, settings: Settings, *, stdin: TextIO | None = None,
             stdout: TextIO | None = None) -> int:
    """Run `totp setup|show|reset`; return the exit code (2 for a refused or misconfigured request)."""
    stdin, stdout = stdin or sys.stdin, stdout or sys.stdout
    from trading.secrets import SecretVault, key_file_path

    try:
        vault = SecretVault(key_file_path(settings.data_dir), settings.master_key.get_secret_value())
        current = vault.totp_secret()
        if args.totp_action == "show":
            return _show(vault, current, stdout)
        if args.totp_action == "setup" and current is not None:
            raise ConfigurationError("a TOTP secret is already set up; `trading-assistant totp show` shows it "
                                     "masked, `trading-assistant totp reset` replaces it")
        if args.totp_action == "reset" and current is not None and not _confirmed(args.yes, stdin, stdout):
            print("Kept the TOTP secret.", file=stdout)
            return 1
        return _create(vault, Path(settings.data_dir), stdout)
    except ConfigurationError as exc:
        print(f"trading-assistant totp: {exc}", file=sys.stderr)
        return 2


def _create(vault: SecretVault, data_dir: Path, stdout: TextIO) -> int:
    from trading.services.two_factor import new_totp_secret, provisioning_uri

    secret = new_totp_secret()
    vault.set_totp_secret(secret)
    uri = provisioning_uri(secret)
    qr = write_qr(uri, data_dir / QR_FILE_NAME)
    print(f"Stored a new TOTP secret in {vault.path} (encrypted with MASTER_KEY).\n"
          f"Add it to your authenticator app: scan {qr}\nor open this URI on the phone:\n{uri}\n"
          f"Delete {qr.name} once scanned: it holds the secret.", file=stdout)
    return 0


def write_qr(uri: str, path: Path) -> Path:
    """Write the URI as a QR code PNG readable only by its owner; return the path."""
    import segno

    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        segno.make(uri, error="m").save(handle, kind="png", scale=8, border=4)
    os.chmod(path, 0o600)
    return path


def _show(vault: SecretVault, current: str | None, stdout: TextIO) -> int:
    from trading.secrets import mask_secret

    if current is None:
        print(f"No TOTP secret in {vault.path}. Create one with: trading-assistant totp setup", file=stdout)
        return 1
    print(f"TOTP secret: {mask_secret(current)}\nFile:        {vault.path}", file=stdout)
    return 0


def _confirmed(yes: bool, stdin: TextIO, stdout: TextIO) -> bool:
    if yes:
        return True
    if not stdin.isatty():
        raise ConfigurationError("refusing to replace the TOTP secret without confirmation: add --yes")
    print("Replace the TOTP secret? The old codes stop working. Type yes to confirm: ", end="", file=stdout,
          flush=True)
    return stdin.readline().strip().lower() == "yes"
