"""Heads in the privacy mask: a solid cover over each masked person's head (placed by pose where it reads the person,
estimated from the box otherwise), on top of the body's pixelation; a pose failure never unmasks anything."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt
import pytest

from gwanje.api.head_mask import HEAD_FILL, Box, HeadFinder, estimated_head, head_from_keypoints
from gwanje.api.masking import SnapshotMasker, mask_boxes, shipped_pose_heads
from gwanje.core.events import EventType
from gwanje.core.frame import Image
from tests.api.conftest import Api
from tests.detect.human_data import PERSON_FRAME, dataset_frame
from tests.store.factories import make_event

PERSON: Box = (200.0, 40.0, 440.0, 360.0)
"""A large close-up person on the drawn snapshot (240 x 320 px)."""
FACE = (slice(65, 145), slice(290, 350))
"""Rows and columns of the drawn face's eyes, nose and mouth."""


def _drawn_person() -> Image:
    """A tiled street with a person whose face is a detailed pattern (eyes, nose, mouth on textured skin)."""
    rng = np.random.default_rng(3)
    tiles = rng.integers(0, 256, (23, 40, 3), dtype=np.uint8)
    image = np.ascontiguousarray(cv2.resize(tiles, (640, 368), interpolation=cv2.INTER_NEAREST)[:360])  # 16 px tiles
    image[170:360, 230:410] = rng.integers(20, 120, (190, 180, 3), dtype=np.uint8)  # body: patterned clothes
    skin = rng.integers(150, 230, (100, 80, 3), dtype=np.uint8)
    face = np.zeros((100, 80), np.uint8)
    cv2.ellipse(face, (40, 50), (38, 49), 0, 0, 360, 255, -1)
    region = image[55:155, 280:360]
    region[face > 0] = skin[face > 0]
    for eye in ((300, 90), (340, 90)):
        cv2.circle(image, eye, 6, (20, 20, 20), -1)
    cv2.line(image, (320, 95), (320, 120), (60, 60, 120), 3)  # nose
    cv2.ellipse(image, (320, 135), (15, 6), 0, 0, 180, (30, 30, 160), 3)  # mouth
    return np.asarray(image, np.uint8)


def _keypoints(visibility: float = 0.95) -> npt.NDArray[np.float32]:
    points = np.full((33, 3), np.nan, np.float32)
    points[0] = (320, 112, visibility)  # nose
    points[2], points[5] = (340, 90, visibility), (300, 90, visibility)  # eyes
    points[11], points[12] = (400, 200, 0.99), (240, 200, 0.99)  # shoulders
    return points


def _posed(image: Image, people: Sequence[Box]) -> list[Box | None]:
    return [head_from_keypoints(_keypoints(), box) for box in people]


def _jpeg(image: Image) -> bytes:
    return bytes(cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 95])[1].tobytes())


def _decode(jpeg: bytes) -> Image:
    return np.asarray(cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR), np.uint8)


def _covered(image: Image, rows: slice, cols: slice) -> bool:
    """Whether the region is the solid head fill (up to JPEG loss)."""
    return bool(np.abs(image[rows, cols].astype(int) - np.array(HEAD_FILL)).max() <= 12)


def _masker(heads: HeadFinder | None) -> SnapshotMasker:
    return SnapshotMasker(lambda: lambda _image: [PERSON], (lambda: heads) if heads is not None else None)


def test_pose_places_a_head_sized_square_on_the_face_scaled_from_the_shoulders() -> None:
    head = head_from_keypoints(_keypoints(), PERSON)
    assert head is not None
    x1, y1, x2, y2 = head
    assert x2 - x1 == pytest.approx(0.9 * 160) and y2 - y1 == pytest.approx(0.9 * 160)  # shoulders 160 px apart
    assert x1 < 300 and x2 > 340 and y1 < 90 and y2 > 112  # eyes and nose inside
    assert (y1 + y2) / 2 < 98  # raised above the landmarks' centre (forehead, hair)
    assert head_from_keypoints(_keypoints(visibility=0.2), PERSON) is None  # face not seen: no pose head


def test_without_pose_the_head_is_the_top_of_the_box() -> None:
    assert estimated_head((0.0, 0.0, 100.0, 300.0)) == (0.0, 0.0, 100.0, 60.0)  # standing: top fifth
    assert estimated_head((0.0, 0.0, 240.0, 320.0)) == (0.0, 0.0, 240.0, 120.0)  # close-up: half its width
    assert estimated_head((0.0, 0.0, 300.0, 100.0)) == (0.0, 0.0, 300.0, 100.0)  # lying: head at either end


def test_the_face_of_a_close_up_person_is_covered_solid_on_top_of_the_body_pixelation() -> None:
    image = _drawn_person()
    pixelated_only = mask_boxes(image, [PERSON])
    assert not _covered(pixelated_only, *FACE)  # 8 blocks across leave the face as a few coloured blocks
    out = _decode(_masker(_posed).mask_jpeg(_jpeg(image), make_event("gate", EventType.FIRE)))
    assert _covered(out, *FACE)
    assert not _covered(out, slice(250, 350), slice(240, 400))  # the body is pixelated, not filled
    assert np.abs(out[250:350, 240:400].astype(int) - image[250:350, 240:400]).mean() > 20
    assert np.abs(out[:, :170].astype(int) - image[:, :170]).mean() < 10  # outside the person: only JPEG loss


def test_without_pose_or_when_pose_fails_the_estimated_head_is_covered_and_the_body_stays_masked() -> None:
    def broken(_image: Image, _people: Sequence[Box]) -> list[Box | None]:
        raise RuntimeError("onnxruntime fell over")

    def wrong_count(_image: Image, _people: Sequence[Box]) -> list[Box | None]:
        return []

    image = _drawn_person()
    for heads in (None, broken, wrong_count):
        out = _decode(_masker(heads).mask_jpeg(_jpeg(image), make_event("gate", EventType.FIRE)))
        assert _covered(out, *FACE), heads  # the top of the padded box: 120 px down from y=8
        assert np.abs(out[250:350, 240:400].astype(int) - image[250:350, 240:400]).mean() > 20


def test_live_frames_get_estimated_heads_without_running_pose() -> None:
    def never(_image: Image, _people: Sequence[Box]) -> list[Box | None]:
        raise AssertionError("pose must not run on live frames")

    out = _decode(_masker(never).mask_live_jpeg(_jpeg(_drawn_person()), "gate"))
    assert _covered(out, *FACE)


def test_the_snapshot_endpoint_covers_the_head_and_an_admin_with_a_reason_sees_the_original(api: Api) -> None:
    api.app.state.ctx = dataclasses.replace(api.ctx, masker=_masker(_posed))
    event = make_event("gate", EventType.FIGHT, boxes=[PERSON], frame_size=(640, 360))
    jpeg = _jpeg(_drawn_person())
    event.snapshot_path = str(api.media.write_snapshot(event.id, "gate", event.start_time, jpeg))
    api.store.save_event(event)
    url = f"/api/events/{event.id}/snapshot.jpg"
    masked = api.client.get(url, headers=api.headers("admin"))
    assert masked.status_code == 200 and _covered(_decode(masked.content), *FACE)
    unmasked = api.client.get(f"{url}?unmask=true&reason=police%20request", headers=api.headers("admin"))
    assert unmasked.status_code == 200 and unmasked.content == jpeg
    assert not _covered(_decode(unmasked.content), *FACE)


def test_the_shipped_pose_model_places_a_real_persons_head(datasets_dir: Path) -> None:
    image = dataset_frame(datasets_dir, *PERSON_FRAME)
    box: Box = (318.0, 6.0, 450.0, 317.0)  # the man of PERSON_FRAME as the person detector boxes him
    head = shipped_pose_heads()(image, [box])[0]
    assert head is not None
    x1, _, x2, y2 = head
    assert 318 - 20 < x1 < x2 < 450 + 20 and y2 < 6 + 0.4 * 311  # around the top of his box, not his body
    assert 10 < x2 - x1 < 132  # head-sized, not box-sized
