"""Render the configuration reference (docs/configuration.md) from the pydantic models themselves."""

from __future__ import annotations

import types
import typing
from enum import Enum
from typing import Any, Literal, get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from gwanje.config.schema import AppConfig

_INTRO = """# Configuration reference

Generated from the pydantic models by `gwanje config-schema --format markdown`; do not edit by hand.
A JSON Schema for editors: `gwanje config-schema`. Validate a file: `gwanje check-config FILE`.

Unknown keys are errors. Any string value may use `${ENV_VAR}` or `${ENV_VAR:-default}`; put passwords
and tokens in environment variables, never in the file.

Cameras that administrators add, change or delete while the service runs (web app or API) are kept in
`<store.data_dir>/camera-overrides.json`, layered over `cameras` at every start: per camera only what differs from
this file (see [web.md](web.md#cameras-and-zones)). Webhook and Apprise channels changed the same way are kept in
`<store.data_dir>/channel-overrides.json`, layered over `alerts.webhooks` and `alerts.apprise` (see
[alerts.md](alerts.md#changing-channels-while-the-service-runs)). The file itself is never rewritten.
"""


def _type_name(annotation: Any) -> str:
    origin = get_origin(annotation)
    if origin is typing.Annotated:
        return _type_name(get_args(annotation)[0])
    if origin in (types.UnionType, typing.Union):
        return " | ".join(_type_name(a) for a in get_args(annotation))
    if origin is Literal:
        return " | ".join(repr(a) for a in get_args(annotation))
    if origin in (list, tuple, dict):
        inner = ", ".join(_type_name(a) for a in get_args(annotation) if a is not Ellipsis)
        return f"{origin.__name__}[{inner}]"
    if isinstance(annotation, type):
        if issubclass(annotation, Enum):
            return " | ".join(repr(m.value) for m in annotation)
        return "null" if annotation is type(None) else annotation.__name__
    return str(annotation).replace("typing.", "")


def _default(field: FieldInfo) -> str:
    if field.default_factory is not None:
        try:
            value = field.default_factory()  # type: ignore[call-arg]
        except TypeError:
            return "(computed)"
    elif field.default is PydanticUndefined:
        return "**required**"
    else:
        value = field.default
    if isinstance(value, BaseModel):
        return "(section)"
    if isinstance(value, dict) and value and all(isinstance(v, BaseModel) for v in value.values()):
        return ", ".join(sorted(value))
    text = repr(value.value if isinstance(value, Enum) else value)
    return f"`{text}`" if len(text) < 60 else f"`{text[:57]}...`"


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    out: list[type[BaseModel]] = []
    for arg in get_args(annotation):
        out += _models_in(arg)
    return out


def _section(model: type[BaseModel], path: str, seen: set[str], out: list[str]) -> None:
    title = path or "(top level)"
    out += ["", f"## `{title}` — {model.__name__}", ""]
    doc = (model.__doc__ or "").strip()
    if doc:
        out += [" ".join(doc.split()), ""]
    out += ["| key | type | default | description |", "|---|---|---|---|"]
    children: list[tuple[type[BaseModel], str]] = []
    for name, field in model.model_fields.items():
        desc = " ".join((field.description or "").split()).replace("|", "\\|")
        kind = _type_name(field.annotation).replace("|", "\\|")
        out.append(f"| `{name}` | {kind} | {_default(field)} | {desc} |")
        origin = get_origin(field.annotation)
        suffix = "[]" if origin is list else ".<name>" if origin is dict else ""
        for sub in _models_in(field.annotation):
            key = f"{path}.{name}{suffix}" if path else f"{name}{suffix}"
            if len(_models_in(field.annotation)) > 1:
                key += f" (type: {sub.model_fields['type'].default})" if "type" in sub.model_fields else ""
            children.append((sub, key))
    for sub, key in children:
        if sub.__name__ in seen:
            continue
        seen.add(sub.__name__)
        _section(sub, key, seen, out)


def markdown_reference() -> str:
    out = [_INTRO.rstrip()]
    _section(AppConfig, "", {AppConfig.__name__}, out)
    return "\n".join(out) + "\n"
