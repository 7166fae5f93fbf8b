"""Event clips are served with people pixelated (every frame), masked once and kept; admins unmask with a reason
(audited); a clip that cannot be decoded is not served at all."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import av
import numpy as np

from gwanje.api.clip_masking import ClipMasker, mask_clip
from gwanje.api.masking import SnapshotMasker
from gwanje.core.frame import Image
from tests.api.clip_frames import frames, square
from tests.api.conftest import Api
from tests.store.factories import make_event
from tests.support.media import write_clip


def _detail(path: Path) -> list[float]:
    """Per frame: how much neighbouring pixels differ inside the square's row band (high: visible; low: blocks)."""
    out = []
    with av.open(str(path)) as container:
        for frame in container.decode(video=0):
            band = frame.to_ndarray(format="gray").astype(int)[44:84]
            out.append(float(np.abs(np.diff(band, axis=1)).mean()))
    return out


def test_every_frame_is_masked_where_the_people_are(tmp_path: Path) -> None:
    source = write_clip(tmp_path / "raw.mp4", frames(), fps=10)
    target = tmp_path / "masked.mp4"
    calls: list[int] = []

    def people(image: Image) -> list[tuple[float, float, float, float]]:
        calls.append(1)
        return square(image)

    assert mask_clip(source, target, people) == 20
    assert len(calls) == 10  # the detector on every second frame
    raw, masked = _detail(source), _detail(target)
    assert len(masked) == 20
    assert min(raw) > 8 and max(masked) < 2.5, (raw, masked)  # the moving square is blocks in every frame


def test_a_full_rate_clip_is_masked_at_ten_frames_a_second(tmp_path: Path) -> None:
    # A clip remuxed from a 25 fps camera, 1 s; the square moves as fast as in the 10 fps test above (40 px/s).
    source = write_clip(tmp_path / "raw25.mp4", frames(25, step_px=1.6), fps=25)
    target = tmp_path / "masked.mp4"
    calls: list[int] = []

    def people(image: Image) -> list[tuple[float, float, float, float]]:
        calls.append(1)
        return square(image)

    assert mask_clip(source, target, people) == 10, "one frame per 0.1-s slot of the second"
    assert len(calls) == 5, "the detector on every second kept frame, not on 25 frames"
    with av.open(str(target)) as container:
        stream = container.streams.video[0]
        assert float(stream.average_rate or 0) == 10.0
        assert float(stream.duration * stream.time_base) == 1.0, "the clip keeps its length"
    assert max(_detail(target)) < 2.5, "every kept frame is masked"


def test_masked_copies_are_made_once_and_the_oldest_dropped(tmp_path: Path) -> None:
    calls: list[int] = []

    def people(image: Image) -> list[tuple[float, float, float, float]]:
        calls.append(1)
        return square(image)

    clips = ClipMasker(people, tmp_path / "cache", keep=2)
    sources = [write_clip(tmp_path / f"{n}.mp4", frames(4), fps=10) for n in range(3)]
    first = clips.masked(sources[0], "a")
    assert clips.masked(sources[0], "a") == first and len(calls) == 2  # reused, not masked again
    clips.masked(sources[1], "b")
    clips.masked(sources[2], "c")
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == ["b.mp4", "c.mp4"]


def test_the_clip_endpoint_masks_and_admins_unmask_with_a_reason(api: Api, tmp_path: Path) -> None:
    ctx = dataclasses.replace(api.ctx, masker=SnapshotMasker(lambda: square))
    api.app.state.ctx = ctx
    event = make_event("gate")
    path = write_clip(api.media.clip_path(event.id, "gate", event.start_time), frames(), fps=10)
    event.clip_path = str(path)
    api.store.save_event(event)
    url = f"/api/events/{event.id}/clip.mp4"

    masked = api.client.get(url, headers=api.headers("viewer"))
    assert masked.status_code == 200
    served = tmp_path / "served.mp4"
    served.write_bytes(masked.content)
    assert max(_detail(served)) < 2.5
    assert api.client.get(f"{url}?unmask=true&reason=x", headers=api.headers("operator")).status_code == 403
    assert api.client.get(f"{url}?unmask=true", headers=api.headers("admin")).status_code == 400
    raw = api.client.get(f"{url}?unmask=true&reason=court%20order", headers=api.headers("admin"))
    assert raw.status_code == 200 and raw.content == path.read_bytes()
    entries = [(a.action, a.detail) for a in reversed(api.store.list_audit())]
    assert entries == [("view_clip", None), ("unmask", "court order"), ("view_clip", None)]

    path.write_bytes(b"not a video")
    broken = api.client.get(url, headers=api.headers("viewer"))
    assert broken.status_code == 500 and "could not be masked" in broken.json()["detail"]
