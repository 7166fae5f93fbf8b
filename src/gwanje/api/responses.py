"""The error answers each route declares in the OpenAPI schema (``responses=``), with their JSON shapes."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class ErrorOut(BaseModel):
    """Every error but 422: what went wrong, in words."""

    detail: str


class ValidationProblem(BaseModel):
    type: str = Field(description="Pydantic's error type, e.g. less_than_equal, missing.")
    loc: list[str | int] = Field(description="Where: e.g. ['query', 'limit'] or ['body', 'note'].")
    msg: str = Field(description="What is allowed. The value that was sent is never repeated.")


class ValidationErrorOut(BaseModel):
    """422: each problem with a parameter or the body; or, for a well-formed camera or zone that the rest of the
    configuration refuses (an undeclared detector, a rule naming a missing zone), that reason in one sentence."""

    detail: list[ValidationProblem] | str


class InternalErrorOut(BaseModel):
    """500: an unexpected failure; the trace is in the server log under ``reference``."""

    detail: str
    reference: str


DESCRIPTIONS = {
    400: "Bad request: the message says what is missing, or the body could not be read as its content type.",
    401: "Missing or invalid token (or web session); answered before any request body is read.",
    403: "The caller's role is too low (or a web request without its CSRF token).",
    404: "No such event or camera, or its evidence is not kept.",
    409: "Conflict: the event's operator status does not allow this action (see docs/events.md), or the camera "
    "exists already.",
    413: "Request body over api.max_body_bytes.",
    422: "A parameter or the body is malformed or out of range.",
    429: "Too many wrong tokens from this address in the last minute: wait the Retry-After seconds.",
    500: "Unexpected failure (JSON, with a reference to the server log).",
    502: "The camera source could not be opened or read (the message says why, credentials masked).",
    503: "The database does not answer.",
    504: "The camera source gave no frame in time.",
}

MODELS: dict[int, type[BaseModel]] = {422: ValidationErrorOut, 500: InternalErrorOut}


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for these status codes."""
    return {code: {"model": MODELS.get(code, ErrorOut), "description": DESCRIPTIONS[code]} for code in codes}


AUTHENTICATED = (401, 403, 422, 429, 500, 503)
"""What any route behind a token can answer."""
EVENT = (*AUTHENTICATED, 404)
BODY = (400, 413)
"""What any route that reads a request body can answer besides (an unreadable body, one too large)."""
ACTION = (*EVENT, 409, *BODY)
