"""Secrets Gwanje generates for itself (development token, session key, setup code): one private file each."""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path

log = logging.getLogger(__name__)

MIN_STORED_LENGTH = 16


def write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` with mode 0600 from the start (through a temporary file and a rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text + "\n")
    os.replace(tmp, path)


def read_or_create_secret(path: Path, what: str) -> str:
    """The secret stored in ``path``, or a new random one written there; logs where it is, never what it is."""
    if path.is_file():
        stored = path.read_text(encoding="utf-8").strip()
        if len(stored) >= MIN_STORED_LENGTH:
            path.chmod(0o600)
            return stored
    value = secrets.token_urlsafe(32)
    write_private(path, value)
    log.warning("created a %s in %s (mode 0600)", what, path)
    return value
