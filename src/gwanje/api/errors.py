"""Error answers of the API: always JSON ``{"detail": ...}``, never the request's own content."""

from __future__ import annotations

import logging
import traceback
import uuid
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from gwanje.core.secrets import mask_url

log = logging.getLogger(__name__)

KEPT_FIELDS = ("type", "loc", "msg")
"""What a 422 tells about each problem. ``input`` (the value sent: perhaps a whole 1 MB body, perhaps a secret) and
``ctx`` (which can carry it too) are left out."""


def validation_details(errors: Any) -> list[dict[str, Any]]:
    """Pydantic's error list without the input values."""
    out: list[dict[str, Any]] = []
    for error in errors:
        item = {key: error[key] for key in KEPT_FIELDS if key in error}
        item["loc"] = [str(part) if not isinstance(part, int) else part for part in item.get("loc", ())]
        out.append(item)
    return out


def install_error_handlers(app: FastAPI) -> None:
    """422 answers without the request's values; an unexpected failure is a JSON 500 with a reference only."""

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"detail": validation_details(exc.errors())}, status_code=422)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        # the details (trace, message: perhaps a URL with a password) stay in the server log, under this reference
        reference = uuid.uuid4().hex[:12]
        trace = mask_url("".join(traceback.format_exception(exc)))  # a URL in a message keeps no password
        log.error("unexpected error %s in %s %s:\n%s", reference, request.method, request.url.path, trace)
        detail = f"internal error (reference {reference} in the server log)"
        return JSONResponse({"detail": detail, "reference": reference}, status_code=500)
