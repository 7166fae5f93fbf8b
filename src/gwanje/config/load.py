"""Read YAML, substitute ${ENV} secrets, validate, and explain errors in words a person understands."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from gwanje.config.detectors import default_detectors
from gwanje.config.schema import AppConfig, detector_reference_problems
from gwanje.core.errors import ConfigError
from gwanje.core.secrets import mask_url

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


SECRET_KEY = re.compile(r"token|secret|password|passwd|key", re.IGNORECASE)
"""A key whose value is never repeated in a message (a rejected secret is still a secret)."""
YAML_COLON_HINT = (
    " -- a value that contains ': ' or ends with ':' must be quoted, e.g. url: \"demo:\" "
    'or url: "rtsp://user:pass@host/stream" (unquoted, YAML reads the colon as the start of a nested key)'
)


def _given(error: Any, where: str) -> str:
    """`` (got ...)`` for a message, or nothing: never for a secret, a missing or unknown key, or a mapping."""
    given = error.get("input")
    if error["type"] in {"missing", "extra_forbidden"} or isinstance(given, dict) or SECRET_KEY.search(where):
        return ""
    if isinstance(given, str):
        given = mask_url(given)
        if len(given) > 80:
            return f" (got {given[:77]!r}...)"
    return f" (got {given!r})"


def _raw_reference_problems(data: dict[str, Any]) -> list[str]:
    """Detector references checked on the raw mapping: pydantic skips the whole-file checks when a camera is
    invalid, and a user should not have to fix one thing per run."""
    cameras = data.get("cameras")
    detectors = data.get("detectors")
    if not isinstance(cameras, list):
        return []
    declared = set(detectors) if isinstance(detectors, dict) else set(default_detectors())
    uses = [
        [str(n) for n in c.get("detectors", [])] if isinstance(c, dict) and isinstance(c.get("detectors"), list) else []
        for c in cameras
    ]
    return detector_reference_problems(uses, declared)


def format_validation_error(err: ValidationError, source: str, extra: list[str] | None = None) -> str:
    """One line per problem: where (key path), what was given (never a secret), and what is allowed."""
    extra = extra or []
    lines = [f"{source}: {err.error_count() + len(extra)} problem(s) in the configuration:"]
    for e in err.errors(include_url=False):
        where = _loc(tuple(e["loc"]))
        msg = e["msg"].removeprefix("Value error, ")
        if e["type"] == "extra_forbidden":
            msg = "unknown key (check the spelling; `gwanje config-schema` lists every key)"
        elif e["type"] == "missing":
            msg = "required key is missing"
        lines.append(f"  - {where}: {msg}{_given(e, where)}")
    lines += [f"  - <root>: {problem}" for problem in extra]
    return mask_url("\n".join(lines))  # a reason may quote a value: a URL given where a name belongs


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
        whole_file_checked = any(not e["loc"] for e in err.errors())
        extra = [] if whole_file_checked else _raw_reference_problems(data)
        raise ConfigError(format_validation_error(err, source, extra)) from None


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
        hint = YAML_COLON_HINT if "mapping values are not allowed" in str(exc) else ""
        raise ConfigError(mask_url(f"{p}: not valid YAML: {exc}{hint}")) from None  # it quotes the line
    return parse_config(data, str(p), environ)
