"""Privacy masking of people in event snapshots: the pixelation, the boxes used, and unmasking (admins, reason, audit)."""

from __future__ import annotations

import cv2
import numpy as np

from gwanje.api.auth import Principal, Role
from gwanje.api.masking import PeopleFinder, SnapshotMasker, event_person_boxes, mask_boxes, may_unmask
from gwanje.core.events import Event, EventType
from gwanje.core.frame import Image
from tests.api.conftest import Api
from tests.store.factories import make_event


def _noise(width: int = 640, height: int = 360) -> Image:
    return np.random.default_rng(7).integers(0, 256, (height, width, 3), dtype=np.uint8)


def test_mask_changes_the_padded_box_and_nothing_outside() -> None:
    image = _noise()
    masked = mask_boxes(image, [(100.0, 100.0, 200.0, 300.0)])
    changed = np.any(masked != image, axis=2)
    ys, xs = np.nonzero(changed)
    assert (xs.min(), xs.max() + 1, ys.min(), ys.max() + 1) == (90, 210, 80, 320)  # padded by 10 %, clipped at 360
    assert changed[80:320, 90:210].mean() > 0.95
    assert image[:80].tobytes() == masked[:80].tobytes()
    assert image[:, 210:].tobytes() == masked[:, 210:].tobytes()
    assert len(np.unique(masked[80:320, 90:210].reshape(-1, 3), axis=0)) <= 64  # coarse blocks: nothing recognisable


def test_event_boxes_are_people_only_for_person_events_and_scaled_to_the_snapshot() -> None:
    fight = make_event("gate", EventType.FIGHT, boxes=[(10.0, 20.0, 110.0, 220.0)], frame_size=(1280, 720))
    assert event_person_boxes(fight, 640, 360) == [(5.0, 10.0, 55.0, 110.0)]
    assert event_person_boxes(make_event("gate", EventType.FIRE), 640, 360) == []


def test_admins_may_unmask_and_nobody_else() -> None:
    assert may_unmask(Principal("a", Role.ADMIN))
    assert not may_unmask(Principal("o", Role.OPERATOR))
    assert not may_unmask(Principal("v", Role.VIEWER))


def test_masker_adds_detected_people_and_builds_the_detector_once() -> None:
    built: list[int] = []
    searched: list[int] = []

    def factory() -> PeopleFinder:
        built.append(1)

        def find(_image: np.ndarray) -> list[tuple[float, float, float, float]]:
            searched.append(1)
            return [(300.0, 50.0, 400.0, 250.0)]

        return find

    masker = SnapshotMasker(factory, None)  # heads estimated: no pose model in a unit test
    image = cv2.resize(_noise(40, 23)[:, :40], (640, 368), interpolation=cv2.INTER_NEAREST)[:360]  # 16 px tiles
    _, jpeg = cv2.imencode(".jpg", image)
    event = make_event("gate", EventType.FIRE)
    for _ in range(2):
        out = cv2.imdecode(np.frombuffer(masker.mask_jpeg(jpeg.tobytes(), event), np.uint8), cv2.IMREAD_COLOR)
        assert np.abs(out[60:240, 310:390].astype(int) - image[60:240, 310:390]).mean() > 40  # pixelated noise
        assert np.abs(out[:, :250].astype(int) - image[:, :250]).mean() < 10  # only JPEG loss
    assert built == [1]
    assert searched == [1]  # the second request of the same snapshot is served from the cache
    masker.mask_jpeg(jpeg.tobytes(), make_event("gate", EventType.FIRE))  # another event: masked afresh
    assert searched == [1, 1]


def _event_with_photo(api: Api) -> tuple[Event, bytes]:
    event = make_event("gate", EventType.FIGHT, boxes=[(100.0, 50.0, 200.0, 300.0)], frame_size=(640, 360))
    jpeg = cv2.imencode(".jpg", _noise())[1].tobytes()
    event.snapshot_path = str(api.media.write_snapshot(event.id, "gate", event.start_time, jpeg))
    api.store.save_event(event)
    return event, jpeg


def test_everyone_gets_the_masked_snapshot_by_default(api: Api) -> None:
    event, jpeg = _event_with_photo(api)
    for role in ("viewer", "admin"):
        response = api.client.get(f"/api/events/{event.id}/snapshot.jpg", headers=api.headers(role))
        assert response.status_code == 200
        assert response.headers["content-type"] == "image/jpeg"
        assert response.content != jpeg
        masked = cv2.imdecode(np.frombuffer(response.content, np.uint8), cv2.IMREAD_COLOR)
        assert masked.shape == (360, 640, 3)
    actions = [a.action for a in api.store.list_audit()]
    assert actions == ["view_snapshot", "view_snapshot"]


def test_unmasking_needs_the_permission_and_a_reason_and_is_audited(api: Api) -> None:
    event, jpeg = _event_with_photo(api)
    url = f"/api/events/{event.id}/snapshot.jpg?unmask=true"
    refused = api.client.get(f"{url}&reason=curious", headers=api.headers("operator"))
    assert refused.status_code == 403
    assert "admins only" in refused.json()["detail"]
    no_reason = api.client.get(f"{url}&reason=%20", headers=api.headers("admin"))
    assert no_reason.status_code == 400
    assert "needs a reason" in no_reason.json()["detail"]
    assert api.store.list_audit() == []
    unmasked = api.client.get(f"{url}&reason=police%20request%2042", headers=api.headers("admin"))
    assert unmasked.status_code == 200
    assert unmasked.content == jpeg
    entries = [(a.actor, a.action, a.target, a.detail) for a in api.store.list_audit()]
    target = f"event:{event.id}:snapshot"
    assert (api.name("admin"), "unmask", target, "police request 42") in entries
    assert (api.name("admin"), "view_snapshot", target, None) in entries
