"""The root of the configuration file."""

from __future__ import annotations

from pydantic import Field, model_validator

from gwanje.config.alerts import AlertsConfig
from gwanje.config.api import ApiConfig
from gwanje.config.base import GwanjeModel
from gwanje.config.camera import CameraConfig
from gwanje.config.detectors import DetectorConfig, default_detectors
from gwanje.config.events import EventOverrides, EventTuning, default_tuning
from gwanje.config.store import StoreConfig


def detector_reference_problems(camera_detectors: list[list[str]], declared: set[str]) -> list[str]:
    """Every camera's use of a detector that is not declared (also run on the raw file when validation failed
    elsewhere, so a wrong zone and a wrong detector are reported in one run)."""
    return [
        f"cameras[{i}] uses detector {name!r}, which is not declared; declared detectors: {sorted(declared)}"
        for i, names in enumerate(camera_detectors)
        for name in names
        if name not in declared
    ]


class AppConfig(GwanjeModel):
    """A whole Gwanje deployment."""

    cameras: list[CameraConfig] = Field(default_factory=list)
    detectors: dict[str, DetectorConfig] = Field(default_factory=default_detectors)
    events: EventOverrides = Field(default_factory=EventOverrides, description="Global per event type tuning.")
    store: StoreConfig = Field(default_factory=StoreConfig)
    alerts: AlertsConfig = Field(default_factory=AlertsConfig)
    api: ApiConfig = Field(default_factory=ApiConfig)
    log_level: str = Field(default="INFO", pattern=r"^(DEBUG|INFO|WARNING|ERROR)$")

    @model_validator(mode="after")
    def _references(self) -> AppConfig:
        ids = [c.id for c in self.cameras]
        dup = {i for i in ids if ids.count(i) > 1}
        problems = [f"camera ids must be unique; repeated: {sorted(dup)}"] if dup else []
        problems += detector_reference_problems([list(c.detectors) for c in self.cameras], set(self.detectors))
        if problems:  # all of them at once, not one per run
            raise ValueError("; ".join(problems))
        return self

    def tuning_for(self, camera: CameraConfig, event_type: str) -> EventTuning:
        """Effective tuning of one event type on one camera: camera override, else global, else default."""
        for source in (camera.events, self.events):
            value = getattr(source, event_type, None)
            if value is not None:
                return value  # type: ignore[no-any-return]
        return default_tuning()[event_type]

    def camera(self, camera_id: str) -> CameraConfig:
        for cam in self.cameras:
            if cam.id == camera_id:
                return cam
        raise KeyError(f"no camera with id {camera_id!r}; configured: {[c.id for c in self.cameras]}")
