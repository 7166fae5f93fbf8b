"""The configuration `gwanje serve` uses when given none: one generated demo camera, everything local."""

from __future__ import annotations

from gwanje.config.camera import CameraConfig, SourceConfig
from gwanje.config.schema import AppConfig

DEMO_CAMERA_ID = "demo"


def demo_config() -> AppConfig:
    """A demo camera (`demo:` source: a generated street scene with a fire that starts every few
    minutes) analysed for fire and smoke; SQLite and media in ./data; API on 127.0.0.1:8080 with a
    development token."""
    return AppConfig(
        cameras=[
            CameraConfig(
                id=DEMO_CAMERA_ID,
                name="Demo camera (generated scene, no camera needed)",
                source=SourceConfig(url="demo:"),
                detectors=["fire_smoke"],
            )
        ]
    )
