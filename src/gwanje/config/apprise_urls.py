"""Whether Apprise understands a notification URL, asked without logging the URL (it carries tokens)."""

from __future__ import annotations

import logging
import re

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")


def url_scheme(url: str) -> str:
    """What may be shown of an Apprise URL: its scheme (``tgram://…``); the rest may hold tokens."""
    match = _SCHEME.match(url.strip())
    return f"{match.group(1).lower()}://…" if match else "(not a URL)"


def unknown_url_problems(urls: list[str]) -> list[str]:
    """One line per URL that Apprise cannot turn into a notification service (unknown scheme, missing token)."""
    import apprise

    problems = []
    logger = logging.getLogger("apprise")
    before = logger.disabled
    logger.disabled = True  # its parse errors may quote the URL
    try:
        for i, url in enumerate(urls):
            if apprise.Apprise.instantiate(url.strip(), suppress_exceptions=True) is None:
                problems.append(
                    f"urls[{i}] ({url_scheme(url)}) is not a URL Apprise understands (unknown scheme or a "
                    "required part missing; see https://github.com/caronc/apprise/wiki)"
                )
    finally:
        logger.disabled = before
    return problems
