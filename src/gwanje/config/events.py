"""How observations become events: confirmation, duration, cooldown and merging, per event type."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from gwanje.config.base import GwanjeModel

EventTypeName = Literal[
    "fire", "smoke", "fight", "fall", "intrusion", "loitering", "line_crossing", "crowding", "object"
]


class EventTuning(GwanjeModel):
    """The start / update / end state machine of one event type.

    An event starts when at least ``confirm_frames`` of the last ``window_frames`` analysed frames
    have an observation with confidence >= ``threshold``, and the positive run has lasted
    ``min_duration_s``. It ends after ``end_after_s`` without a positive frame. A new start within
    ``merge_gap_s`` of the end reopens the same event; after that, ``cooldown_s`` must pass.
    """

    enabled: bool = True
    threshold: float = Field(default=0.5, ge=0.0, le=1.0, description="Confidence an observation needs to count.")
    confirm_frames: int = Field(default=3, ge=1, le=100, description="N of the N-of-M confirmation.")
    window_frames: int = Field(default=5, ge=1, le=200, description="M of the N-of-M confirmation.")
    min_duration_s: float = Field(default=0.0, ge=0.0, description="Positive observations must span this long.")
    end_after_s: float = Field(
        default=5.0, gt=0.0, description="End the event after this long without a positive frame."
    )
    cooldown_s: float = Field(
        default=30.0, ge=0.0, description="Quiet time after an event before a new one of the type."
    )
    merge_gap_s: float = Field(default=10.0, ge=0.0, description="A restart within this gap continues the last event.")
    update_interval_s: float = Field(default=10.0, gt=0.0, description="Publish an update at most this often.")
    update_peak_rise: float = Field(
        default=0.1,
        gt=0.0,
        le=1.0,
        description="Publish an update at once (not waiting for update_interval_s) when the peak confidence "
        "rises this much above the last published peak.",
    )
    max_duration_s: float = Field(default=600.0, gt=0.0, description="Split an event that lasts longer than this.")
    quiet_near: list[EventTypeName] = Field(
        default_factory=list,
        description="Event types that silence this one on the same camera: its observations are ignored while one "
        "of these types has a counting observation, and quiet_near_s after (a fire's flicker reads as a fight).",
    )
    quiet_near_s: float = Field(default=10.0, ge=0.0, description="How long quiet_near keeps silencing.")

    @model_validator(mode="after")
    def _n_of_m(self) -> EventTuning:
        if self.confirm_frames > self.window_frames:
            raise ValueError(
                f"confirm_frames ({self.confirm_frames}) cannot exceed window_frames ({self.window_frames})"
            )
        return self


class EventOverrides(GwanjeModel):
    """Per event type tuning; keys are event types. Missing types use the defaults."""

    fire: EventTuning | None = None
    smoke: EventTuning | None = None
    fight: EventTuning | None = None
    fall: EventTuning | None = None
    intrusion: EventTuning | None = None
    loitering: EventTuning | None = None
    line_crossing: EventTuning | None = None
    crowding: EventTuning | None = None
    object: EventTuning | None = None


def default_tuning() -> dict[str, EventTuning]:
    """Defaults per type. Fire and fight confirm fast (an alert within seconds matters most);
    zone rules already wait inside the rule (dwell time), so they need no extra confirmation."""
    fast = EventTuning(confirm_frames=3, window_frames=5)
    zone = EventTuning(threshold=0.5, confirm_frames=1, window_frames=1, end_after_s=3.0)
    return {
        "fire": fast,
        "smoke": EventTuning(confirm_frames=4, window_frames=6),
        # a fire lights and moves the whole scene, which the fight model reads as a fight; the fire alert is
        # what the operator needs then (docs/models/fight.md, "Fire and smoke")
        "fight": EventTuning(confirm_frames=2, window_frames=4, end_after_s=4.0, quiet_near=["fire", "smoke"]),
        "fall": zone,
        "intrusion": zone,
        "loitering": zone,
        "line_crossing": EventTuning(
            confirm_frames=1, window_frames=1, end_after_s=1.0, cooldown_s=0.0, merge_gap_s=0.0
        ),
        "crowding": EventTuning(confirm_frames=3, window_frames=5),
        "object": fast,
    }


class ClipConfig(GwanjeModel):
    """Evidence clip cut from the pre/post-event ring buffer."""

    enabled: bool = True
    pre_s: float = Field(default=5.0, ge=0.0, le=60.0, description="Seconds kept before the event starts.")
    post_s: float = Field(default=10.0, ge=0.0, le=120.0, description="Seconds recorded after the event starts.")
    fps: float = Field(default=10.0, gt=0.0, le=30.0, description="Frame rate of the clip.")
    max_width: int = Field(default=1280, ge=160, le=3840, description="Frames wider than this are scaled down.")
    remux: bool = Field(
        default=True,
        description="Cut clips of H.264 cameras from the camera's own packets (its full frame rate and resolution, "
        "no re-encoding; the pre-roll starts on the keyframe before pre_s). fps and max_width then apply only to "
        "other sources (demo, MJPEG, other codecs), whose analysed frames are re-encoded; false re-encodes always.",
    )
