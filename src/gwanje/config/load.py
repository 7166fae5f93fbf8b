"""Read YAML, substitute ${ENV} secrets, validate, and explain errors in words a person understands."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from gwanje.config.schema import AppConfig
from gwanje.core.errors import ConfigError

_ENV = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


def _substitute(value: Any, path: str, environ: dict[str, str]) -> Any:
    if isinstance(value, str):

        def repl(m: re.Match[str]) -> str:
            name, default = m.group(1), m.group(2)
            if name in environ:
                return environ[name]
            if default is not None:
                return default
            raise ConfigError(
                f"{path or '<root>'}: environment variable {name} is not set. "
                f"Set it (export {name}=...) or give a default with ${{{name}:-value}}."
            )

        return _ENV.sub(repl, value)
    if isinstance(value, dict):
        return {k: _substitute(v, f"{path}.{k}" if path else str(k), environ) for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute(v, f"{path}[{i}]", environ) for i, v in enumerate(value)]
    return value


def _loc(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in {"function-after", "function-before"} or "[" in str(part):
            continue  # pydantic's internal validator names (e.g. tagged-union tags) say nothing to a user
        else:
            out += f".{part}" if out else str(part)
    return out or "<root>"


def format_validation_error(err: ValidationError, source: str) -> str:
    """One line per problem: where (key path), what was given, and what is allowed."""
    lines = [f"{source}: {err.error_count()} problem(s) in the configuration:"]
    for e in err.errors(include_url=False):
        where = _loc(tuple(e["loc"]))
        msg = e["msg"].removeprefix("Value error, ")
        given = e.get("input")
        if e["type"] == "extra_forbidden":
            msg = "unknown key (check the spelling; `gwanje config-schema` lists every key)"
        elif e["type"] == "missing":
            msg = "required key is missing"
        shown = "" if e["type"] in {"missing", "extra_forbidden"} or isinstance(given, dict) else f" (got {given!r})"
        if isinstance(given, str) and len(given) > 80:
            shown = f" (got {given[:77]!r}...)"
        lines.append(f"  - {where}: {msg}{shown}")
    return "\n".join(lines)


def parse_config(
    data: dict[str, Any] | None, source: str = "<config>", environ: dict[str, str] | None = None
) -> AppConfig:
    """Validate a mapping (already read from YAML) into an AppConfig, or raise ConfigError."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(
            f"{source}: the top level must be a mapping of keys (cameras:, detectors:, ...), got {type(data).__name__}"
        )
    data = _substitute(data, "", dict(os.environ) if environ is None else environ)
    try:
        return AppConfig.model_validate(data)
    except ValidationError as err:
        raise ConfigError(format_validation_error(err, source)) from None


def load_config(path: str | Path, environ: dict[str, str] | None = None) -> AppConfig:
    """Read and validate a YAML configuration file."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{p}: configuration file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{p}: cannot read the configuration file: {exc}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{p}: not valid YAML: {exc}") from None
    return parse_config(data, str(p), environ)
