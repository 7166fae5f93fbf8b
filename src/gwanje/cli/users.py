"""`gwanje user add NAME --role ROLE`: a person who logs in to the web app (password from a prompt or GWANJE_PASSWORD)."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from typing import Any

from gwanje.api.accounts import Accounts
from gwanje.cli.store_access import cli_actor, load_store_config
from gwanje.core.errors import ConfigError
from gwanje.store import Store
from gwanje.store.accounts import ROLES

PASSWORD_ENV = "GWANJE_PASSWORD"


def _password(name: str) -> str:
    """From GWANJE_PASSWORD (scripts) or typed twice at a prompt that does not echo; never printed."""
    from_env = os.environ.get(PASSWORD_ENV)
    if from_env:
        return from_env
    if not sys.stdin.isatty():
        raise ConfigError(f"no terminal to ask for the password: set {PASSWORD_ENV} for scripts")
    first = getpass.getpass(f"password for {name}: ")
    if getpass.getpass("again: ") != first:
        raise ConfigError("the two passwords differ; nothing was changed")
    return first


def _add(args: argparse.Namespace) -> int:
    config = load_store_config(args.config)
    password = _password(args.name)
    store = Store.open(config.store)
    try:
        accounts = Accounts(store, config.api, config.store.data_dir)
        try:
            user = accounts.create_user(args.name, args.role, password, actor=cli_actor(), client="gwanje user add")
        except ValueError as exc:
            raise ConfigError(str(exc)) from None
    finally:
        store.close()
    print(
        f"added {user.role} {user.name!r} to {config.store.data_dir}; they log in at http://{config.api.host}:{config.api.port}/login"
    )
    return 0


def register(sub: Any) -> None:
    p = sub.add_parser("user", help="people who log in to the web app")
    kinds = p.add_subparsers(dest="user", metavar="ACTION", required=True)
    add = kinds.add_parser(
        "add", help=f"add a user; the password is asked for (or read from {PASSWORD_ENV}), never an argument"
    )
    add.add_argument("name", help="the login name (what the audit log records)")
    add.add_argument("--role", choices=ROLES, required=True, help="viewer < operator < admin")
    add.add_argument("--config", help="YAML config whose store is written (default: the built-in demo's, ./data)")
    add.set_defaults(func=_add)
