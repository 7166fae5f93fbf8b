"""HTTP API and service mode."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr

from gwanje.config.base import GwanjeModel


class ApiToken(GwanjeModel):
    """A bearer token for integrations."""

    name: str = Field(min_length=1)
    token: SecretStr = Field(description="At least 16 characters; use ${ENV} rather than writing it in the file.")
    role: Literal["admin", "operator", "viewer"] = "operator"


class ApiConfig(GwanjeModel):
    """REST API, live event stream and metrics."""

    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=1, le=65535)
    mode: Literal["development", "production"] = Field(
        default="development",
        description="production refuses to start without configured tokens; development creates a random "
        "token at start and prints where it is stored.",
    )
    tokens: list[ApiToken] = Field(default_factory=list)
    cors_origins: list[str] = Field(default_factory=list)
