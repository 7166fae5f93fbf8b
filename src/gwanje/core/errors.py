"""Exception types that mean something to the code that catches them."""

from __future__ import annotations


class GwanjeError(Exception):
    """Base class of every error Gwanje raises on purpose."""


class ConfigError(GwanjeError):
    """The configuration is invalid; the message names the key path, the value and what is allowed."""


class SourceUnavailable(GwanjeError):
    """A camera source cannot be opened or stopped delivering frames; the reader retries with backoff."""


class SourceFormatError(GwanjeError):
    """A source opened but is not usable video (no video stream, not a media file); retrying will not help."""


class ModelLoadError(GwanjeError):
    """A model file is missing, corrupt or does not have the expected inputs and outputs."""


class StorageError(GwanjeError):
    """The database or the media directory cannot be written (for example: disk full)."""


class DiskFullError(StorageError):
    """The media disk (or the user's quota on it) is full; retention is asked to free space at once."""


class AlertDeliveryError(GwanjeError):
    """A receiver refused or could not be reached; the outbox retries the delivery later."""
