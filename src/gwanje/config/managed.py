"""The cameras of a deployment as administrators changed them: the configuration file's cameras with the changes made
in the web app or the API layered over them, kept in ``<data_dir>/camera-overrides.json``.

The YAML file stays the administrator's own: Gwanje never rewrites it. What was changed at run time is stored per
camera as the difference from the file (``{"gate": {"name": "Gate 2", "zones": [...]}}``), a camera added at run time
as its whole configuration, and a deleted camera as ``null``. So a change of the file (a new detector, a password
in ``${ENV}``) still reaches every field nobody changed at run time, and a credential kept in an environment
variable is never copied into the overrides unless the source URL itself was changed. The file is written with mode
0600 through a temporary file and a rename, so a crash leaves the old or the new version, never half of one.

Every change is validated with the configuration's own models (``CameraConfig`` and ``AppConfig``'s references)
before it is stored or applied; the problems are raised as ``CameraChangeError`` with the reason in words.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from gwanje.config.camera import CameraConfig
from gwanje.config.overrides import entry_keys, layered, read_overrides, with_change, write_overrides
from gwanje.config.schema import AppConfig, detector_reference_problems
from gwanje.core.errors import ConfigError

OVERRIDES_FILE = "camera-overrides.json"
SECTION = "cameras"


class CameraChangeError(ValueError):
    """A camera change that the configuration would refuse; the message says why."""


class UnknownCamera(KeyError):
    """No camera with this id."""


class CameraExists(ValueError):
    """A camera with this id exists already."""


def validation_reason(error: ValidationError) -> str:
    """The problems of a pydantic error in one line, with where each is (the value sent is never repeated)."""
    parts = []
    for e in error.errors():
        where = ".".join(str(p) for p in e["loc"])
        parts.append(f"{where}: {e['msg']}" if where else str(e["msg"]))
    return "; ".join(parts)


def override_problems(app: AppConfig) -> tuple[Path, int, list[str]] | None:
    """What is wrong with the camera changes stored for ``app`` (``gwanje check-config``): the file, how many cameras
    it changes, and every problem at once (each camera as the service would build it: the file's with its changes);
    None when there is no such file. ConfigError when it cannot be read at all."""
    path = app.store.data_dir / OVERRIDES_FILE
    if not path.is_file():
        return None
    overrides = read_overrides(path, SECTION, "camera")
    base = {c.id: c.model_dump(mode="json") for c in app.cameras}
    problems: list[str] = []
    for camera_id, patch in overrides.items():
        if patch is not None and not isinstance(patch, dict):
            problems.append(f"camera {camera_id!r}: its entry must be an object or null, not {type(patch).__name__}")
            continue
        config = layered(base, overrides, camera_id)
        if config is None:
            continue
        try:
            camera = CameraConfig.model_validate(config)
        except ValidationError as error:
            problems.append(f"camera {camera_id!r}: {validation_reason(error)}")
            continue
        if camera.id != camera_id:
            problems.append(f"camera {camera_id!r}: its configuration has the id {camera.id!r}")
        references = detector_reference_problems([list(camera.detectors)], set(app.detectors))
        problems += [p.replace("cameras[0]", f"camera {camera_id!r}") for p in references]
    return path, len(overrides), problems


class ManagedCameras:
    """The current cameras (file + run-time changes), validated, persisted; thread-safe.

    ``path`` None keeps changes in memory only (tests, offline tools)."""

    def __init__(self, app: AppConfig, path: Path | None) -> None:
        self._app = app
        self._path = path
        self._lock = threading.RLock()
        self._base = {c.id: c.model_dump(mode="json") for c in app.cameras}
        self._overrides: dict[str, dict[str, Any] | None] = self._load()
        self._cameras = self._build()

    @classmethod
    def for_config(cls, app: AppConfig) -> ManagedCameras:
        return cls(app, app.store.data_dir / OVERRIDES_FILE)

    @property
    def app(self) -> AppConfig:
        """The application configuration with the current cameras."""
        with self._lock:
            return self._app.model_copy(update={"cameras": list(self._cameras)})

    def _load(self) -> dict[str, dict[str, Any] | None]:
        if self._path is None or not self._path.is_file():
            return {}
        return read_overrides(self._path, SECTION, "camera")

    def _build(self) -> list[CameraConfig]:
        out: list[CameraConfig] = []
        for camera_id in entry_keys(self._base, self._overrides):
            config = self._config_of(camera_id)
            if config is None:
                continue
            try:
                out.append(CameraConfig.model_validate(config))
            except ValidationError as error:
                raise ConfigError(
                    f"{self._path}: camera {camera_id!r} as changed at run time is no longer valid "
                    f"({validation_reason(error)}); fix or remove its entry"
                ) from None
        return out

    def _config_of(self, camera_id: str) -> dict[str, Any] | None:
        return layered(self._base, self._overrides, camera_id)

    def cameras(self) -> list[CameraConfig]:
        with self._lock:
            return list(self._cameras)

    def get(self, camera_id: str) -> CameraConfig | None:
        with self._lock:
            return next((c for c in self._cameras if c.id == camera_id), None)

    def check(self, camera: CameraConfig) -> None:
        """Refuse a camera the application could not run (a detector that is not declared)."""
        problems = detector_reference_problems([list(camera.detectors)], set(self._app.detectors))
        if problems:
            raise CameraChangeError("; ".join(p.replace("cameras[0]", f"camera {camera.id!r}") for p in problems))

    def add(self, camera: CameraConfig) -> None:
        with self._lock:
            if self.get(camera.id) is not None:
                raise CameraExists(f"a camera with id {camera.id!r} exists already")
            self.check(camera)
            self._store(camera.id, camera)

    def update(self, camera: CameraConfig) -> CameraConfig:
        """Put ``camera`` in the place of the camera with its id; returns the one it replaced."""
        with self._lock:
            old = self.get(camera.id)
            if old is None:
                raise UnknownCamera(camera.id)
            self.check(camera)
            self._store(camera.id, camera)
            return old

    def delete(self, camera_id: str) -> CameraConfig:
        with self._lock:
            old = self.get(camera_id)
            if old is None:
                raise UnknownCamera(camera_id)
            self._store(camera_id, None)
            return old

    def _store(self, camera_id: str, camera: CameraConfig | None) -> None:
        new = None if camera is None else camera.model_dump(mode="json")
        overrides = with_change(self._base, self._overrides, camera_id, new)
        write_overrides(self._path, SECTION, overrides)
        self._overrides = overrides
        self._cameras = self._build()
