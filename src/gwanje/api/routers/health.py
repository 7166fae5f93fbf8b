"""``/api/health``: unauthenticated liveness for load balancers and monitoring."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Response, status

from gwanje import __version__
from gwanje.api.deps import Ctx
from gwanje.api.responses import errors
from gwanje.api.schemas import HealthOut
from gwanje.core.errors import StorageError

log = logging.getLogger(__name__)
router = APIRouter(tags=["health"], responses=errors(422, 500, 503))


@router.get("/api/health", response_model=HealthOut, summary="Service and database health (no token needed)")
def health(ctx: Ctx, response: Response) -> HealthOut:
    try:
        ctx.store.ping()
    except StorageError as exc:
        log.warning("health check: database does not answer: %s", exc)
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
        # details stay in the server log: this endpoint is open to anyone
        return HealthOut(status="degraded", database="unreachable", version=__version__)
    return HealthOut(status="ok", database="ok", version=__version__)
