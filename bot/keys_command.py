"""`trading-assistant keys set|show|delete`: the exchange API keys, encrypted at rest in DATA_DIR."""
from __future__ import annotations

import argparse
import sys
from getpass import getpass
from typing import TYPE_CHECKING, TextIO

from trading.domain.errors import ConfigurationError

if TYPE_CHECKING:       # imported where used: every other command starts without them
    from trading.secrets import SecretVault
    from trading.settings import Settings


def add_keys_parser(subparsers: argparse._SubParsersAction) -> None:
    """Add the `keys` subcommand and its actions to the command line."""
    keys = subparsers.add_parser("keys", help="store, show (masked) or delete the exchange API keys")
    actions = keys.add_subparsers(dest="keys_action", required=True)
    actions.add_parser("set", help="store the API key and secret, encrypted with MASTER_KEY "
                                   "(asked for without echo, or read as two lines from stdin)")
    actions.add_parser("show", help="print the stored key and secret, masked")
    delete = actions.add_parser("delete", help="delete the key file")
    delete.add_argument("--yes", action="store_true", help="do not ask for confirmation")


def run_keys(args: argparse.Namespace, settings: Settings, *, stdin: TextIO | None = None,
             stdout: TextIO | None = None) -> int:
    """Run `keys set|show|delete`; return the exit code (2 for a refused or misconfigured request)."""
    from trading.secrets import SecretVault, key_file_path

    stdin, stdout = stdin or sys.stdin, stdout or sys.stdout
    path = key_file_path(settings.data_dir)
    try:
        if args.keys_action == "delete":
            return _delete(path, args.yes, stdin, stdout)
        vault = SecretVault(path, settings.master_key.get_secret_value())
        if args.keys_action == "set":
            return _set(vault, stdin, stdout)
        return _show(vault, stdout)
    except ConfigurationError as exc:
        print(f"trading-assistant keys: {exc}", file=sys.stderr)
        return 2
    except (EOFError, KeyboardInterrupt):
        print("trading-assistant keys: cancelled, nothing changed", file=sys.stderr)
        return 2


def _set(vault: SecretVault, stdin: TextIO, stdout: TextIO) -> int:
    from trading.secrets import ExchangeKeys, mask_secret

    vault.read()     # refuse early when the file exists but this MASTER_KEY cannot unlock it
    api_key, secret = _ask("Exchange API key: ", stdin), _ask("Exchange API secret: ", stdin)
    if not api_key or not secret:
        raise ConfigurationError("both the API key and the secret are needed; nothing was stored")
    vault.set_exchange_keys(ExchangeKeys(api_key, secret))
    print(f"Stored API key {mask_secret(api_key)} in {vault.path} (encrypted with MASTER_KEY).", file=stdout)
    return 0


def _show(vault: SecretVault, stdout: TextIO) -> int:
    from trading.secrets import mask_secret

    keys = vault.exchange_keys()
    if keys is None:
        print(f"No exchange keys stored in {vault.path}. Store them with: trading-assistant keys set",
              file=stdout)
        return 1
    print(f"API key: {mask_secret(keys.api_key)}\nSecret:  {mask_secret(keys.secret)}\nFile:    {vault.path}",
          file=stdout)
    return 0


def _delete(path, yes: bool, stdin: TextIO, stdout: TextIO) -> int:
    if not path.exists():
        print(f"No key file at {path}; nothing to delete.", file=stdout)
        return 0
    if not yes:
        if not stdin.isatty():
            raise ConfigurationError("refusing to delete the keys without confirmation: add --yes")
        print(f"Delete the exchange keys in {path}? Type yes to confirm: ", end="", file=stdout, flush=True)
        if stdin.readline().strip().lower() != "yes":
            print("Kept the keys.", file=stdout)
            return 1
    from trading.secrets import delete_key_file

    delete_key_file(path)
    print(f"Deleted {path}.", file=stdout)
    return 0


def _ask(prompt: str, stdin: TextIO) -> str:
    # a terminal gets a prompt without echo; a pipe (scripts, Docker secrets) gives one value per line
    if stdin.isatty():
        return getpass(prompt).strip()
    line = stdin.readline()
    if not line:
        raise EOFError
    return line.strip()
