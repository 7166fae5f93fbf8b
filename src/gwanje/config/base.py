"""Base model for every configuration section: unknown keys are errors, values are immutable."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class GwanjeModel(BaseModel):
    """A configuration section. A typo in a key is an error, never silently ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)
