"""Secrets Gwanje generates for itself (development token, session key, setup code): one private file each."""

from __future__ import annotations

import logging
import secrets
from pathlib import Path

from gwanje.core.private_file import write_private

log = logging.getLogger(__name__)

MIN_STORED_LENGTH = 16


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
