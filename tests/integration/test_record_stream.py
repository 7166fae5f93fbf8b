"""A camera analysed on its sub-stream while its clips come from its main stream (``source.record_url``).

Two H.264 files of the same demo scene stand for the camera's two streams: 640x360 (main) and 320x180 (sub), both
at 25 fps and played in real time. The service decodes only the sub-stream, finds the fire in it, and the event's
clip is the main stream's own packets: its size and frame rate, cut around the fire's start.
"""

from __future__ import annotations

from pathlib import Path

import av
import pytest

from gwanje.config import parse_config
from gwanje.ingest.demo import DemoSettings
from gwanje.ingest.demo_clip import write_demo_clip
from gwanje.runtime.service import Service
from tests.support.waiting import wait_for

FIRE_AT_S = 2.0


@pytest.mark.slow
def test_the_sub_stream_is_analysed_and_the_clip_is_the_main_streams_own_video(tmp_path: Path) -> None:
    scene = DemoSettings(fps=25.0, fire_start_s=FIRE_AT_S)
    main = write_demo_clip(tmp_path / "main.mp4", 12.0, scene, (640, 360))
    sub = write_demo_clip(tmp_path / "sub.mp4", 12.0, scene, (320, 180))
    config = parse_config(
        {
            "cameras": [
                {
                    "id": "yard",
                    "source": {"url": str(sub), "record_url": str(main), "realtime": True},
                    "detectors": ["fire_smoke"],
                    "clip": {"pre_s": 1, "post_s": 2},
                }
            ],
            "store": {"data_dir": str(tmp_path / "data")},
        }
    )
    service = Service(config)
    service.start()
    try:

        def fire_clip() -> Path | None:
            for record in service.store.list_events():
                if str(record.event.event_type) == "fire" and record.event.clip_path:
                    return service.media.resolve(record.event.clip_path)
            return None

        wait_for(fire_clip, 30, "a fire event with its clip")
        stats = {s.camera_id: s for s in service.camera_status()}
        clip = fire_clip()
    finally:
        service.stop()
    assert clip is not None
    assert (stats["yard"].width, stats["yard"].height) == (320, 180), "the analysis decoded the sub-stream"
    with av.open(str(clip)) as container:
        stream = container.streams.video[0]
        frames = list(container.decode(stream))
        rate = float(stream.average_rate or 0)
    assert (frames[0].width, frames[0].height) == (640, 360), "the clip is the main stream"
    assert rate == pytest.approx(25.0), "at the main stream's full rate"
    # Pre-roll from the keyframe at or before (alert - 1 s); the main clip's keyframes are 2 s apart.
    assert 3.0 <= len(frames) / 25.0 <= 1.0 + 2.0 + 2.0 + 0.5
