"""REST API, live event stream and metrics (FastAPI).

Wiring: ``create_app(ApiContext.create(config, store, media, camera_status=..., latest_snapshot=...,
delivery_status=...))``; publish engine events with ``ctx.broadcaster.publish_event(event)``.
"""

from gwanje.api.app import create_app
from gwanje.api.auth import Principal, Role, TokenAuth, ensure_dev_token
from gwanje.api.context import ApiContext
from gwanje.api.live import EventBroadcaster

__all__ = ["ApiContext", "EventBroadcaster", "Principal", "Role", "TokenAuth", "create_app", "ensure_dev_token"]
