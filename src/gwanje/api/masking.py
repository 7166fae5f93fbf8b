"""Privacy masking: people in event snapshots and live frames are pixelated for everyone who has not explicitly unmasked.

Who may unmask: role admin (``may_unmask``); everyone else always gets masked footage. The boxes masked are
the event's own boxes when its type is about people (fight, fall, intrusion, ...) plus the people the shipped
person detector finds on the snapshot itself; each box is padded by 10 % and pixelated to coarse blocks, and its
head is covered solid on top (``gwanje.api.head_mask``): placed by the shipped pose model on event snapshots,
estimated from the box on live frames (where a pose call per person and frame would cost too much).
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence

import cv2
import numpy as np
from fastapi import HTTPException, status

from gwanje.api.auth import Principal, Role
from gwanje.api.head_mask import Box, HeadFinder, cover_heads, head_from_keypoints, heads_of
from gwanje.config.detectors import PersonDetectorConfig, PoseDetectorConfig
from gwanje.core.events import Event, EventType
from gwanje.core.frame import Image

log = logging.getLogger(__name__)

PAD = 0.10
"""Each box grows by this share of its width/height on every side."""
BLOCKS = 8
"""A masked box is reduced to at most this many blocks across its longer side (nothing recognisable)."""
JPEG_QUALITY = 85
CACHED_SNAPSHOTS = 128
"""Masked snapshots kept in memory: the alert feed shows the same thumbnails again and again (and HEAD requests
ask for them too); a snapshot never changes once written, so its masked copy is computed once."""
PERSON_EVENTS = frozenset(
    {
        EventType.FIGHT,
        EventType.FALL,
        EventType.INTRUSION,
        EventType.LOITERING,
        EventType.LINE_CROSSING,
        EventType.CROWDING,
    }
)
"""Event types whose stored boxes are people (fire and smoke boxes are flames, not people)."""
POSED_PEOPLE = 8
"""Most people on a snapshot whose heads the pose model places (largest first); the others' heads are estimated."""
POSE_FLAG = 0.5
"""A pose places a head only when the model is at least this sure a person is in the crop (the analyser's default,
0.2, is for rules; a head placed by a doubtful pose could leave the face out, so the box estimate is used instead)."""


def may_unmask(who: Principal) -> bool:
    """The unmask permission: admins only."""
    return who.role >= Role.ADMIN


def check_unmask(who: Principal, unmask: bool, reason: str) -> None:
    """403 when ``who`` asks to unmask but may not, 400 without a reason."""
    if unmask and not may_unmask(who):
        raise HTTPException(status.HTTP_403_FORBIDDEN, f"{who.name!r} may not unmask people (admins only)")
    if unmask and not reason.strip():
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "unmasking needs a reason: add &reason=<why>")


def padded(box: Box, pad: float = PAD) -> Box:
    """``box`` grown by ``pad`` of its width/height on every side."""
    x1, y1, x2, y2 = box
    dx, dy = (x2 - x1) * pad, (y2 - y1) * pad
    return (x1 - dx, y1 - dy, x2 + dx, y2 + dy)


def mask_boxes(image: Image, boxes: Iterable[Box], pad: float = PAD) -> Image:
    """A copy of the BGR ``image`` with each box (x1, y1, x2, y2 in its pixels), padded, pixelated."""
    out = image.copy()
    height, width = image.shape[:2]
    for box in boxes:
        x1, y1, x2, y2 = padded(box, pad)
        left, top = max(0, int(x1)), max(0, int(y1))
        right, bottom = min(width, int(np.ceil(x2))), min(height, int(np.ceil(y2)))
        if right - left < 1 or bottom - top < 1:
            continue
        region = out[top:bottom, left:right]
        scale = BLOCKS / max(right - left, bottom - top)
        small_w, small_h = max(1, round((right - left) * scale)), max(1, round((bottom - top) * scale))
        small = cv2.resize(region, (small_w, small_h), interpolation=cv2.INTER_AREA)
        out[top:bottom, left:right] = cv2.resize(small, (right - left, bottom - top), interpolation=cv2.INTER_NEAREST)
    return out


def mask_people(image: Image, people: Sequence[Box], posed: Sequence[Box | None] | None = None) -> Image:
    """A copy of ``image`` with the ``people`` boxes pixelated and their heads covered solid on top: the heads
    ``posed`` gives (one per person, None where pose did not read it), the others estimated from the padded box."""
    heads = heads_of([padded(box) for box in people], posed if posed is not None else [None] * len(people))
    return cover_heads(mask_boxes(image, people), heads)


def event_person_boxes(event: Event, width: int, height: int) -> list[Box]:
    """The event's people boxes scaled from its frame size to a ``width`` x ``height`` snapshot."""
    if event.event_type not in PERSON_EVENTS or not event.boxes:
        return []
    frame_w, frame_h = event.frame_size
    sx = width / frame_w if frame_w > 0 else 1.0
    sy = height / frame_h if frame_h > 0 else 1.0
    return [(x1 * sx, y1 * sy, x2 * sx, y2 * sy) for x1, y1, x2, y2 in event.boxes]


PeopleFinder = Callable[[Image], Sequence[Box]]


def _shipped_detector() -> PeopleFinder:
    from gwanje.detect.person import PersonDetector  # loads onnxruntime: only when first needed

    detector = PersonDetector("privacy-mask", PersonDetectorConfig())

    def find(image: Image) -> list[Box]:
        return [(float(a), float(b), float(c), float(d)) for a, b, c, d in detector.detect_image(image).xyxy]

    return find


def shipped_pose_heads() -> HeadFinder:
    """Heads placed by the shipped BlazePose model (the largest ``POSED_PEOPLE`` people; None for the others)."""
    from gwanje.core.detections import Detections
    from gwanje.detect.pose import PoseAnalyzer  # loads onnxruntime: only when first needed

    pose = PoseAnalyzer("privacy-heads", PoseDetectorConfig(max_people=POSED_PEOPLE, threshold=POSE_FLAG))

    def heads(image: Image, people: Sequence[Box]) -> list[Box | None]:
        posed = pose.analyze_image(image, Detections.from_arrays(list(people), [1.0] * len(people), "person"))
        if posed.keypoints is None:
            return [None] * len(people)
        return [head_from_keypoints(points, box) for points, box in zip(posed.keypoints, people, strict=True)]

    return heads


class SnapshotMasker:
    """Masks people in JPEG snapshots; the person detector (and the pose model, for event snapshots) is built once,
    on first use, and shared by threads. ``heads_factory`` None: no pose, every head is estimated from its box."""

    def __init__(
        self,
        finder_factory: Callable[[], PeopleFinder] = _shipped_detector,
        heads_factory: Callable[[], HeadFinder] | None = shipped_pose_heads,
    ) -> None:
        self._factory = finder_factory
        self._finder: PeopleFinder | None = None
        self._heads_factory = heads_factory
        self._heads: HeadFinder | None = None
        self._lock = threading.Lock()
        self._masked: OrderedDict[tuple[str, str], bytes] = OrderedDict()

    def find_people(self, image: Image) -> Sequence[Box]:
        """The person boxes (x1, y1, x2, y2 pixels) the detector finds in a BGR image (clips use it frame by frame)."""
        return self._find(image)

    def _find(self, image: Image) -> Sequence[Box]:
        with self._lock:  # one inference at a time; snapshots are small and few
            if self._finder is None:
                self._finder = self._factory()
            return self._finder(image)

    def _posed_heads(self, image: Image, people: Sequence[Box]) -> list[Box | None]:
        """The heads pose places on ``people``; all None (estimated) without pose or when it fails: the body
        mask and the estimated heads still apply, so a pose error never leaves a snapshot unmasked."""
        if not people or self._heads_factory is None:
            return [None] * len(people)
        try:
            with self._lock:
                if self._heads is None:
                    self._heads = self._heads_factory()
                heads = self._heads(image, people)
            if len(heads) != len(people):
                raise ValueError(f"{len(heads)} heads for {len(people)} people")
            return heads
        except Exception:
            log.exception("pose failed on a snapshot; its heads are estimated from the person boxes")
            return [None] * len(people)

    def mask_jpeg(self, jpeg: bytes, event: Event) -> bytes:
        """The snapshot with people pixelated; ValueError when it cannot be decoded (then nothing is served).

        The last ``CACHED_SNAPSHOTS`` results are kept, keyed by the event and the snapshot's bytes."""
        return self._cached(f"event:{event.id}", jpeg, event, pose=True)

    def mask_live_jpeg(self, jpeg: bytes, camera_id: str) -> bytes:
        """A camera's latest frame with the people the person detector finds pixelated (the live view).

        Cached like event snapshots: every tile and viewer asking for the same frame costs one detector run. Heads
        are estimated from the boxes (no pose: it would add a pose call per person to every frame)."""
        return self._cached(f"live:{camera_id}", jpeg, None, pose=False)

    def _cached(self, owner: str, jpeg: bytes, event: Event | None, pose: bool) -> bytes:
        key = (owner, hashlib.sha256(jpeg).hexdigest())
        with self._lock:
            if key in self._masked:
                self._masked.move_to_end(key)
                return self._masked[key]
        masked = self._mask(jpeg, event, pose)
        with self._lock:
            self._masked[key] = masked
            while len(self._masked) > CACHED_SNAPSHOTS:
                self._masked.popitem(last=False)
        return masked

    def _mask(self, jpeg: bytes, event: Event | None, pose: bool) -> bytes:
        decoded = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
        if decoded is None:
            raise ValueError("the snapshot could not be decoded, so it cannot be masked")
        image: Image = np.asarray(decoded, dtype=np.uint8)
        height, width = image.shape[:2]
        own = event_person_boxes(event, width, height) if event is not None else []
        boxes = [*own, *self._find(image)]
        posed = self._posed_heads(image, boxes) if pose else None
        masked = mask_people(image, boxes, posed)
        ok, encoded = cv2.imencode(".jpg", masked, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
        if not ok:
            raise ValueError("the masked snapshot could not be encoded")
        return encoded.tobytes()
