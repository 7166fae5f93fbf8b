"""Per-camera configuration: source, analysis rate, detectors, zones, rules, schedules."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, field_validator, model_validator

from gwanje.config.base import GwanjeModel
from gwanje.config.events import ClipConfig, EventOverrides
from gwanje.config.geometry import Polygon
from gwanje.config.rules import RuleConfig
from gwanje.config.schedule import Schedule

_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")


class SourceConfig(GwanjeModel):
    """Where the frames come from.

    ``url`` is one of: ``rtsp://`` / ``rtsps://`` (``transport`` tcp or udp), ``rtmp://``,
    ``http(s)://`` (including MJPEG), a file path or ``file://`` URL, a local device
    (``/dev/video0`` or ``v4l2:///dev/video0``), or ``demo:`` (a generated scene that needs no camera).
    Put credentials in an environment variable: ``rtsp://${CAM1_USER}:${CAM1_PASSWORD}@host/stream``.
    """

    url: str = Field(min_length=1)
    record_url: str | None = Field(
        default=None,
        description="The same camera's full-quality stream (usually its main stream) for event clips, when url is a "
        "lower-resolution sub-stream for analysis: only demultiplexed, never decoded, so analysing the sub-stream "
        "costs a fraction of decoding the main one while clips keep the main stream's quality. H.264 only (another "
        "codec, or the stream being down, falls back to clips of the analysed frames). Same URL forms and "
        "credential variables as url.",
    )
    transport: Literal["tcp", "udp"] = Field(default="tcp", description="RTSP transport.")
    loop: bool = Field(default=False, description="Files: start again at the end.")
    realtime: bool = Field(default=True, description="Files: play at native rate (false: as fast as possible).")
    wait_for_analysis: bool = Field(
        default=False,
        description="Files played as fast as possible (realtime: false) and demo: the reader waits until analysis "
        "took each analysis frame instead of dropping the oldest, so every frame of the recording is analysed and "
        "no CPU goes to decoding frames that are thrown away. Live cameras never wait (ignored for them).",
    )
    timeout_s: float = Field(default=10.0, gt=0.0, le=120.0, description="Open/read timeout before a reconnect.")
    reconnect_initial_s: float = Field(default=1.0, gt=0.0, description="First wait before a reconnect.")
    reconnect_max_s: float = Field(default=60.0, gt=0.0, description="Longest wait between reconnects.")
    stall_after_s: float = Field(default=5.0, gt=0.0, description="No frame for this long: the camera is 'stalled'.")
    options: dict[str, str] = Field(default_factory=dict, description="Extra FFmpeg options passed to the demuxer.")
    format: str | None = Field(
        default=None,
        description="Force an FFmpeg demuxer (e.g. 'mpjpeg' for MJPEG over HTTP, 'v4l2' for a device); None: probe.",
    )
    decode_threads: int = Field(
        default=1,
        ge=0,
        le=16,
        description="Decoder threads per camera (0: FFmpeg decides). 1 costs the least CPU per frame on a busy box.",
    )

    def record_source(self) -> SourceConfig | None:
        """The source of ``record_url`` (same transport, timeouts and options; the demuxer probed), or None."""
        if self.record_url is None:
            return None
        return self.model_copy(update={"url": self.record_url, "record_url": None, "format": None})

    @model_validator(mode="after")
    def _waiting_needs_unpaced_playback(self) -> SourceConfig:
        if self.wait_for_analysis and self.realtime:
            raise ValueError(
                "wait_for_analysis applies to files played as fast as possible: set realtime: false as well "
                "(a file played at its native rate never runs ahead of the analysis for long)"
            )
        return self


class ZoneConfig(GwanjeModel):
    """A named polygon, in coordinates relative to the frame (0..1)."""

    name: str = Field(min_length=1)
    polygon: Polygon


class MotionConfig(GwanjeModel):
    """Cheap frame differencing that decides which frames go to the detectors."""

    enabled: bool = True
    frame_height: int = Field(default=90, ge=32, le=720, description="Height of the grey frame compared.")
    threshold: int = Field(default=25, ge=1, le=255, description="Grey-level change that counts as motion.")
    min_area: float = Field(default=0.0005, ge=0.0, le=1.0, description="Fraction of the frame that must move.")
    keepalive_s: float = Field(
        default=2.0,
        ge=0.0,
        description="Run the detectors at least this often even without motion, and on the whole picture at least "
        "this often while something moves (detectors that look only where it moved) (0: never).",
    )
    frame_alpha: float = Field(
        default=0.02,
        gt=0.0,
        le=1.0,
        description="Weight of each new frame in the running-average background (higher: adapts faster).",
    )
    lightning_threshold: float = Field(
        default=0.6,
        gt=0.0,
        le=1.0,
        description="If this fraction of the frame changes at once (lights, IR switch, auto-exposure), "
        "the background is reset instead of reporting motion.",
    )


class CameraConfig(GwanjeModel):
    """One camera."""

    id: str = Field(
        description="Short identifier: lowercase letters, digits, - and _ (used in URLs and topics).",
        json_schema_extra={"pattern": _ID.pattern},  # checked by ``_id``, with a message people can read
    )
    name: str | None = Field(default=None, description="Human name shown to operators.")
    enabled: bool = True
    source: SourceConfig
    analysis_fps: float = Field(default=5.0, gt=0.0, le=30.0, description="Frames per second the detectors see.")
    detectors: list[str] = Field(
        default_factory=lambda: ["fire_smoke"],
        description="Names of detectors (from the top-level 'detectors').",
    )
    zones: list[ZoneConfig] = Field(default_factory=list)
    rules: list[RuleConfig] = Field(default_factory=list)
    events: EventOverrides = Field(default_factory=EventOverrides, description="Per event type overrides.")
    sensitivity: float = Field(
        default=1.0,
        gt=0.0,
        le=4.0,
        description="Scales detector confidences before thresholds: >1 more sensitive, <1 fewer false alarms.",
    )
    schedule: Schedule = Field(default_factory=Schedule, description="When the camera raises events at all.")
    motion: MotionConfig = Field(default_factory=MotionConfig)
    clip: ClipConfig = Field(default_factory=ClipConfig)

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if not _ID.match(value):
            raise ValueError("use 1-63 lowercase letters, digits, '-' or '_', starting with a letter or digit")
        return value

    @model_validator(mode="after")
    def _zones_exist(self) -> CameraConfig:
        names = [z.name for z in self.zones]
        dup = {n for n in names if names.count(n) > 1}
        problems = [f"zone names must be unique per camera; repeated: {sorted(dup)}"] if dup else []
        for i, rule in enumerate(self.rules):
            zone = getattr(rule, "zone", None)
            if zone is not None and zone not in names:
                problems.append(f"rules[{i}] ({rule.type}) names zone {zone!r}, but this camera's zones are {names}")
        if problems:  # all of them at once, not one per run
            raise ValueError("; ".join(problems))
        return self
