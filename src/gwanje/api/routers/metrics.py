"""``/metrics``: Prometheus text format (token required; configure it as the scrape job's bearer token)."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, Response, status
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

from gwanje.api.deps import Viewer
from gwanje.api.responses import AUTHENTICATED, errors

router = APIRouter(tags=["metrics"], responses=errors(*AUTHENTICATED))


@router.get("/metrics", summary="Prometheus metrics", response_class=Response)
def metrics(request: Request, who: Viewer) -> Response:
    if who.cameras is not None:  # the metrics name every camera: not for a user limited to some by camera groups
        raise HTTPException(
            status.HTTP_403_FORBIDDEN, f"{who.name!r} sees only some cameras (camera groups); metrics cover all"
        )
    registry: CollectorRegistry = request.app.state.metrics_registry
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
