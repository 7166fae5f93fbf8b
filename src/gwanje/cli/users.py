"""`gwanje user add NAME --role ROLE`: a person who logs in to the web app (password from a prompt or GWANJE_PASSWORD);
`gwanje user group NAME --cameras a,b --members x,y` and `gwanje user groups`: camera groups (per-camera permissions)."""

from __future__ import annotations

import argparse
import getpass
import json
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


def _names(text: str) -> list[str]:
    return [n.strip() for n in text.split(",") if n.strip()]


def _group(args: argparse.Namespace) -> int:
    config = load_store_config(args.config)
    store = Store.open(config.store)
    try:
        if args.delete:
            if not store.groups.delete_group(args.name):
                raise ConfigError(f"no camera group named {args.name!r}")
            store.audit(cli_actor(), "group_delete", f"group:{args.name}", "gwanje user group")
            print(f"deleted camera group {args.name!r}")
            return 0
        cameras = _names(args.cameras)
        known = {c.id for c in config.cameras}
        unknown = [c for c in cameras if c not in known]
        if unknown:
            raise ConfigError(f"no such camera(s) in the configuration: {', '.join(unknown)}; known: {sorted(known)}")
        try:
            saved = store.groups.save_group(args.name, cameras, _names(args.members))
        except ValueError as exc:
            raise ConfigError(str(exc)) from None
        detail = json.dumps({"cameras": list(saved.cameras), "members": list(saved.members)})
        store.audit(cli_actor(), "group_save", f"group:{saved.name}", "gwanje user group", detail=detail)
    finally:
        store.close()
    print(
        f"camera group {saved.name!r}: cameras {', '.join(saved.cameras) or '-'}; members {', '.join(saved.members) or '-'}"
    )
    return 0


def _groups(args: argparse.Namespace) -> int:
    config = load_store_config(args.config)
    store = Store.open(config.store)
    try:
        found = store.groups.list_groups()
    finally:
        store.close()
    if not found:
        print("no camera groups: every user sees every camera")
    for g in found:
        print(f"{g.name}: cameras {', '.join(g.cameras) or '-'}; members {', '.join(g.members) or '-'}")
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
    group = kinds.add_parser(
        "group",
        help="create or change a camera group (its members below admin see only its cameras); --delete removes it",
    )
    group.add_argument("name", help="the group's name (no spaces)")
    group.add_argument("--cameras", default="", help="comma-separated camera ids (replaces the group's cameras)")
    group.add_argument("--members", default="", help="comma-separated user names (replaces the group's members)")
    group.add_argument("--delete", action="store_true", help="delete the group")
    group.add_argument("--config", help="YAML config whose store is written (default: the built-in demo's, ./data)")
    group.set_defaults(func=_group)
    groups = kinds.add_parser("groups", help="list the camera groups with their cameras and members")
    groups.add_argument("--config", help="YAML config whose store is read (default: the built-in demo's, ./data)")
    groups.set_defaults(func=_groups)
