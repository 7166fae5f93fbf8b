"""Database, media files and retention.

``Store.open(cfg)`` opens (and migrates) the database; ``MediaStore.for_config(cfg)`` names and writes
snapshot and clip files; ``RetentionWorker`` deletes old media in the background.
"""

from gwanje.core.secrets import mask_url
from gwanje.store.media import MediaStore
from gwanje.store.records import (
    ActionRecord,
    AuditRecord,
    CameraRecord,
    EventRecord,
    OperatorAction,
    OperatorStatus,
    UnknownEvent,
)
from gwanje.store.repo import Store
from gwanje.store.retention import RetentionReport, RetentionWorker, apply_retention

__all__ = [
    "ActionRecord",
    "AuditRecord",
    "CameraRecord",
    "EventRecord",
    "MediaStore",
    "OperatorAction",
    "OperatorStatus",
    "RetentionReport",
    "RetentionWorker",
    "Store",
    "UnknownEvent",
    "apply_retention",
    "mask_url",
]
