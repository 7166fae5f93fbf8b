"""``/metrics``: Prometheus text format (token required; configure it as the scrape job's bearer token)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

from gwanje.api.deps import Viewer
from gwanje.api.responses import AUTHENTICATED, errors

router = APIRouter(tags=["metrics"], responses=errors(*AUTHENTICATED))


@router.get("/metrics", summary="Prometheus metrics", response_class=Response)
def metrics(request: Request, _who: Viewer) -> Response:
    registry: CollectorRegistry = request.app.state.metrics_registry
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
