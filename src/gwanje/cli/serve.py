"""`gwanje serve`: the monitoring service with its API (embedded demo defaults without --config)."""

from __future__ import annotations

import argparse
import logging
from typing import Any

import uvicorn

from gwanje.api.context import ApiContext
from gwanje.config import load_config
from gwanje.runtime.defaults import demo_config
from gwanje.runtime.service import Service
from gwanje.web import create_web_app

log = logging.getLogger("gwanje.serve")


def _run(args: argparse.Namespace) -> int:
    if args.config:
        config = load_config(args.config)
    else:
        config = demo_config()
        log.info("no --config given: running the offline demo camera (see README to add a real camera)")
    if args.host or args.port:
        api = config.api.model_copy(update={k: v for k, v in (("host", args.host), ("port", args.port)) if v})
        config = config.model_copy(update={"api": api})
    service = Service(config, cluster=args.cluster, camera_cpus=args.camera_cpus)
    context: ApiContext | None = None
    try:
        context = api_context(service)
        service.add_listener(context.broadcaster.publish_event)
        service.add_clip_listener(lambda event, clip: context.clips_ahead.submit(clip, event.id))
        service.start()
        log.info(
            "web app and API on http://%s:%d (log in at /login; OpenAPI schema at /openapi.json; token: see %s)",
            config.api.host,
            config.api.port,
            "api.tokens in the config" if config.api.tokens else f"{config.store.data_dir / 'api-token'}",
        )
        uvicorn.run(
            create_web_app(context),
            host=config.api.host,
            port=config.api.port,
            log_level="warning",
            timeout_graceful_shutdown=3,
        )
    finally:
        service.stop()
        if context is not None:
            context.clips_ahead.close()
    return 0


def api_context(service: Service) -> ApiContext:
    """The API's view of a running service."""
    return ApiContext.create(
        config=service.config,
        store=service.store,
        media=service.media,
        camera_status=service.camera_status,
        latest_snapshot=service.latest_snapshot,
        latest_frame=service.latest_frame,
        delivery_status=service.deliveries,
        inference_status=service.inference_stats,
        alerts_pending=service.alerts_pending,
        cameras=service.registry,
        alerts=service.alerts,
        cluster_status=service.cluster_status,
    )


def register(sub: Any) -> None:
    p = sub.add_parser("serve", help="run the monitoring service and its API (offline demo camera without --config)")
    p.add_argument("--config", help="YAML configuration (default: the built-in demo)")
    p.add_argument("--host", help="override api.host")
    p.add_argument("--port", type=int, help="override api.port")
    p.add_argument(
        "--cluster",
        metavar="ADDRESS",
        help="run the cameras on a Ray cluster: its head's HOST:PORT (run serve on the head), ray://HOST:PORT "
        "(Ray Client) or auto (the cluster this machine belongs to); see docs/cluster.md",
    )
    p.add_argument(
        "--camera-cpus", type=float, default=1.0, help="with --cluster: logical CPUs each camera asks for (default 1)"
    )
    p.set_defaults(func=_run)
