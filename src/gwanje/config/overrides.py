"""Run-time changes layered over a configuration file's named entries (cameras, alert channels): one logic for both.

Per entry the change is stored as its difference from the file's entry (``config_diff``), an entry added at run
time whole, a deleted one as ``null``; reading merges them back (``layered``). So a later change of the file still
reaches every field nobody changed at run time, and a value kept in ``${ENV}`` is copied only when that field itself
was changed. The JSON file (``{"version": 1, SECTION: {...}}``) is written with mode 0600 through a temporary file
and a rename, so a crash leaves the old or the new version, never half of one.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from gwanje.core.errors import ConfigError
from gwanje.core.private_file import write_private

VERSION = 1
Overrides = dict[str, dict[str, Any] | None]


def config_diff(base: Any, new: Any) -> Any:
    """What of ``new`` differs from ``base``: nested dicts key by key, anything else as a whole."""
    if isinstance(base, dict) and isinstance(new, dict):
        return {k: config_diff(base.get(k), v) for k, v in new.items() if k not in base or base[k] != v}
    return new


def config_merge(base: Any, patch: Any) -> Any:
    if isinstance(base, dict) and isinstance(patch, dict):
        return {**base, **{k: config_merge(base.get(k), v) for k, v in patch.items()}}
    return patch


def read_overrides(path: Path, section: str, what: str, key_ok: Callable[[str], bool] | None = None) -> Overrides:
    """The ``section`` object of the overrides file at ``path``; ConfigError naming ``what`` when it is not one."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ConfigError(f"{path}: {what} changes not readable: {error}") from error
    entries = raw.get(section) if isinstance(raw, dict) else None
    if not isinstance(entries, dict) or (key_ok is not None and not all(key_ok(k) for k in entries)):
        raise ConfigError(f"{path}: not a {what} overrides file (no valid {section!r} object)")
    return entries


def entry_keys(base: dict[str, dict[str, Any]], overrides: Overrides) -> list[str]:
    """The file's entries in its order, then those added at run time."""
    return [*base, *(k for k in overrides if k not in base)]


def layered(base: dict[str, dict[str, Any]], overrides: Overrides, key: str) -> dict[str, Any] | None:
    """The entry as the file has it with its stored changes (None: deleted at run time)."""
    if key in overrides and overrides[key] is None:
        return None
    patch = overrides.get(key) or {}
    known = base.get(key)
    return config_merge(known, patch) if known is not None else dict(patch)


def with_change(
    base: dict[str, dict[str, Any]], overrides: Overrides, key: str, new: dict[str, Any] | None
) -> Overrides:
    """``overrides`` after the entry ``key`` became ``new`` (None: deleted)."""
    out = dict(overrides)
    known = base.get(key)
    if new is None:
        out[key] = None
        if known is None:
            del out[key]  # added at run time, deleted again: nothing is left of it
    else:
        out[key] = config_diff(known, new) if known is not None else new
        if known is not None and not out[key]:
            del out[key]  # back to what the file says
    return out


def write_overrides(path: Path | None, section: str, overrides: Overrides) -> None:
    """Persist ``overrides`` (nothing when ``path`` is None: changes kept in memory only)."""
    if path is not None:
        write_private(path, json.dumps({"version": VERSION, section: overrides}, indent=1))
