"""Turn a configured source URL into what FFmpeg needs, and mask credentials before anything is logged."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

from gwanje.config.camera import SourceConfig
from gwanje.core.secrets import mask_url


class SourceKind(StrEnum):
    """How a source behaves: live streams reconnect; files can end, loop and be paced; demo is generated."""

    RTSP = "rtsp"
    RTMP = "rtmp"
    HTTP = "http"
    FILE = "file"
    DEVICE = "device"
    STREAM = "stream"
    """Another FFmpeg network protocol (srt://, udp://, tcp://...)."""
    DEMO = "demo"

    @property
    def is_live(self) -> bool:
        """Live sources pace themselves and never 'finish': their end is a disconnect."""
        return self not in (SourceKind.FILE, SourceKind.DEMO)


@dataclass(frozen=True)
class SourceTarget:
    """What to hand to FFmpeg: the URL or path, a forced demuxer (or None) and demuxer options."""

    kind: SourceKind
    url: str
    format: str | None = None
    options: dict[str, str] = field(default_factory=dict)

    @property
    def display(self) -> str:
        """The URL with credentials masked: safe for logs, errors and the API."""
        return mask_url(self.url)


def _microseconds(seconds: float) -> str:
    return str(round(seconds * 1_000_000))


def resolve_source(cfg: SourceConfig) -> SourceTarget:
    """Classify ``cfg.url`` and add the options that make FFmpeg fail within ``cfg.timeout_s`` instead of hanging.

    User ``options`` win over the defaults added here.
    """
    url = cfg.url.strip()
    scheme = url.split(":", 1)[0].lower() if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", url) else ""
    timeout = _microseconds(cfg.timeout_s)
    defaults: dict[str, str]
    if scheme == "demo":
        return SourceTarget(SourceKind.DEMO, url, None, dict(cfg.options))
    if scheme in ("rtsp", "rtsps"):
        kind, defaults = SourceKind.RTSP, {"rtsp_transport": cfg.transport, "timeout": timeout}
    elif scheme in ("rtmp", "rtmps"):
        # FLV announces audio it may never send; without a shorter analysis the first frame takes 5 s.
        kind, defaults = SourceKind.RTMP, {"rw_timeout": timeout, "analyzeduration": "1000000"}
    elif scheme in ("http", "https"):
        kind, defaults = SourceKind.HTTP, {"rw_timeout": timeout}
    elif scheme == "v4l2":
        return SourceTarget(SourceKind.DEVICE, _strip_scheme(url), cfg.format or "v4l2", dict(cfg.options))
    elif scheme == "file":
        return SourceTarget(SourceKind.FILE, _strip_scheme(url), cfg.format, dict(cfg.options))
    elif scheme == "" and url.startswith("/dev/video"):
        return SourceTarget(SourceKind.DEVICE, url, cfg.format or "v4l2", dict(cfg.options))
    elif scheme == "":
        return SourceTarget(SourceKind.FILE, str(Path(url).expanduser()), cfg.format, dict(cfg.options))
    else:
        # Any other FFmpeg protocol (srt, udp, tcp...): a live stream with a read timeout.
        kind, defaults = SourceKind.STREAM, {"rw_timeout": timeout}
    return SourceTarget(kind, url, cfg.format, {**defaults, **cfg.options})


def _strip_scheme(url: str) -> str:
    """``file:///a/b.mp4`` -> ``/a/b.mp4``; ``v4l2:///dev/video0`` -> ``/dev/video0``."""
    rest = url.split(":", 1)[1]
    if rest.startswith("//"):
        parts = urlsplit(url)
        return (
            unquote(urlunsplit(("", "", parts.path, "", "")))
            if not parts.netloc
            else unquote(parts.netloc + parts.path)
        )
    return unquote(rest)
