"""Masking credentials before a URL reaches a log line, an error message, the database or the API."""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

MASK = "***"
_SECRET_QUERY = re.compile(r"(?i)([?&;](?:password|passwd|pass|pwd|token|key|secret|auth|api_key|apikey)=)([^&;#\s]*)")
_USERINFO_PASSWORD = re.compile(r"(?i)([a-z][a-z0-9+.-]*://[^/\s:@]*:)([^/\s]*)(@)")
"""Greedy up to the last ``@`` before the path, as FFmpeg splits it: a raw ``@`` in a password stays hidden."""


def mask_url(url: str) -> str:
    """The URL (or any text holding URLs) with passwords and secret-looking query values replaced by ``***``.

    >>> mask_url("rtsp://admin:hunter2@10.0.0.5:554/stream?token=abc&ch=1")
    'rtsp://admin:***@10.0.0.5:554/stream?token=***&ch=1'
    >>> mask_url("/videos/lobby.mp4")
    '/videos/lobby.mp4'
    """
    masked = _USERINFO_PASSWORD.sub(lambda m: m.group(1) + MASK + m.group(3), url)
    return _SECRET_QUERY.sub(lambda m: m.group(1) + MASK, masked)


def redact(text: str, url: str) -> str:
    """Remove every form of ``url``'s secrets from ``text`` (FFmpeg error messages may quote the raw URL)."""
    text = text.replace(url, mask_url(url))
    for secret in _secrets_of(url):
        if len(secret) >= 3:
            text = text.replace(secret, MASK)
    return mask_url(text)


def _secrets_of(url: str) -> list[str]:
    found = [m.group(2) for m in _SECRET_QUERY.finditer(url)]
    parts = urlsplit(url) if "://" in url else None
    if parts is not None and parts.password:
        found += [parts.password, unquote(parts.password)]
    return [s for s in found if s]
