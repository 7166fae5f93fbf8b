"""The alert channels (webhooks, Apprise) as administrators changed them: the configuration file's channels with the
changes made in the web app or the API layered over them, kept in ``<data_dir>/channel-overrides.json``.

It works like ``config.managed`` for cameras: the YAML file is never rewritten; a channel changed at run time is
stored as its difference from the file (so a token kept in ``${ENV}`` is copied only when it was itself changed), a
channel added at run time as its whole configuration, and a deleted one as ``null``. The file holds tokens: it is
written with mode 0600 through a temporary file and a rename. Every change is validated with the configuration's own
models (``WebhookConfig``, ``AppriseConfig``) before it is stored.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, Literal

from pydantic import ValidationError

from gwanje.config.alerts import AlertsConfig, AppriseConfig, WebhookConfig
from gwanje.config.managed import validation_reason
from gwanje.config.overrides import entry_keys, layered, read_overrides, with_change, write_overrides
from gwanje.core.errors import ConfigError

CHANNELS_FILE = "channel-overrides.json"
SECTION = "channels"
ChannelKind = Literal["webhook", "apprise"]
ChannelConfig = WebhookConfig | AppriseConfig
MODELS: dict[str, type[WebhookConfig] | type[AppriseConfig]] = {"webhook": WebhookConfig, "apprise": AppriseConfig}
SECRET_FIELDS = {"webhook": ("url", "secret", "headers"), "apprise": ("urls",)}
"""The fields that may hold tokens: never shown, logged nor audited."""


class UnknownChannel(KeyError):
    """No webhook or Apprise channel with this name."""


class ChannelExists(ValueError):
    """A channel with this name exists already."""


def channel_key(config: ChannelConfig) -> str:
    """The channel's name as the outbox knows it: ``webhook:<name>`` or ``apprise:<name>``."""
    return f"{kind_of(config)}:{config.name}"


def kind_of(config: ChannelConfig) -> ChannelKind:
    return "webhook" if isinstance(config, WebhookConfig) else "apprise"


def plain(config: ChannelConfig) -> dict[str, Any]:
    """The configuration as JSON values, secrets included (for the overrides file and merge patches only)."""
    out = config.model_dump(mode="json")
    if isinstance(config, WebhookConfig):
        out["secret"] = None if config.secret is None else config.secret.get_secret_value()
    else:
        out["urls"] = [u.get_secret_value() for u in config.urls]
    return out


def parse(key: str, config: dict[str, Any]) -> ChannelConfig:
    """Validate one channel's configuration (ValidationError when the configuration would refuse it)."""
    kind = key.partition(":")[0]
    return MODELS[kind].model_validate(config)


class ManagedChannels:
    """The current webhook and Apprise channels (file + run-time changes), validated, persisted; thread-safe.

    ``path`` None keeps changes in memory only (tests, offline tools)."""

    def __init__(self, alerts: AlertsConfig, path: Path | None) -> None:
        self._alerts = alerts
        self._path = path
        self._lock = threading.RLock()
        files: list[ChannelConfig] = [*alerts.webhooks, *alerts.apprise]
        self._base = {channel_key(c): plain(c) for c in files}
        self._overrides = (
            read_overrides(path, SECTION, "channel", lambda key: key.partition(":")[0] in MODELS)
            if path is not None and path.is_file()
            else {}
        )
        self._channels = self._build()

    @classmethod
    def for_data_dir(cls, alerts: AlertsConfig, data_dir: Path) -> ManagedChannels:
        return cls(alerts, data_dir / CHANNELS_FILE)

    @property
    def config(self) -> AlertsConfig:
        """The alerts configuration with the current channels."""
        with self._lock:
            channels = list(self._channels.values())
        return self._alerts.model_copy(
            update={
                "webhooks": [c for c in channels if isinstance(c, WebhookConfig)],
                "apprise": [c for c in channels if isinstance(c, AppriseConfig)],
            }
        )

    def _build(self) -> dict[str, ChannelConfig]:
        out: dict[str, ChannelConfig] = {}
        for key in entry_keys(self._base, self._overrides):
            config = layered(self._base, self._overrides, key)
            if config is None:
                continue
            try:
                out[key] = parse(key, config)
            except ValidationError as error:
                raise ConfigError(
                    f"{self._path}: channel {key!r} as changed at run time is no longer valid "
                    f"({validation_reason(error)}); fix or remove its entry"
                ) from None
        return out

    def get(self, key: str) -> ChannelConfig | None:
        with self._lock:
            return self._channels.get(key)

    def add(self, config: ChannelConfig) -> None:
        with self._lock:
            if channel_key(config) in self._channels:
                raise ChannelExists(f"a channel named {channel_key(config)!r} exists already")
            self._store(channel_key(config), config)

    def update(self, config: ChannelConfig) -> ChannelConfig:
        """Put ``config`` in the place of the channel with its name; returns the one it replaced."""
        with self._lock:
            old = self._channels.get(channel_key(config))
            if old is None:
                raise UnknownChannel(channel_key(config))
            self._store(channel_key(config), config)
            return old

    def delete(self, key: str) -> ChannelConfig:
        with self._lock:
            old = self._channels.get(key)
            if old is None:
                raise UnknownChannel(key)
            self._store(key, None)
            return old

    def _store(self, key: str, config: ChannelConfig | None) -> None:
        overrides = with_change(self._base, self._overrides, key, None if config is None else plain(config))
        write_overrides(self._path, SECTION, overrides)
        self._overrides = overrides
        self._channels = self._build()
